// The form of a step (camunda:formData): fields, their types, constraints and enum values.
import { checkbox, h, row, section, selectInput, t, textInput } from './dom.js';

const TYPES = ['string', 'long', 'boolean', 'date', 'enum'];
// Which constraints take a number, by field type (docs/dialect.md).
const LIMITS = { string: ['minlength', 'maxlength'], long: ['min', 'max'] };
// The conditional rules (engine/form_rules.py) each type can carry; their config is free text.
const RULES = { any: ['visible_if', 'required_if'], string: ['visible_if', 'required_if', 'pattern'],
  date: ['visible_if', 'required_if', 'not_before', 'not_after', 'not_future'] };

// `open` remembers which fields are unfolded (keys "element:index") across re-renders.
export function formSection(element, bo, d, open) {
  const data = d.formData(bo);
  const fields = data ? data.get('fields') : [];
  const list = h('ol', { className: 'qt-fields' }, fields.map((field, i) => fieldEditor(element, data, field, i, d, open)));
  const add = h('button', { type: 'button', className: 'qt-small', name: 'form.add',
    onclick: () => { open.add(`${element.id}:${fields.length}`); d.addField(element, bo); } }, t('form.add_field'));
  return section(t('form.title'), fields.length ? list : h('p', { className: 'qt-note' }, t('form.empty')), add);
}

function fieldEditor(element, data, field, i, d, open) {
  const type = field.type || 'string';
  const name = (suffix) => `form.${i}.${suffix}`;
  const set = (props) => d.run([d.update(element, field, props)]);
  const numeric = (key) => {
    const existing = d.constraint(field, key);
    return row(t(`form.${key}`), textInput(name(key), existing ? existing.config : '',
      (v) => d.setConstraint(element, field, key, v), { inputmode: 'numeric', pattern: '-?\\d*' }));
  };
  const flags = ['required', 'readonly'].map((key) =>
    h('label', { className: 'qt-inline' }, checkbox(name(key), !!d.constraint(field, key),
      (on) => d.setConstraint(element, field, key, on)), ' ', t(`form.${key}`)));
  const key = `${element.id}:${i}`;
  const summary = h('summary', { className: 'qt-field-head' },
    h('span', null, h('strong', null, field.label || field.id || '?'), ' ',
      h('small', null, `${field.id || ''} · ${t(`form.type.${type}`)}${d.constraint(field, 'required') ? ' · *' : ''}`)),
    h('button', { type: 'button', className: 'qt-small qt-danger', name: name('remove'), title: t('form.remove_field'),
      onclick: (e) => { e.preventDefault(); open.delete(key); d.removeField(element, data, field); } }, '×'));
  const item = h('details', { className: 'qt-field', open: open.has(key), dataset: { fieldId: field.id || '' },
    ontoggle: (e) => (e.target.open ? open.add(key) : open.delete(key)) },
    summary,
    row(t('form.id'), textInput(name('id'), field.id, (v) => v && set({ id: v }), { pattern: '[A-Za-z_][A-Za-z0-9_]*' })),
    row(t('form.label'), textInput(name('label'), field.label, (v) => set({ label: v || undefined }))),
    row(t('form.type'), selectInput(name('type'), type,
      TYPES.map((code) => [code, t(`form.type.${code}`)]).concat(TYPES.includes(type) ? [] : [[type, type]]),
      (v) => set({ type: v }))),
    h('div', { className: 'qt-flags' }, flags),
    (LIMITS[type] || []).map(numeric),
    (RULES[type] || RULES.any).map((key) => (key === 'not_future'
      ? h('label', { className: 'qt-inline' }, checkbox(name(key), !!d.constraint(field, key),
        (on) => d.setConstraint(element, field, key, on)), ' ', t(`form.${key}`))
      : row(t(`form.${key}`), textInput(name(key), (d.constraint(field, key) || {}).config || '',
        (v) => d.setConstraint(element, field, key, v || false))))));
  if (type === 'enum') item.append(enumEditor(element, field, i, d));
  return h('li', null, item);
}

function enumEditor(element, field, i, d) {
  const values = field.get('values');
  const rows = values.map((value, j) => h('li', { className: 'qt-enum' },
    textInput(`form.${i}.value.${j}.id`, value.id, (v) => v && d.run([d.update(element, value, { id: v })]),
      { placeholder: t('form.value_id'), 'aria-label': t('form.value_id') }),
    textInput(`form.${i}.value.${j}.name`, value.name, (v) => d.run([d.update(element, value, { name: v })]),
      { placeholder: t('form.value_name'), 'aria-label': t('form.value_name') }),
    h('button', { type: 'button', className: 'qt-small qt-danger', title: t('form.remove_value'),
      onclick: () => d.removeValue(element, field, value) }, '×')));
  return h('div', { className: 'qt-enum-box' },
    h('span', { className: 'qt-label' }, t('form.values')),
    values.length ? h('ul', null, rows) : h('p', { className: 'qt-warn' }, t('form.no_values')),
    h('button', { type: 'button', className: 'qt-small', name: `form.${i}.value.add`,
      onclick: () => d.addValue(element, field) }, t('form.add_value')));
}
