"""Petri nets for conformance checking: places, labelled or silent transitions, markings, PNML."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

# A marking maps place names to (positive) token counts; absent places hold no token.
Marking = dict[str, int]


@dataclass(frozen=True)
class Transition:
    """A transition; `label` is the activity it stands for, None when silent (tau)."""

    name: str
    label: str | None = None
    element_id: str | None = None

    @property
    def silent(self) -> bool:
        """True for a silent (invisible, tau) transition."""
        return self.label is None


@dataclass
class PetriNet:
    """A place/transition net with arc weights and an initial and a final marking."""

    name: str = ""
    places: dict[str, str] = field(default_factory=dict)  # place name -> display name
    transitions: dict[str, Transition] = field(default_factory=dict)
    pre: dict[str, dict[str, int]] = field(default_factory=dict)  # transition -> input place -> weight
    post: dict[str, dict[str, int]] = field(default_factory=dict)  # transition -> output place -> weight
    initial: Marking = field(default_factory=dict)
    final: Marking = field(default_factory=dict)

    def add_place(self, name: str, display: str | None = None) -> str:
        """Add a place (idempotent) and return its name."""
        self.places.setdefault(name, display or name)
        return name

    def add_transition(self, name: str, label: str | None = None, element_id: str | None = None) -> Transition:
        """Add a transition with no arcs yet."""
        if name in self.transitions:
            raise ValueError(f"duplicate transition {name!r}")
        t = Transition(name, label, element_id)
        self.transitions[name] = t
        self.pre[name] = {}
        self.post[name] = {}
        return t

    def add_arc(self, source: str, target: str, weight: int = 1) -> None:
        """Add an arc place→transition or transition→place (weights of parallel arcs add up)."""
        if source in self.places and target in self.transitions:
            self.pre[target][source] = self.pre[target].get(source, 0) + weight
        elif source in self.transitions and target in self.places:
            self.post[source][target] = self.post[source].get(target, 0) + weight
        else:
            raise ValueError(f"arc {source!r} -> {target!r} must join a place and a transition")

    def consumers(self, place: str) -> list[str]:
        """Transitions that take tokens from a place."""
        return [t for t, ins in self.pre.items() if place in ins]

    def producers(self, place: str) -> list[str]:
        """Transitions that put tokens in a place."""
        return [t for t, outs in self.post.items() if place in outs]

    def labels(self) -> set[str]:
        """The activity labels of the visible transitions."""
        return {t.label for t in self.transitions.values() if t.label is not None}

    def is_enabled(self, transition: str, marking: Mapping[str, int]) -> bool:
        """True when every input place holds at least its arc weight."""
        return all(marking.get(p, 0) >= w for p, w in self.pre[transition].items())

    def enabled(self, marking: Mapping[str, int]) -> list[str]:
        """Transitions enabled in a marking, in the net's order."""
        return [t for t in self.transitions if self.is_enabled(t, marking)]

    def fire(self, transition: str, marking: Mapping[str, int]) -> Marking:
        """The marking after firing an (enabled) transition; the input marking is left as is."""
        out = dict(marking)
        for p, w in self.pre[transition].items():
            left = out.get(p, 0) - w
            if left > 0:
                out[p] = left
            else:
                out.pop(p, None)
        for p, w in self.post[transition].items():
            out[p] = out.get(p, 0) + w
        return out


def marking_key(marking: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """A hashable, order-independent form of a marking."""
    return tuple(sorted((p, n) for p, n in marking.items() if n))


def sink_places(net: PetriNet) -> list[str]:
    """Places no transition consumes from (the usual final places)."""
    consumed = {p for ins in net.pre.values() for p in ins}
    return [p for p in net.places if p not in consumed]


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _text_of(el: etree._Element, child: str) -> str | None:
    for c in el:
        if _local(c) == child:
            for t in c:
                if _local(t) == "text" and t.text and t.text.strip():
                    return t.text.strip()
    return None


def _required(el: etree._Element, attr: str) -> str:
    value = el.get(attr)
    if value is None:
        raise ValueError(f"PNML {_local(el)} without the {attr!r} attribute")
    return value


def _children(el: etree._Element, name: str) -> Iterable[etree._Element]:
    # Nodes may sit directly in <net> or inside (nested) <page> elements.
    for c in el:
        if _local(c) == name:
            yield c
        elif _local(c) == "page":
            yield from _children(c, name)


def read_pnml(source: str | Path | bytes) -> PetriNet:
    """Read a PNML place/transition net (ProM / pm4py flavour: `$invisible$` marks silent transitions)."""
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, remove_comments=True)
    root = etree.fromstring(raw, parser=parser)
    net_el: etree._Element = next((c for c in root if _local(c) == "net"), root)
    net = PetriNet(name=_text_of(net_el, "name") or net_el.get("id") or "")
    for el in _children(net_el, "place"):
        pid = _required(el, "id")
        net.add_place(pid, _text_of(el, "name"))
        tokens = int(_text_of(el, "initialMarking") or 0)
        if tokens > 0:
            net.initial[pid] = tokens
    for el in _children(net_el, "transition"):
        tid = _required(el, "id")
        name = _text_of(el, "name") or tid
        invisible = any(_local(c) == "toolspecific" and "invisible" in (c.get("activity") or "") for c in el)
        net.add_transition(tid, None if invisible else name)
    for el in _children(net_el, "arc"):
        weight = int(_text_of(el, "inscription") or 1)
        net.add_arc(_required(el, "source"), _required(el, "target"), weight)
    finals = [c for c in net_el if _local(c) == "finalmarkings"]
    if finals:
        for place in finals[0].iter("{*}place"):
            text = next((t.text for t in place if _local(t) == "text"), "0") or "0"
            if int(text) > 0:
                net.final[_required(place, "idref")] = int(text)
    else:
        # Without an explicit final marking, a workflow net ends with one token in each sink.
        net.final = {p: 1 for p in sink_places(net)}
    return net
