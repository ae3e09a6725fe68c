"""BPMN text the catalog writes itself: a first draft to draw on, and a code added to an uploaded file."""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr

from lxml import etree

from engine.xml import BPMN_NS, CAMUNDA_NS, NSMAP, load_xml

_SKELETON = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" \
id="Definitions_{pid}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="quytrinh" exporterVersion="1">
  <bpmn:collaboration id="Collaboration_{pid}">
    <bpmn:participant id="Participant_{pid}" name={name} processRef="{pid}" />
  </bpmn:collaboration>
  <bpmn:process id="{pid}" name={name} isExecutable="true">
    <bpmn:extensionElements>
      <camunda:properties>
{props}
      </camunda:properties>
    </bpmn:extensionElements>
    <bpmn:laneSet id="LaneSet_{pid}">
      <bpmn:lane id="Lane_MotCua" name="Bộ phận một cửa">
        <bpmn:extensionElements>
          <camunda:properties>
            <camunda:property name="role" value="mot_cua" />
          </camunda:properties>
        </bpmn:extensionElements>
        <bpmn:flowNodeRef>Start_{pid}</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_TiepNhan</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>End_{pid}</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Start_{pid}" name="Nhận hồ sơ">
      <bpmn:outgoing>Flow_Start_TiepNhan</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Task_TiepNhan" name="Tiếp nhận hồ sơ" camunda:dueDate="P0.5D">
      <bpmn:incoming>Flow_Start_TiepNhan</bpmn:incoming>
      <bpmn:outgoing>Flow_TiepNhan_End</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="End_{pid}" name="Hoàn thành">
      <bpmn:incoming>Flow_TiepNhan_End</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_Start_TiepNhan" sourceRef="Start_{pid}" targetRef="Task_TiepNhan" />
    <bpmn:sequenceFlow id="Flow_TiepNhan_End" sourceRef="Task_TiepNhan" targetRef="End_{pid}" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_{pid}">
    <bpmndi:BPMNPlane id="BPMNPlane_{pid}" bpmnElement="Collaboration_{pid}">
      <bpmndi:BPMNShape id="Participant_{pid}_di" bpmnElement="Participant_{pid}" isHorizontal="true">
        <dc:Bounds x="160" y="80" width="600" height="180" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_MotCua_di" bpmnElement="Lane_MotCua" isHorizontal="true">
        <dc:Bounds x="190" y="80" width="570" height="180" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Start_{pid}_di" bpmnElement="Start_{pid}">
        <dc:Bounds x="242" y="152" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_TiepNhan_di" bpmnElement="Task_TiepNhan">
        <dc:Bounds x="340" y="130" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="End_{pid}_di" bpmnElement="End_{pid}">
        <dc:Bounds x="512" y="152" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_Start_TiepNhan_di" bpmnElement="Flow_Start_TiepNhan">
        <di:waypoint x="278" y="170" />
        <di:waypoint x="340" y="170" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_TiepNhan_End_di" bpmnElement="Flow_TiepNhan_End">
        <di:waypoint x="440" y="170" />
        <di:waypoint x="512" y="170" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def process_id_for(code: str) -> str:
    """A BPMN process id made from a procedure code (QT-XD-01 → QT_XD_01)."""
    pid = re.sub(r"[^A-Za-z0-9_]", "_", code)
    return pid if re.match(r"[A-Za-z_]", pid) else f"P_{pid}"


def skeleton_bpmn(code: str, name: str, field: str = "", level: str = "", deadline: str = "",
                  legal_basis: str = "") -> str:
    """A first draft: start → one reception step (one-stop counter, half a day) → end, with the properties."""
    props = [("code", code), ("deadline", deadline), ("field", field), ("level", level), ("legal_basis", legal_basis)]
    lines = "\n".join(f"        <camunda:property name=\"{k}\" value={quoteattr(v)} />" for k, v in props if v)
    return _SKELETON.format(pid=process_id_for(code), name=quoteattr(name), props=lines)


def with_code(xml: str, code: str) -> str:
    """The BPMN text with camunda:property code = `code` added to its executable process."""
    return with_properties(xml, {"code": code})


def with_properties(xml: str, values: dict[str, str]) -> str:
    """The BPMN text with these camunda:properties added to (or replaced on) its executable process."""
    tree = load_xml(xml)
    process = next((p for p in tree.getroot().iter(f"{{{BPMN_NS}}}process")
                    if p.get("isExecutable", "true").lower() != "false"), None)
    if process is None:
        return xml
    ext = process.find(f"{{{BPMN_NS}}}extensionElements")
    if ext is None:
        ext = etree.Element(f"{{{BPMN_NS}}}extensionElements")
        docs = process.findall(f"{{{BPMN_NS}}}documentation")
        process.insert(len(docs), ext)
    props = ext.find(f"{{{CAMUNDA_NS}}}properties")
    if props is None:
        props = etree.SubElement(ext, f"{{{CAMUNDA_NS}}}properties", nsmap={"camunda": NSMAP["camunda"]})
    for name, value in values.items():
        for old in props.findall(f"{{{CAMUNDA_NS}}}property[@name='{name}']"):
            props.remove(old)
        prop = etree.SubElement(props, f"{{{CAMUNDA_NS}}}property")
        prop.set("name", name)
        prop.set("value", value)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8").decode("utf-8")
