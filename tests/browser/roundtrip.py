"""What a BPMN file says in the Camunda dialect, in a form that survives a trip through bpmn-js.

Compares by namespace URI, not prefix, and ignores formatting: bpmn-js re-indents and may reorder
attributes, and that is not a loss.
"""

from __future__ import annotations

from defusedxml import ElementTree

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _tree(node) -> tuple:
    """An element as (tag, sorted attributes, stripped text, children), recursively."""
    text = (node.text or "").strip()
    return (node.tag, tuple(sorted(node.attrib.items())), text, tuple(_tree(child) for child in node))


def _owner(path: list) -> str:
    """The nearest id on the way down to an element, plus the tags below it: a stable address."""
    for i in range(len(path) - 1, -1, -1):
        if path[i].get("id"):
            return "/".join([path[i].get("id")] + [p.tag.split("}")[-1] for p in path[i + 1:]])
    return "/".join(p.tag.split("}")[-1] for p in path)


def dialect_of(xml: bytes | str) -> dict:
    """Every camunda:* attribute, every extensionElements block, every condition, every id."""
    root = ElementTree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)
    attributes: set[tuple[str, str, str]] = set()
    extensions: dict[str, tuple] = {}
    conditions: dict[str, str] = {}
    ids: set[str] = set()

    def walk(node, path):
        path = path + [node]
        if node.get("id") and node.tag.startswith("{" + BPMN):
            ids.add(node.get("id"))
        for name, value in node.attrib.items():
            if name.startswith("{" + CAMUNDA + "}"):
                attributes.add((_owner(path), name, value))
        if node.tag == f"{{{BPMN}}}extensionElements":
            extensions[_owner(path)] = tuple(sorted(_tree(child) for child in node))
            return
        if node.tag == f"{{{BPMN}}}conditionExpression":
            conditions[_owner(path)] = (node.text or "").strip()
        for child in node:
            walk(child, path)

    walk(root, [])
    return {"attributes": attributes, "extensions": extensions, "conditions": conditions, "ids": ids}


def losses(original: bytes | str, saved: bytes | str) -> list[str]:
    """What the saved file lost or changed of the original's dialect (empty when nothing)."""
    before, after = dialect_of(original), dialect_of(saved)
    found = [f"attribute lost: {a}" for a in sorted(before["attributes"] - after["attributes"])]
    found += [f"attribute added: {a}" for a in sorted(after["attributes"] - before["attributes"])]
    for owner, content in before["extensions"].items():
        if content and after["extensions"].get(owner) != content:
            found.append(f"extension elements changed at {owner}")
    for owner, text in before["conditions"].items():
        if after["conditions"].get(owner) != text:
            found.append(f"condition changed at {owner}: {text!r} -> {after['conditions'].get(owner)!r}")
    found += [f"element lost: {i}" for i in sorted(before["ids"] - after["ids"])]
    return found
