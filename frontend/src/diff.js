// Visual diff of two versions: side by side, removed (red) on the left, added (green) on the right,
// changed (orange) on both, plus a list with what changed.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { h, t } from './dom.js';
import { fitWithMargin } from './fit.js';

// "thời hạn: P1D → P2D; tên" from {what: [aspects], details: {aspect: {from, to}}}.
function describe(item) {
  const what = Array.isArray(item.what) ? item.what : [item.what].filter(Boolean);
  const details = item.details || {};
  return what.map((aspect) => {
    const label = t(`aspect.${aspect}`) === `aspect.${aspect}` ? aspect : t(`aspect.${aspect}`);
    const change = details[aspect];
    const simple = change && ['string', 'number'].includes(typeof change.from) && ['string', 'number'].includes(typeof change.to);
    return simple ? `${label} ${change.from || '—'} → ${change.to || '—'}` : label;
  }).join('; ');
}

const idOf = (item) => (typeof item === 'string' ? item : item && (item.element_id || item.id));

export class DiffView {
  constructor(root, { api, code, moddleExtensions }) {
    this.root = root;
    this.api = api;
    this.code = code;
    this.left = new NavigatedViewer({ container: root.querySelector('.qt-diff-left .qt-diff-canvas'), moddleExtensions });
    this.right = new NavigatedViewer({ container: root.querySelector('.qt-diff-right .qt-diff-canvas'), moddleExtensions });
    this.list = root.querySelector('.qt-diff-list');
  }

  async fillVersions(current) {
    const versions = await this.api.versions(this.code);
    const options = (selected) => versions.map((v) => h('option', { value: v.version, selected: v.version === selected },
      `${t('diff.version')} ${v.version}${v.issue_number ? ` (${t('diff.issue')} ${v.issue_number})` : ''} — ${t(`status.${v.status}`)}`));
    const numbers = versions.map((v) => v.version).sort((a, b) => a - b);
    const to = numbers.includes(current) ? current : numbers[numbers.length - 1];
    const from = numbers.filter((n) => n < to).pop() ?? numbers[0];
    this.root.querySelector('select[name="diff.from"]').replaceChildren(...options(from));
    this.root.querySelector('select[name="diff.to"]').replaceChildren(...options(to));
    return versions;
  }

  async compare(from, to) {
    const [leftXml, rightXml, diff] = await Promise.all([
      this.api.bpmn(this.code, from), this.api.bpmn(this.code, to), this.api.diff(this.code, from, to)]);
    await this.left.importXML(leftXml);
    await this.right.importXML(rightXml);
    const changed = (diff.changed || []).map(idOf);
    this.mark(this.left, [...(diff.removed || []).map(idOf)], 'qt-diff-removed');
    this.mark(this.right, [...(diff.added || []).map(idOf)], 'qt-diff-added');
    this.mark(this.left, changed, 'qt-diff-changed');
    this.mark(this.right, changed, 'qt-diff-changed');
    for (const viewer of [this.left, this.right]) fitWithMargin(viewer.get('canvas'));  // nothing cropped
    this.root.querySelector('.qt-diff-left h3').textContent = `${t('diff.version')} ${from}`;
    this.root.querySelector('.qt-diff-right h3').textContent = `${t('diff.version')} ${to}`;
    const nameIn = (viewer, id) => {
      const element = viewer.get('elementRegistry').get(id);
      if (!element) return (diff.names && diff.names[id]) || id;
      if (element.businessObject.name) return element.businessObject.name;
      return element.waypoints ? `${nameIn(viewer, element.source.id)} → ${nameIn(viewer, element.target.id)}` : id;
    };
    const entry = (kind, id, what) => h('li', { className: `qt-diff-${kind}`, dataset: { elementId: id } },
      h('span', { className: 'qt-sev' }, t(`diff.${kind}`)), ' ', nameIn(kind === 'removed' ? this.left : this.right, id),
      what ? `: ${what}` : '');
    const items = [
      ...(diff.added || []).map((i) => entry('added', idOf(i))),
      ...(diff.removed || []).map((i) => entry('removed', idOf(i))),
      ...(diff.changed || []).map((i) => entry('changed', idOf(i), describe(i)))];
    this.list.replaceChildren(...(items.length ? items : [h('li', null, t('diff.same'))]));
    return diff;
  }

  mark(viewer, ids, cls) {
    const registry = viewer.get('elementRegistry');
    const canvas = viewer.get('canvas');
    ids.filter((id) => registry.get(id)).forEach((id) => canvas.addMarker(id, cls));
  }
}
