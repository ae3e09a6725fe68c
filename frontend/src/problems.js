// Validation problems on the diagram (overlay + marker at the element) and in a list.
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';
import { h, t } from './dom.js';

export class Problems {
  constructor(modeler, list) {
    this.overlays = modeler.get('overlays');
    this.canvas = modeler.get('canvas');
    this.registry = modeler.get('elementRegistry');
    this.selection = modeler.get('selection');
    this.list = list;
    this.marked = [];
    this.problems = [];
    modeler.get('eventBus').on('import.done', () => this.show(null));
  }

  // A problem names a flow element, a lane, a flow, or a process (shown at its pool).
  elementFor(id) {
    if (!id) return undefined;
    const direct = this.registry.get(id);
    if (direct && direct.type !== 'label') return direct;
    return this.registry.find((el) => is(el, 'bpmn:Participant') && getBusinessObject(el).processRef &&
      getBusinessObject(el).processRef.id === id);
  }

  clear() {
    this.overlays.remove({ type: 'qt-problem' });
    this.marked.forEach(([id, cls]) => this.canvas.removeMarker(id, cls));
    this.marked = [];
  }

  show(problems) {
    this.clear();
    this.checked = problems !== null && problems !== undefined;
    this.problems = problems || [];
    const byElement = new Map();
    for (const problem of this.problems) {
      const element = this.elementFor(problem.element_id);
      if (!element) continue;
      if (!byElement.has(element.id)) byElement.set(element.id, []);
      byElement.get(element.id).push(problem);
    }
    for (const [id, found] of byElement) {
      const worst = found.some((p) => severity(p) === 'error') ? 'error' : 'warning';
      const cls = `qt-problem-${worst}`;
      this.canvas.addMarker(id, cls);
      this.marked.push([id, cls]);
      const element = this.registry.get(id);
      const position = element.waypoints ? { top: -12, left: -12 } : { top: -12, right: 12 };
      this.overlays.add(id, 'qt-problem', {
        position,
        html: h('div', { className: `qt-problem-badge qt-${worst}`, dataset: { elementId: id } },
          h('span', { className: 'qt-problem-count' }, found.length > 1 ? `! ${found.length}` : '!'),
          h('ul', { className: 'qt-problem-bubble' }, found.map((p) => h('li', { className: `qt-${severity(p)}` }, p.message))))
      });
    }
    this.renderList();
  }

  renderList() {
    const items = this.problems.map((problem) => {
      const element = this.elementFor(problem.element_id);
      const label = element ? (getBusinessObject(element).name || element.id) : (problem.element_id || t('problems.whole'));
      return h('li', { className: `qt-${severity(problem)}`, dataset: { elementId: problem.element_id || '' } },
        h('span', { className: 'qt-sev' }, t(`severity.${severity(problem)}`)), ' ',
        element ? h('a', { href: '#', onclick: (e) => { e.preventDefault(); this.focus(element); } }, label) : h('span', null, label),
        ': ', problem.message);
    });
    const empty = this.checked ? h('li', { className: 'qt-ok' }, t('problems.none')) : h('li', { className: 'qt-note' }, t('problems.unchecked'));
    this.list.replaceChildren(...(items.length ? items : [empty]));
  }

  focus(element) {
    this.selection.select(element);
    const box = this.canvas.viewbox();
    const x = element.x !== undefined ? element.x + element.width / 2 : element.waypoints[0].x;
    const y = element.y !== undefined ? element.y + element.height / 2 : element.waypoints[0].y;
    this.canvas.viewbox({ x: x - box.width / 2, y: y - box.height / 2, width: box.width, height: box.height });
  }

  errors() {
    return this.problems.filter((p) => severity(p) === 'error');
  }
}

function severity(problem) {
  return problem.severity === 'warning' || problem.severity === 'info' ? problem.severity : 'error';
}
