// Fit a diagram in its box with room round it (issue 13 item 9): fit-viewport alone puts the pool's border on
// the box's edge, and in the modeler the palette (top left, over the canvas) then covers the start event and
// the lane labels. `leftPx` keeps that many screen pixels free at the left.
export function fitWithMargin(canvas, leftPx = 0) {
  // A hidden box (a closed tab, display:none) has no size: fitting it divides by zero and the SVGMatrix is
  // not invertible. Wait: the viewer's ResizeObserver fits again when the box is shown.
  const container = canvas.getContainer();
  if (!container.clientWidth || !container.clientHeight) return;
  canvas.resized();
  canvas.zoom('fit-viewport', 'auto');
  const box = canvas.viewbox();
  const pad = Math.max(box.width, box.height) * 0.03;
  const left = leftPx / (box.scale || 1);
  canvas.viewbox({ x: box.x - pad - left, y: box.y - pad, width: box.width + 2 * pad + left, height: box.height + 2 * pad });
}

// The palette's width in screen pixels (0 when the page has none), plus a little air.
export function paletteWidth(container) {
  const palette = container && container.querySelector('.djs-palette');
  return palette ? palette.getBoundingClientRect().width + 12 : 0;
}
