// The Vietnamese side panel: the dialect's properties of whatever is selected (docs/dialect.md).
import { getBusinessObject, is, isAny } from 'bpmn-js/lib/util/ModelUtil';
import { checkbox, durationInput, h, isDuration, row, section, selectInput, t, textArea, textInput } from './dom.js';
import { formSection } from './form-editor.js';

const LEVELS = ['', 'huyen', 'xa', 'tinh', 'noi_bo'];
// What a step's performer signs (engine/model.py STEP_SIGN_KINDS; another value is refused at deploy).
const SIGN_KINDS = ['', 'result', 'receipt', 'supplement_request', 'refusal', 'stop_notice', 'apology', 'procedure'];
const CUTOFF = /^([01]\d|2[0-3]):[0-5]\d$/;

export class SidePanel {
  constructor(modeler, dialect, container, { roles = [], readOnly = false } = {}) {
    this.modeler = modeler;
    this.d = dialect;
    this.container = container;
    this.roles = roles;
    this.readOnly = readOnly;
    this.current = null;
    this.pending = false;
    this.openFields = new Set();
    const eventBus = modeler.get('eventBus');
    eventBus.on('selection.changed', ({ newSelection }) => {
      this.current = newSelection.length === 1 ? newSelection[0] : null;
      this.render();
    });
    eventBus.on('import.done', () => { this.current = null; this.render(); });
    eventBus.on('commandStack.changed', () => this.refresh());
    container.append(h('datalist', { id: 'qt-roles' },
      this.roles.map((r) => h('option', { value: r.code }, r.name))));
  }

  // Re-render after a model change, keeping the focused input focused.
  refresh() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      if (this.current && !this.d.registry.get(this.current.id)) this.current = null;
      const focused = document.activeElement && this.container.contains(document.activeElement)
        ? document.activeElement.getAttribute('name') : null;
      this.render();
      const again = focused && this.container.querySelector(`[name="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    });
  }

  render() {
    const root = this.d.canvas.getRootElement();
    const element = this.current || root;
    const bo = getBusinessObject(element);
    const body = h('fieldset', { className: 'qt-panel-body', disabled: this.readOnly });
    body.append(h('h2', { className: 'qt-panel-title' }, typeLabel(bo), h('code', null, bo.id || '')));
    if (!this.current || isAny(bo, ['bpmn:Participant', 'bpmn:Process', 'bpmn:Collaboration'])) {
      body.append(this.processSection(this.current ? element : root));
    } else {
      body.append(this.generalSection(element, bo));
      if (is(bo, 'bpmn:Lane')) body.append(this.laneSection(element, bo));
      if (isAny(bo, ['bpmn:UserTask', 'bpmn:ManualTask']) || bo.$type === 'bpmn:Task') {
        body.append(this.stepSection(element, bo));
      }
      if (isAny(bo, ['bpmn:UserTask', 'bpmn:StartEvent'])) body.append(formSection(element, bo, this.d, this.openFields));
      if (is(bo, 'bpmn:ServiceTask')) body.append(this.serviceSection(element, bo));
      if (is(bo, 'bpmn:SequenceFlow')) body.append(this.flowSection(element, bo));
      if (isAny(bo, ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'])) body.append(this.gatewaySection(element, bo));
    }
    this.container.querySelectorAll('.qt-panel-body').forEach((old) => old.remove());
    this.container.append(body);
  }

  processSection(element) {
    const process = this.d.processOf(element);
    if (!process) return section(t('panel.process'), h('p', null, t('panel.no_process')));
    const d = this.d;
    const prop = (name) => d.property(process, name) || '';
    const setProp = (name) => (value) => d.setProperty(element, process, name, value);
    const deadline = prop('deadline');
    const cutoff = prop('cutoff');
    return section(t('panel.process'),
      row(t('panel.process_name'), textInput('process.name', process.name, (v) => d.renameProcess(element, process, v))),
      row(t('panel.code'), textInput('process.code', prop('code'), setProp('code'), { placeholder: 'QT-XD-01', required: true }),
        t('hint.code')),
      row(t('panel.deadline'), durationInput('process.deadline', deadline, setProp('deadline'), { placeholder: t('duration.working', { d: t('duration.days', { n: 15 }) }) }),
        warnOr(deadline && !isDuration(deadline, true), t('hint.deadline'))),
      row(t('panel.deadline_kind'), selectInput('process.deadline_kind', prop('deadline_kind'),
        [['', t('deadline_kind.working')], ['calendar', t('deadline_kind.calendar')]], setProp('deadline_kind'))),
      row(t('panel.field'), textInput('process.field', prop('field'), setProp('field'))),
      row(t('panel.level'), selectInput('process.level', prop('level'),
        LEVELS.map((code) => [code, code ? t(`level.${code}`) : '—']), setProp('level'))),
      row(t('panel.legal_basis'), textArea('process.legal_basis', prop('legal_basis'), setProp('legal_basis'))),
      row(t('panel.cutoff'), textInput('process.cutoff', cutoff, setProp('cutoff'), { placeholder: '15:00' }),
        warnOr(cutoff && !CUTOFF.test(cutoff), t('hint.cutoff'))),
      row(t('panel.process_id'), textInput('process.id', process.id, (v) => v && d.setAttrs(element, process, { id: v }))));
  }

  generalSection(element, bo) {
    const d = this.d;
    return section(t('panel.general'),
      row(t('panel.id'), textInput('element.id', bo.id, (v) => v && d.modeling.updateProperties(element, { id: v }))),
      row(t('panel.name'), textArea('element.name', bo.name, (v) => d.modeling.updateProperties(element, { name: v || undefined }), { rows: 2 })));
  }

  laneSection(element, bo) {
    const role = this.d.property(bo, 'role') || '';
    return section(t('panel.lane'),
      row(t('panel.role'), textInput('lane.role', role, (v) => this.d.setProperty(element, bo, 'role', v),
        { list: 'qt-roles', placeholder: 'mot_cua' }), this.roleHint(role, t('hint.lane_role'))));
  }

  stepSection(element, bo) {
    const d = this.d;
    const laneRole = d.roleOfLane(d.laneOf(bo));
    const rows = [h('p', { className: 'qt-note' }, laneRole ? t('panel.lane_role_is', { role: laneRole }) : t('panel.no_lane'))];
    if (is(bo, 'bpmn:UserTask')) {
      const due = bo.get('camunda:dueDate') || '';
      const groups = bo.get('camunda:candidateGroups') || '';
      rows.push(
        row(t('panel.due'), durationInput('task.dueDate', due, (v) => d.setAttrs(element, bo, { 'camunda:dueDate': v }),
          { placeholder: t('duration.days', { n: 1 }) }), warnOr((due && !isDuration(due)) || !due, due ? t('hint.due') : t('hint.due_missing'))),
        row(t('panel.candidate_groups'), textInput('task.candidateGroups', groups,
          (v) => d.setAttrs(element, bo, { 'camunda:candidateGroups': v }), { list: 'qt-roles' }), this.roleHint(groups, t('hint.candidate_groups'))),
        row(t('panel.assignee'), textInput('task.assignee', bo.get('camunda:assignee'),
          (v) => d.setAttrs(element, bo, { 'camunda:assignee': v })), t('hint.assignee')),
        row(t('panel.form_key'), textInput('task.formKey', bo.get('camunda:formKey'),
          (v) => d.setAttrs(element, bo, { 'camunda:formKey': v }))),
        this.signRow(element, bo));
    }
    return section(t('panel.step'), ...rows);
  }

  // The `sign` property: a known kind is chosen from the list; a value typed in the XML that is not one
  // is kept and shown as it is (the deploy check names it), never silently dropped.
  signRow(element, bo) {
    const d = this.d;
    const sign = d.property(bo, 'sign') || '';
    const kinds = SIGN_KINDS.includes(sign) ? SIGN_KINDS : [...SIGN_KINDS, sign];
    return row(t('panel.sign'), selectInput('task.sign', sign,
      kinds.map((k) => [k, !k ? t('sign.none') : SIGN_KINDS.includes(k) ? t(`sign.${k}`) : k]),
      (v) => d.setProperty(element, bo, 'sign', v)), t('hint.sign'));
  }

    serviceSection(element, bo) {
    return section(t('panel.service'),
      row(t('panel.topic'), textInput('service.topic', bo.get('camunda:topic'), (v) => this.d.setAttrs(element, bo,
        { 'camunda:type': v ? 'external' : undefined, 'camunda:topic': v })), t('hint.topic')));
  }

  flowSection(element, bo) {
    const d = this.d;
    const expression = bo.get('conditionExpression');
    const source = element.source && getBusinessObject(element.source);
    const branching = source && isAny(source, ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway']);
    const isDefault = d.isDefaultFlow(element);
    return section(t('panel.flow'),
      row(t('panel.condition'), textArea('flow.condition', expression ? expression.body : '', (v) => d.setCondition(element, v),
        { placeholder: "ket_qua == 'dat'", disabled: isDefault }), t('hint.condition')),
      branching ? row(t('panel.default_flow'), checkbox('flow.default', isDefault, (on) => d.setDefaultFlow(element, on))) : null);
  }

  gatewaySection(element, bo) {
    const outgoing = element.outgoing || [];
    const def = bo.get('default');
    const items = outgoing.map((flow) => {
      const fbo = getBusinessObject(flow);
      const cond = fbo.get('conditionExpression');
      const text = fbo === def ? t('panel.default_marker') : (cond && cond.body) || t('panel.no_condition');
      return h('li', { className: cond || fbo === def ? '' : 'qt-warn' },
        h('a', { href: '#', onclick: (e) => { e.preventDefault(); this.modeler.get('selection').select(flow); } },
          fbo.name || fbo.id), ': ', h('code', null, text));
    });
    return section(t('panel.gateway'), h('ul', { className: 'qt-flows' }, items),
      row(t('panel.default_flow'), selectInput('gateway.default', def ? def.id : '',
        [['', '—'], ...outgoing.map((f) => [f.id, getBusinessObject(f).name || f.id])],
        (id) => this.d.modeling.updateProperties(element, { default: id ? getBusinessObject(this.d.registry.get(id)) : undefined }))));
  }

  roleHint(codes, fallback) {
    const known = new Map(this.roles.map((r) => [r.code, r.name]));
    const names = (codes || '').split(',').map((c) => c.trim()).filter(Boolean)
      .map((c) => known.get(c.split('@')[0]) || (this.roles.length ? `${c} (${t('hint.unknown_role')})` : c));
    return names.length ? names.join('; ') : fallback;
  }
}

function warnOr(bad, hint) {
  return bad ? h('span', { className: 'qt-warn' }, hint) : hint;
}

function typeLabel(bo) {
  const type = (bo.$type || '').replace(/^bpmn:/, '');
  const key = `type.${type}`;
  const label = t(key);
  return label === key ? type : label;
}
