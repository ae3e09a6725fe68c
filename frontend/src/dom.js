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
