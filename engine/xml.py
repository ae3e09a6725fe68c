"""Loading BPMN XML safely: no DTDs, no entities, no network, bounded size."""

from __future__ import annotations

import re

from lxml import etree

from .errors import ModelInvalid, problem

MAX_BPMN_BYTES = 5 * 1024 * 1024
# Checking a model costs time linear in its size (20,000 tasks took 22 s, issue 12): the largest real procedure
# has under 150 identified elements and 500 XML elements, so these caps are 10-40 times that and keep a check
# around a second.
MAX_BPMN_IDS = 2_000
MAX_BPMN_ELEMENTS = 20_000
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NSMAP = {
    "bpmn": BPMN_NS,
    "camunda": CAMUNDA_NS,
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
# SpiffWorkflow names its own task specs like this; a BPMN element with the same id would collide.
RESERVED_IDS = frozenset({"Start", "End", "Root"})
RENAMED_SUFFIX = "__el"
_DECLARED_ENCODING = re.compile(r"""(<\?xml[^>]*?encoding\s*=\s*["'])[^"']*(["'])""")
_REF_ATTRIBUTES = ("sourceRef", "targetRef", "attachedToRef", "default", "bpmnElement", "processRef")
_REF_TEXT_TAGS = {f"{{{BPMN_NS}}}{t}" for t in ("flowNodeRef", "incoming", "outgoing")}


def _parser() -> etree.XMLParser:
    # resolve_entities/load_dtd off defeats XXE; no_network stops external fetches;
    # huge_tree off keeps libxml2's own limits against entity expansion.
    return etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, dtd_validation=False,
        huge_tree=False, remove_comments=True, remove_pis=True,
    )


def load_xml(data: bytes | str) -> etree._ElementTree:
    """Parse BPMN text into an lxml tree, refusing DTDs and entities outright."""
    if isinstance(data, str):
        # Text is handed to libxml2 as UTF-8, whatever encoding its declaration once named.
        data = _DECLARED_ENCODING.sub(r"\1UTF-8\2", data.lstrip("\ufeff"), count=1)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_BPMN_BYTES:
        raise ModelInvalid([problem("file_too_large", None, limit_mb=MAX_BPMN_BYTES // 1024 // 1024)])
    # A BPMN file has no business declaring a DTD: refusing it is simpler and safer than
    # trying to neutralise entity tricks (XXE, billion laughs) one by one.
    lowered = raw.lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise ModelInvalid([problem("dtd_not_allowed")])
    try:
        root = etree.fromstring(raw, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise ModelInvalid([problem("malformed_xml", None, detail=str(exc))]) from None
    if root.getroottree().docinfo.doctype:
        # Reached only by encodings the byte check above cannot read (UTF-16, UTF-32).
        raise ModelInvalid([problem("dtd_not_allowed")])
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise ModelInvalid([problem("not_bpmn", None, root=etree.QName(root).localname)])
    elements = sum(1 for _ in root.iter())
    identified = len(root.xpath("//*[@id]"))
    if elements > MAX_BPMN_ELEMENTS or identified > MAX_BPMN_IDS:
        raise ModelInvalid([problem("too_many_elements", None, limit=MAX_BPMN_IDS)])
    return etree.ElementTree(root)


def rename_reserved_ids(tree: etree._ElementTree) -> dict[str, str]:
    """Rename element ids that collide with SpiffWorkflow's internal names; return new → original."""
    root = tree.getroot()
    process_ids = {p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")}
    reserved = set(RESERVED_IDS) | {f"{pid}.EndJoin" for pid in process_ids}
    clashing = {ident for el in root.iter() if isinstance(el.tag, str) and (ident := el.get("id", "")) in reserved}
    if not clashing:
        return {}
    mapping = {old: old + RENAMED_SUFFIX for old in clashing}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if (ident := el.get("id", "")) in mapping:
            el.set("id", mapping[ident])
        for attr in _REF_ATTRIBUTES:
            if (ref := el.get(attr, "")) in mapping:
                el.set(attr, mapping[ref])
        if el.tag in _REF_TEXT_TAGS and el.text and el.text.strip() in mapping:
            el.text = mapping[el.text.strip()]
    return {new: old for old, new in mapping.items()}
