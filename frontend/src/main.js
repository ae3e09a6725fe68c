// quytrinh modeler page: bpmn-js with the Camunda moddle, our Vietnamese side panel, problems on
// the diagram, save/validate/submit against the quality API, upload/download, version diff.
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import './modeler.css';

import BpmnModeler from 'bpmn-js/lib/Modeler';
import camunda from 'camunda-bpmn-moddle/resources/camunda.json';

import { api, problemsOf } from './api.js';
import { createDialect, multiCommandModule } from './dialect.js';
import { DiffView } from './diff.js';
import { fitWithMargin, paletteWidth } from './fit.js';
import { setStrings, t } from './dom.js';
import { newDiagram } from './new-diagram.js';
import { SidePanel } from './panel.js';
import { Problems } from './problems.js';

const cfg = JSON.parse(document.getElementById('qt-config').textContent);
setStrings(cfg.strings);
const $ = (selector) => document.querySelector(selector);
const moddleExtensions = { camunda };

// bpmn-js's palette, context pad and menus in the page's language (keys "bpmnjs:<English text>").
function translateModule(strings) {
  const table = {};
  for (const [key, text] of Object.entries(strings || {})) if (key.startsWith('bpmnjs:')) table[key.slice(7)] = text;
  const translate = (template, replacements = {}) => (table[template] || template)
    .replace(/{([^}]+)}/g, (whole, name) => (name in replacements ? replacements[name] : whole));
  return { translate: ['value', translate] };
}

const modeler = new BpmnModeler({
  container: '#qt-canvas', moddleExtensions, additionalModules: [multiCommandModule, translateModule(cfg.strings)]
});
const dialect = createDialect(modeler);
const panel = new SidePanel(modeler, dialect, $('#qt-panel'), { roles: cfg.roles, readOnly: !cfg.can_edit });
const problems = new Problems(modeler, $('#qt-problem-list'));
const client = api(cfg.api_base);
const state = { code: cfg.code, version: cfg.version, status: null, dirty: false, importing: false };
let diffView = null;

function setStatus(text, kind = 'info') {
  const box = $('#qt-status');
  box.textContent = text;
  box.className = `qt-status qt-status-${kind}`;
}

function updateTitle() {
  const written = state.importing ? null : dialect.property(dialect.processOf(), 'code');
  $('#qt-title-code').textContent = state.code || written || t('title.new');
  $('#qt-title-version').textContent = state.version ? `${t('diff.version')} ${state.version}` : '';
  const badge = $('#qt-title-status');
  badge.textContent = state.status ? t(`status.${state.status}`) : '';
  badge.className = `qt-badge qt-badge-${state.status || 'none'}`;
  $('#qt-dirty').hidden = !state.dirty;
}

modeler.on('commandStack.changed', () => {
  if (state.importing) return;
  state.dirty = true;
  updateTitle();
});

async function importXml(xml) {
  state.importing = true;
  try {
    const { warnings } = await modeler.importXML(xml);
    // the palette sits over the canvas's left edge: keep the start event and lane labels clear of it
    fitWithMargin(modeler.get('canvas'), paletteWidth(document.querySelector('#qt-canvas')));
    if (warnings.length) setStatus(t('status.import_warnings', { count: warnings.length }), 'warn');
    return warnings;
  } finally {
    state.importing = false;
  }
}

async function currentXml() {
  return (await modeler.saveXML({ format: true })).xml;
}

function handleError(error) {
  const found = problemsOf(error);
  if (found) {
    problems.show(found);
    setStatus(t('status.has_errors', { count: problems.errors().length || found.length }), 'bad');
    return;
  }
  const known = { 401: 'status.login', 403: 'status.forbidden', 404: 'status.not_found', 409: 'status.conflict' };
  setStatus(known[error.status] ? t(known[error.status]) : `${t('status.failed')}: ${error.message}`, 'bad');
}

// The code to save under: the diagram's `code` property, which must match the procedure opened.
function codeForSave() {
  const written = dialect.property(dialect.processOf(), 'code');
  if (state.code && written && written !== state.code) {
    setStatus(t('status.code_mismatch', { written, code: state.code }), 'bad');
    return null;
  }
  const code = written || state.code;
  if (!code) setStatus(t('status.need_code'), 'bad');
  return code || null;
}

async function save() {
  const code = codeForSave();
  if (!code) return null;
  setStatus(t('status.saving'));
  try {
    const reply = await client.saveDraft(code, await currentXml(), $('input[name="note"]').value.trim());
    Object.assign(state, { code, version: reply.version, status: reply.status || 'draft', dirty: false });
    problems.show(reply.problems || []);
    history.replaceState(null, '', cfg.edit_url.replace('{code}', encodeURIComponent(code)).replace('{version}', reply.version));
    updateTitle();
    const errors = problems.errors().length;
    setStatus(errors ? t('status.saved_with_errors', { version: reply.version, count: errors })
      : t('status.saved', { version: reply.version }), errors ? 'bad' : 'ok');
    return reply;
  } catch (error) {
    handleError(error);
    return null;
  }
}

async function validate() {
  setStatus(t('status.validating'));
  try {
    const reply = await client.validate(await currentXml());
    problems.show(reply.problems || []);
    const count = (reply.problems || []).length;
    setStatus(count ? t('status.problems', { count }) : t('status.valid'), problems.errors().length ? 'bad' : 'ok');
  } catch (error) {
    handleError(error);
  }
}

async function submit() {
  if (state.dirty || !state.version || state.status !== 'draft') {
    if (!(await save())) return;
    if (problems.errors().length) return setStatus(t('status.fix_first'), 'bad');
  }
  setStatus(t('status.submitting'));
  try {
    const reply = await client.submit(state.code, state.version);
    state.status = (reply && reply.status) || 'in_review';
    updateTitle();
    setStatus(t('status.submitted', { version: state.version }), 'ok');
  } catch (error) {
    handleError(error);
  }
}

async function download() {
  const blob = new Blob([await currentXml()], { type: 'application/xml' });
  const link = Object.assign(document.createElement('a'), {
    href: URL.createObjectURL(blob), download: `${state.code || 'quy-trinh'}${state.version ? `-v${state.version}` : ''}.bpmn`
  });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

async function upload(file) {
  try {
    await importXml(await file.text());
    state.dirty = true;
    updateTitle();
    setStatus(t('status.uploaded', { name: file.name }), 'ok');
  } catch (error) {
    setStatus(`${t('status.import_failed')}: ${error.message}`, 'bad');
  }
}

async function toggleDiff() {
  const box = $('#qt-diff');
  box.hidden = !box.hidden;
  if (box.hidden) return;
  if (!state.code) return setStatus(t('status.need_saved'), 'warn');
  try {
    diffView = diffView || new DiffView(box, { api: client, code: state.code, moddleExtensions });
    await diffView.fillVersions(state.version);
    await compare();
  } catch (error) {
    handleError(error);
  }
}

async function compare() {
  const from = Number($('select[name="diff.from"]').value);
  const to = Number($('select[name="diff.to"]').value);
  try {
    await diffView.compare(from, to);
  } catch (error) {
    handleError(error);
  }
}

function wire() {
  const on = (name, handler) => {
    const node = document.querySelector(`[name="${name}"]`);
    if (node) node.addEventListener('click', (event) => { event.preventDefault(); handler(); });
  };
  on('save', save);
  on('validate', validate);
  on('submit', submit);
  on('download', download);
  on('diff', toggleDiff);
  on('diff.compare', compare);
  const file = $('input[name="upload"]');
  if (file) file.addEventListener('change', () => { if (file.files[0]) upload(file.files[0]); file.value = ''; });
  window.addEventListener('beforeunload', (event) => { if (state.dirty && cfg.can_edit) event.preventDefault(); });
}

async function open() {
  wire();
  updateTitle();
  try {
    if (state.code && state.version) {
      await importXml(await client.bpmn(state.code, state.version));
      const versions = await client.versions(state.code).catch(() => []);
      const mine = versions.find((v) => v.version === state.version);
      state.status = mine ? mine.status : null;
    } else {
      await importXml(newDiagram(t('new.process'), t('new.lane'), t('new.start')));
    }
    updateTitle();
    document.body.dataset.modelerReady = 'true';
  } catch (error) {
    handleError(error);
    document.body.dataset.modelerReady = 'error';
  }
}

// For tests and the curious: the live modeler and a few helpers.
window.quytrinhModeler = { modeler, dialect, problems, panel, state, importXml, currentXml, save, validate, submit };
open();
