"""BPMN → workflow net: quytrinh's procedures give sound nets; each construct maps as documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from audits.alignments import Aligner
from audits.bpmn_to_petri import translate
from audits.statespace import StateSpace
from engine.errors import ModelInvalid

ROOT = Path(__file__).resolve().parents[2]
PROCEDURES = sorted((ROOT / "bpmn").glob("*.bpmn"))


def bpmn(body: str) -> bytes:
    """A one-process BPMN document around some flow elements."""
    return (f'<?xml version="1.0"?><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
            f'<process id="p" name="P">{body}</process></definitions>').encode()


def flows(*pairs: str) -> str:
    """Sequence flows from 'a>b' pairs, ids f_a_b."""
    return "".join(f'<sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}"/>'
                   for a, b in (p.split(">") for p in pairs))


def accepts(translation, *traces: list[str]) -> list[bool]:
    aligner = Aligner(translation.net)
    return [aligner.align(t).fits for t in traces]


@pytest.mark.parametrize("path", PROCEDURES, ids=[p.stem for p in PROCEDURES])
def test_every_procedure_translates_to_a_sound_workflow_net(path):
    t = translate(path.read_bytes(), label_by="id")
    assert t.unsupported == []
    net = t.net
    assert net.initial == {"source": 1} and net.final == {"sink": 1}
    assert set(t.activities) == t.labels  # labelled by element id
    space = StateSpace(net)
    assert space.complete
    # Option to complete, proper completion, no dead transitions.
    assert all(d is not None for d in space.distance), "some reachable marking cannot finish"
    dead_ends = [m for n, m in enumerate(space.markings) if not space.successors(n)]
    assert dead_ends == [net.final]
    fired = {edge[0] for n in range(len(space.markings)) for edge in space.successors(n)}
    assert fired == set(net.transitions)


def test_qt_xd_01_structure(xd01_xml):
    t = translate(xd01_xml, label_by="id")
    assert t.process_id == "QT_XD_01" and t.process_name == "Cấp giấy phép xây dựng nhà ở riêng lẻ"
    assert len(t.activities) == 9
    # Thẩm định is entered from reception, after a supplement and when sent back: an XOR merge.
    assert t.net.pre["Task_ThamDinh"] == {"Task_ThamDinh.in": 1}
    assert len(t.net.producers("Task_ThamDinh.in")) == 3
    by_name = translate(xd01_xml)
    assert "Ký giấy phép xây dựng" in by_name.labels
    assert accepts(t, ["Task_TiepNhan", "Task_ThamDinh", "Task_XemXet", "Task_ThamDinh", "Task_XemXet",
                       "Task_KyGiayPhep", "Task_VaoSoDongDau", "Task_TraKetQua"]) == [True]


def test_exclusive_and_parallel_gateways_and_loops():
    t = translate(bpmn(
        '<startEvent id="s"/><task id="a" name="A"/><exclusiveGateway id="x"/><task id="b" name="B"/>'
        '<task id="c" name="C"/><exclusiveGateway id="m"/><parallelGateway id="and1"/><task id="d" name="D"/>'
        '<task id="e" name="E"/><parallelGateway id="and2"/><exclusiveGateway id="again"/><endEvent id="end"/>'
        + flows("s>a", "a>x", "x>b", "x>c", "b>m", "c>m", "m>and1", "and1>d", "and1>e", "d>and2", "e>and2",
                "and2>again", "again>a", "again>end")))
    assert t.unsupported == [] and t.labels == {"A", "B", "C", "D", "E"}
    assert accepts(t, ["A", "B", "D", "E"], ["A", "C", "E", "D"], ["A", "B", "D", "E", "A", "C", "E", "D"],
                   ["A", "B", "C", "D", "E"], ["A", "B", "D"]) == [True, True, True, False, False]


def test_implicit_merge_and_split_at_tasks_and_unnamed_tasks():
    t = translate(bpmn(
        '<startEvent id="s"/><task id="a"/><task id="b" name="B"/><task id="c" name="C"/><parallelGateway id="j"/>'
        '<exclusiveGateway id="x"/><task id="f" name="F"/><task id="g" name="G"/><task id="h" name="H"/>'
        '<endEvent id="e"/>' + flows("s>a", "a>b", "a>c", "b>j", "c>j", "j>x", "x>f", "x>g", "f>h", "g>h", "h>e")))
    # a has no name: labelled by its id. Two flows out of a task run in parallel; two into h merge.
    assert t.labels == {"a", "B", "C", "F", "G", "H"}
    assert accepts(t, ["a", "B", "C", "F", "H"], ["a", "C", "B", "G", "H"], ["a", "B", "F", "H"]) == [True, True, False]


def test_embedded_subprocess_is_expanded():
    t = translate(bpmn(
        '<startEvent id="s"/><subProcess id="sub"><startEvent id="s2"/><task id="x" name="X"/>'
        '<task id="y" name="Y"/><endEvent id="e2"/>' + flows("s2>x", "x>y", "y>e2") + '</subProcess>'
        '<task id="z" name="Z"/><endEvent id="e"/>' + flows("s>sub", "sub>z", "z>e")))
    assert t.unsupported == [] and t.labels == {"X", "Y", "Z"}
    assert accepts(t, ["X", "Y", "Z"], ["X", "Z"]) == [True, False]


def test_interrupting_boundary_event_takes_the_task_s_place():
    t = translate(bpmn(
        '<startEvent id="s"/><task id="a" name="A"/><boundaryEvent id="late" attachedToRef="a">'
        '<timerEventDefinition/></boundaryEvent><task id="esc" name="Escalate"/><task id="b" name="B"/>'
        '<endEvent id="e"/><endEvent id="e2"/>' + flows("s>a", "a>b", "b>e", "late>esc", "esc>e2")))
    assert t.unsupported == []
    assert accepts(t, ["A", "B"], ["Escalate"], ["A", "Escalate"]) == [True, True, False]


def test_unsupported_constructs_are_reported():
    t = translate(bpmn(
        '<startEvent id="s"/><task id="a" name="A"/><boundaryEvent id="n" attachedToRef="a" cancelActivity="false">'
        '<timerEventDefinition/></boundaryEvent><task id="remind" name="Remind"/><inclusiveGateway id="o"/>'
        '<task id="b" name="B"><standardLoopCharacteristics/></task><endEvent id="e">'
        '<terminateEventDefinition/></endEvent><endEvent id="e2"/>'
        + flows("s>a", "a>o", "o>b", "b>e", "n>remind", "remind>e2")))
    notes = "\n".join(t.unsupported)
    for expected in ("boundaryEvent n: non-interrupting", "inclusiveGateway o", "task b: loop",
                     "endEvent e: terminate"):
        assert expected in notes
    assert accepts(t, ["A", "B"]) == [True]


def test_a_multi_instance_activity_repeats_in_a_row():
    t = translate(bpmn('<startEvent id="s"/><task id="a" name="A"><multiInstanceLoopCharacteristics '
                       'isSequential="false"/></task><task id="b" name="B"/><endEvent id="e"/>'
                       + flows("s>a", "a>b", "b>e")))
    assert t.unsupported == []
    assert accepts(t, ["A", "B"], ["A", "A", "A", "B"], ["B"], ["A", "B", "A"]) == [True, True, False, False]


def test_process_selection_and_bad_input():
    doc = (b'<?xml version="1.0"?><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
           b'<process id="empty"/><process id="real"><startEvent id="s"/><task id="a" name="A"/><endEvent id="e"/>'
           + flows("s>a", "a>e").encode() + b'</process></definitions>')
    assert translate(doc).process_id == "real"
    with pytest.raises(ValueError, match="no process 'nope'"):
        translate(doc, process_id="nope")
    with pytest.raises(ValueError, match="label_by"):
        translate(doc, label_by="colour")
    with pytest.raises(ModelInvalid):
        translate(b'<!DOCTYPE x [<!ENTITY e "boom">]><definitions/>')
