// quytrinh's read-only diagram (issue 13 item 9): bpmn-js's viewer draws a procedure from its own BPMN layout,
// as the modeler does, instead of a Graphviz re-layout. Each <div class="qt-bpmn-view"> carries the BPMN text
// (data-xml) and, for a case, the steps open now and the finished steps' results.
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import './viewer.css';

import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

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
  for (const [id, result] of Object.entries(JSON.parse(box.dataset.results || '{}'))) mark(id, `qt-${result}`);
  for (const id of JSON.parse(box.dataset.open || '[]')) mark(id, 'qt-current');
  // Fit again whenever the box changes size: the style sheet may arrive after this runs, and a page's columns
  // settle late; a zoom computed on the first, smaller box cut the diagram off.
  const fit = () => { canvas.resized(); canvas.zoom('fit-viewport', 'auto'); };
  fit();
  new ResizeObserver(fit).observe(box.querySelector('.qt-bpmn-canvas'));
  box.dataset.ready = 'true';
}

for (const box of document.querySelectorAll('.qt-bpmn-view')) show(box);
