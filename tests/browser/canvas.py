"""Driving bpmn-js the way a person does: palette, drop on a flow, context pad, clicks on shapes."""

from __future__ import annotations

_TO_SCREEN = """
(point) => {
  const canvas = window.quytrinhModeler.modeler.get('canvas');
  const vb = canvas.viewbox();
  const rect = canvas.getContainer().getBoundingClientRect();
  return { x: rect.left + (point.x - vb.x) * vb.scale, y: rect.top + (point.y - vb.y) * vb.scale };
}
"""

_ANCHOR = """
(id) => {
  const element = window.quytrinhModeler.modeler.get('elementRegistry').get(id);
  if (!element) return null;
  if (!element.waypoints) return { x: element.x + element.width / 2, y: element.y + element.height / 2 };
  const w = element.waypoints;
  let best = -1, mid = null;
  for (let i = 1; i < w.length; i++) {
    const length = Math.hypot(w[i].x - w[i - 1].x, w[i].y - w[i - 1].y);
    if (length > best) { best = length; mid = { x: (w[i].x + w[i - 1].x) / 2, y: (w[i].y + w[i - 1].y) / 2 }; }
  }
  return mid;
}
"""


def screen_point(page, element_id: str) -> dict:
    """Where on the screen an element is: a shape's centre, or the middle of a flow's longest segment."""
    point = page.evaluate(_ANCHOR, element_id)
    assert point is not None, f"{element_id} is not on the diagram"
    return page.evaluate(_TO_SCREEN, point)


_IS_SELECTED = "id => window.quytrinhModeler.modeler.get('selection').get().some(e => e.id === id)"


def click_element(page, element_id: str) -> None:
    """Click a shape or a flow on the canvas (selects it; the side panel follows). A click on the
    element already selected would deselect it (diagram-js toggles), so that one is not clicked."""
    if page.evaluate(_IS_SELECTED, element_id):
        return
    # Another selection's context pad may cover the target (a short flow next to a gateway): clear it,
    # as clicking elsewhere first would.
    page.evaluate("window.quytrinhModeler.modeler.get('selection').select(null)")
    point = screen_point(page, element_id)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function(_IS_SELECTED, arg=element_id)


def selected_id(page) -> str:
    return page.evaluate("window.quytrinhModeler.modeler.get('selection').get()[0].id")


def add_user_task_on_flow(page, flow_id: str, name: str) -> str:
    """Drag a task from the palette onto a flow (bpmn-js splits the flow), type its name, make it a
    user task through the context pad's replace menu; return the new element's id."""
    point = screen_point(page, flow_id)
    page.click(".djs-palette .entry[data-action='create.task']")
    page.mouse.move(point["x"] - 40, point["y"] - 10)
    page.mouse.move(point["x"], point["y"], steps=5)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("window.quytrinhModeler.modeler.get('directEditing').isActive()")
    page.keyboard.type(name)
    new_id = selected_id(page)
    page.mouse.click(point["x"] + 60, point["y"] + 130)  # finish the label on empty canvas
    click_element(page, new_id)
    page.click(".djs-context-pad .entry[data-action='replace']")
    page.click(".djs-popup [data-id='replace-with-user-task']")
    page.wait_for_function("window.quytrinhModeler.modeler.get('selection').get()[0]?.type === 'bpmn:UserTask'")
    return selected_id(page)


def commit(page, selector: str, value: str) -> None:
    """Type into a side-panel input and leave it (the panel commits on change)."""
    page.fill(selector, value)
    page.press(selector, "Tab")
    page.wait_for_timeout(100)
