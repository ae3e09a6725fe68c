// quytrinh's read-only diagram (issue 13 item 9): bpmn-js's viewer draws a procedure from its own BPMN layout,
// as the modeler does, instead of a Graphviz re-layout. Each <div class="qt-bpmn-view"> carries the BPMN text
// (data-xml) and the markers to set (data-marks): a case's open and finished steps, a version diff, or the audit
// heat map (steps shaded by how often they were done, deviations in red, figures under each step: data-notes).
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import './viewer.css';

import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

import { fitWithMargin } from './fit.js';

async function show(box) {
  if (box.dataset.started) return;  // the page may load this script once per diagram
  box.dataset.started = 'true';
  const xml = box.dataset.xml;
  const viewer = new NavigatedViewer({ container: box.querySelector('.qt-bpmn-canvas') });
  try {
    await viewer.importXML(xml);
  } catch (error) {
    box.dataset.ready = 'false';
    box.querySelector('.qt-bpmn-canvas').textContent = box.dataset.failed || String(error);
    return;
  }
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const mark = (id, marker) => { if (registry.get(id)) canvas.addMarker(id, marker); };
  // data-marks: element id → marker class (qt-current, qt-early/on_time/late, qt-added/removed/changed)
  for (const [id, marker] of Object.entries(JSON.parse(box.dataset.marks || '{}'))) mark(id, marker);
  // data-notes: element id → a short text shown under the element (the audit heat map's figures per step)
  const overlays = viewer.get('overlays');
  for (const [id, text] of Object.entries(JSON.parse(box.dataset.notes || '{}'))) {
    const shape = registry.get(id);
    if (!shape) continue;
    const note = document.createElement('div');
    note.className = 'qt-note';
    note.textContent = text;
    overlays.add(id, 'qt-note', { position: { top: shape.height + 3, left: 0 }, html: note, scale: { min: 0.85 } });
  }
  // Fit again whenever the box changes size: the style sheet may arrive after this runs, and a page's columns
  // settle late; a zoom computed on the first, smaller box cut the diagram off.
  const fit = () => fitWithMargin(canvas);
  fit();
  new ResizeObserver(fit).observe(box.querySelector('.qt-bpmn-canvas'));
  box.dataset.ready = 'true';
}

for (const box of document.querySelectorAll('.qt-bpmn-view')) show(box);
