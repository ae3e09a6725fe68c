// Tiny DOM helpers for the side panel: no framework, every input commits on `change`.

let strings = {};

export function setStrings(table) {
  strings = table || {};
}

// The page's translated text for a key (Vietnamese by default, English with ?lang=en).
export function t(key, params) {
  let text = strings[key] || key;
  for (const [name, value] of Object.entries(params || {})) text = text.replace(`{${name}}`, value);
  return text;
}

export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'className') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A labelled row: <label>text <input/> <small>hint</small></label>.
export function row(label, control, hint) {
  return h('label', { className: 'qt-row' }, h('span', { className: 'qt-label' }, label), control,
    hint ? h('small', { className: 'qt-hint' }, hint) : null);
}

export function textInput(name, value, onCommit, extra = {}) {
  const input = h('input', { type: 'text', name, value: value || '', ...extra });
  input.addEventListener('change', () => onCommit(input.value.trim()));
  return input;
}

export function textArea(name, value, onCommit, extra = {}) {
  const area = h('textarea', { name, rows: 3, ...extra });
  area.value = value || '';
  area.addEventListener('change', () => onCommit(area.value.trim()));
  return area;
}

export function selectInput(name, value, options, onCommit) {
  const select = h('select', { name },
    options.map(([code, label]) => h('option', { value: code, selected: code === (value || '') }, label)));
  select.addEventListener('change', () => onCommit(select.value));
  return select;
}

export function checkbox(name, checked, onCommit) {
  const box = h('input', { type: 'checkbox', name, checked: !!checked });
  box.addEventListener('change', () => onCommit(box.checked));
  return box;
}

export function section(title, ...children) {
  return h('section', { className: 'qt-section' }, h('h3', null, title), ...children);
}

// ISO 8601 durations as the dialect accepts them: P15D, P0.5D, PT4H, P1DT2H, or "same_day".
const DURATION = /^P(?!$)(\d+(?:[.,]\d+)?Y)?(\d+(?:[.,]\d+)?M)?(\d+(?:[.,]\d+)?W)?(\d+(?:[.,]\d+)?D)?(T(?=\d)(\d+(?:[.,]\d+)?H)?(\d+(?:[.,]\d+)?M)?(\d+(?:[.,]\d+)?S)?)?$/;

export function isDuration(text, allowSameDay = false) {
  return (allowSameDay && text === 'same_day') || DURATION.test(text);
}

// Time limits as people write them (engine/duration_words.py): "15 ngày làm việc", "0,5 ngày", "1 ngày 4 giờ",
// "trong ngày"; ISO is accepted as it is. The BPMN keeps ISO, the panel shows words.
const UNITS = { tuần: 'W', tuan: 'W', ngày: 'D', ngay: 'D', giờ: 'H', gio: 'H', phút: 'M', phut: 'M' };
const PART = /(\d+(?:[.,]\d+)?)\s*(tuần|tuan|ngày|ngay|giờ|gio|phút|phut)(?![\p{L}])/gu;
const FILLER = /(làm việc|lam viec|(^|\s)và(?=\s)|(^|\s)va(?=\s)|[,;])/gu;

export function toIso(text) {
  const raw = (text || '').trim().replace(/\s+/g, ' ');
  if (!raw) return '';
  if (DURATION.test(raw.toUpperCase())) return raw.toUpperCase();
  const low = raw.toLowerCase();
  if (low === 'trong ngày' || low === 'trong ngay' || low === 'same_day') return 'same_day';
  const found = {};
  for (const [, number, unit] of low.matchAll(PART)) found[UNITS[unit]] = number.replace(',', '.');
  if (!Object.keys(found).length || low.replace(PART, ' ').replace(FILLER, ' ').trim()) return null;
  const date = ['W', 'D'].filter((u) => u in found).map((u) => found[u] + u).join('');
  const time = ['H', 'M'].filter((u) => u in found).map((u) => found[u] + u).join('');
  return `P${date}${time ? `T${time}` : ''}`;
}

const ISO_PARTS = /^P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?)?$/;

export function inWords(iso) {
  if (!iso) return '';
  if (iso === 'same_day') return t('duration.same_day');
  const m = ISO_PARTS.exec(iso.toUpperCase());
  if (!m || !m.slice(1).some(Boolean)) return iso;
  const names = ['duration.weeks', 'duration.days', 'duration.hours', 'duration.minutes'];
  const parts = m.slice(1).map((v, i) => (v ? t(names[i], { n: v.replace('.', ',') }) : null)).filter(Boolean);
  return t('duration.working', { d: parts.join(' ') });
}

// An input for a time limit: shows words, stores ISO; text it cannot read is stored as typed (and warned about).
export function durationInput(name, iso, onCommit, extra = {}) {
  return textInput(name, inWords(iso), (v) => { const converted = toIso(v); onCommit(converted === null ? v : converted); }, extra);
}
