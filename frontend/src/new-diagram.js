// The starting point of a new procedure: one pool, one lane, a start event; the process
// properties are filled in through the side panel.
export function newDiagram(processName, laneName, startName) {
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_Moi" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="Collaboration_Moi">
    <bpmn:participant id="Participant_Moi" name="${esc(processName)}" processRef="Process_Moi" />
  </bpmn:collaboration>
  <bpmn:process id="Process_Moi" name="${esc(processName)}" isExecutable="true">
    <bpmn:laneSet id="LaneSet_Moi">
      <bpmn:lane id="Lane_1" name="${esc(laneName)}">
        <bpmn:flowNodeRef>Start_1</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Start_1" name="${esc(startName)}" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_Moi">
    <bpmndi:BPMNPlane id="BPMNPlane_Moi" bpmnElement="Collaboration_Moi">
      <bpmndi:BPMNShape id="Participant_Moi_di" bpmnElement="Participant_Moi" isHorizontal="true">
        <dc:Bounds x="120" y="80" width="900" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_1_di" bpmnElement="Lane_1" isHorizontal="true">
        <dc:Bounds x="150" y="80" width="870" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Start_1_di" bpmnElement="Start_1">
        <dc:Bounds x="202" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
}
