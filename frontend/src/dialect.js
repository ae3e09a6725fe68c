// Reading and writing the quytrinh dialect (docs/dialect.md) on the bpmn-js model, through
// undoable commands: camunda:properties, camunda:* attributes, formData, conditions.
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

// Executes several commands as one undo step (the pattern bpmn-js-properties-panel uses).
class MultiCommandHandler {
  constructor(commandStack) {
    this._commandStack = commandStack;
  }

  preExecute(commands) {
    commands.forEach(({ cmd, context }) => this._commandStack.execute(cmd, context));
  }
}
MultiCommandHandler.$inject = ['commandStack'];

function registerMultiCommand(commandStack) {
  commandStack.registerHandler('quytrinh.multi', MultiCommandHandler);
}
registerMultiCommand.$inject = ['commandStack'];

export const multiCommandModule = { __init__: [registerMultiCommand] };

export function createDialect(modeler) {
  const modeling = modeler.get('modeling');
  const factory = modeler.get('bpmnFactory');
  const commandStack = modeler.get('commandStack');
  const registry = modeler.get('elementRegistry');
  const canvas = modeler.get('canvas');

  const update = (element, moddleElement, properties) =>
    ({ cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } });
  const run = (commands) => commands.length && commandStack.execute('quytrinh.multi', commands);
  const create = (type, attrs, parent) => Object.assign(factory.create(type, attrs), { $parent: parent });

  function extension(bo, type) {
    const ext = bo && bo.get('extensionElements');
    return ext ? ext.get('values').find((value) => is(value, type)) : undefined;
  }

  // The extension element of `type` under bo, created (with the commands to attach it) when missing.
  function ensureExtension(element, bo, type, attrs) {
    const commands = [];
    let ext = bo.get('extensionElements');
    if (!ext) {
      ext = create('bpmn:ExtensionElements', { values: [] }, bo);
      commands.push(update(element, bo, { extensionElements: ext }));
    }
    let found = ext.get('values').find((value) => is(value, type));
    if (!found) {
      found = create(type, attrs, ext);
      commands.push(update(element, ext, { values: [...ext.get('values'), found] }));
    }
    return [found, commands];
  }

  function property(bo, name) {
    const props = extension(bo, 'camunda:Properties');
    const found = props && props.get('values').find((p) => p.name === name);
    return found ? found.value : undefined;
  }

  function setProperty(element, bo, name, value) {
    const props = extension(bo, 'camunda:Properties');
    const existing = props && props.get('values').find((p) => p.name === name);
    if (!value) {
      if (existing) run([update(element, props, { values: props.get('values').filter((p) => p !== existing) })]);
      return;
    }
    if (existing) return run([update(element, existing, { value })]);
    const [container, commands] = ensureExtension(element, bo, 'camunda:Properties', { values: [] });
    const added = create('camunda:Property', { name, value }, container);
    run([...commands, update(element, container, { values: [...container.get('values'), added] })]);
  }

  function setAttrs(element, bo, attrs) {
    const clean = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, v === '' ? undefined : v]));
    run([update(element, bo, clean)]);
  }

  // A new process name also names its pool when the pool had the old name (or none).
  function renameProcess(element, process, name) {
    const pools = registry.filter((el) => is(el, 'bpmn:Participant') && getBusinessObject(el).processRef === process);
    run([update(element, process, { name: name || undefined }),
      ...pools.filter((pool) => !pool.businessObject.name || pool.businessObject.name === process.name)
        .map((pool) => update(pool, pool.businessObject, { name: name || undefined }))]);
  }

  // The process a selection stands for: a participant's process, the root process, or the
  // (first executable) process of a collaboration.
  function processOf(element) {
    const bo = getBusinessObject(element || canvas.getRootElement());
    if (is(bo, 'bpmn:Participant')) return bo.processRef;
    if (is(bo, 'bpmn:Process')) return bo;
    if (is(bo, 'bpmn:Collaboration')) {
      const processes = (bo.get('participants') || []).map((p) => p.processRef).filter(Boolean);
      return processes.find((p) => p.isExecutable) || processes[0];
    }
    return undefined;
  }

  // The innermost lane holding a flow node, if any.
  function laneOf(bo) {
    const lanes = registry.filter((el) => is(el, 'bpmn:Lane') && (getBusinessObject(el).get('flowNodeRef') || []).includes(bo));
    return lanes.map(getBusinessObject).find((lane) => !(lane.childLaneSet && lane.childLaneSet.lanes.some((c) => lanes.some((l) => getBusinessObject(l) === c)))) || undefined;
  }

  const roleOfLane = (lane) => (lane ? property(lane, 'role') || lane.name || '' : '');

  // ---- forms: camunda:formData / formField / validation / value ----
  const formData = (bo) => extension(bo, 'camunda:FormData');

  function addField(element, bo) {
    const [data, commands] = ensureExtension(element, bo, 'camunda:FormData', { fields: [] });
    const taken = new Set(data.get('fields').map((f) => f.id));
    let n = data.get('fields').length + 1;
    while (taken.has(`truong_${n}`)) n += 1;
    const field = create('camunda:FormField', { id: `truong_${n}`, label: '', type: 'string' }, data);
    run([...commands, update(element, data, { fields: [...data.get('fields'), field] })]);
    return field;
  }

  function removeField(element, data, field) {
    run([update(element, data, { fields: data.get('fields').filter((f) => f !== field) })]);
  }

  function constraint(field, name) {
    const validation = field.get('validation');
    return validation ? validation.get('constraints').find((c) => c.name === name) : undefined;
  }

  // on = false/'' removes the constraint; true sets a flag constraint; a string sets its config.
  function setConstraint(element, field, name, on) {
    const existing = constraint(field, name);
    const validation = field.get('validation');
    if (!on) {
      if (existing) run([update(element, validation, { constraints: validation.get('constraints').filter((c) => c !== existing) })]);
      return;
    }
    const config = on === true ? undefined : String(on);
    if (existing) return run([update(element, existing, { config })]);
    const commands = [];
    let target = validation;
    if (!target) {
      target = create('camunda:Validation', { constraints: [] }, field);
      commands.push(update(element, field, { validation: target }));
    }
    const added = create('camunda:Constraint', { name, config }, target);
    run([...commands, update(element, target, { constraints: [...target.get('constraints'), added] })]);
  }

  function addValue(element, field) {
    const n = field.get('values').length + 1;
    const value = create('camunda:Value', { id: `gia_tri_${n}`, name: '' }, field);
    run([update(element, field, { values: [...field.get('values'), value] })]);
  }

  function removeValue(element, field, value) {
    run([update(element, field, { values: field.get('values').filter((v) => v !== value) })]);
  }

  // ---- sequence flows ----
  function setCondition(element, body) {
    const bo = getBusinessObject(element);
    const existing = bo.get('conditionExpression');
    if (!body) return modeling.updateProperties(element, { conditionExpression: undefined });
    if (existing) return run([update(element, existing, { body })]);
    modeling.updateProperties(element, { conditionExpression: factory.create('bpmn:FormalExpression', { body }) });
  }

  function isDefaultFlow(element) {
    const source = element.source && getBusinessObject(element.source);
    return !!source && source.get('default') === getBusinessObject(element);
  }

  function setDefaultFlow(element, on) {
    modeling.updateProperties(element.source, { default: on ? getBusinessObject(element) : undefined });
  }

  return {
    update, run, extension, property, setProperty, setAttrs, renameProcess, processOf, laneOf, roleOfLane,
    formData, addField, removeField, constraint, setConstraint, addValue, removeValue,
    setCondition, isDefaultFlow, setDefaultFlow, modeling, registry, canvas
  };
}
