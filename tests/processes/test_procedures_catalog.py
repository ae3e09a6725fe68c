"""The procedure catalog: adopting deployed procedures, uploads, metadata, the master list, round trips."""

from __future__ import annotations

import shutil

import pytest
from lxml import etree

from engine.parsing import compile_procedure
from engine.xml import CAMUNDA_NS
from processes import procedures, version_views, versions
from processes.errors import ConflictError, InvalidInput, PermissionDenied
from processes.handlers import registered
from processes.lint import main_process
from tests.conftest import BPMN_DIR, EXTERNAL
from tests.processes.conftest import BPMN, CODE
from tests.processes.quality_helpers import ISO, RESTRUCTURED, approve, catalog_with_test_procedure

CAMUNDA_EXAMPLES = sorted((EXTERNAL / "camunda").rglob("*.bpmn"))
OUR_FILES = sorted(BPMN_DIR.glob("*.bpmn"))


def test_deployed_procedures_come_under_document_control_once(org, clock, deployed):
    for path in OUR_FILES:
        deployed(path)
    assert procedures.adopt_deployed(org, clock) == 0  # each deploy adopted its procedure (issue 12, defect 7)
    rows = {r["code"]: r for r in procedures.list_catalog(org)}
    assert set(rows) == {p.stem for p in OUR_FILES}
    xd = rows["QT-XD-01"]
    assert (xd["version"], xd["issue_number"], xd["status"], xd["deadline"]) == (1, 1, "effective", "P15D")
    assert procedures.get_procedure(org, "QT-XD-01")["legal_basis"].startswith("Luật Xây dựng")


def test_a_version_deployed_outside_the_catalog_becomes_the_next_issue(org, clock, deployed):
    catalog_with_test_procedure(org, clock, deployed)
    deployed(BPMN.replace('camunda:dueDate="P3D"', 'camunda:dueDate="P2D"'))
    assert procedures.adopt_deployed(org, clock) == 0  # the deploy adopted it
    listed = versions.list_versions(org, CODE)
    assert [(v["version"], v["issue_number"], v["status"], v["obsolete"]) for v in listed] == [
        (1, 1, "superseded", True), (2, 2, "effective", False)]
    row = procedures.list_catalog(org)[-1]
    assert (row["code"], row["issue_number"], row["obsolete_versions"]) == (CODE, 2, [1])


def test_a_camunda_modeler_file_without_a_code_is_uploaded_under_the_code_given(org, clock):
    path = EXTERNAL / "camunda" / "camunda-bpm-examples" / "TwitterDemoProcess.bpmn"
    created = procedures.create_from_bpmn(org, clock, ISO, path.read_bytes(), "EX-TWEET")
    assert (created["code"], created["version"], created["status"]) == ("EX-TWEET", 1, "draft")
    assert {p["code"] for p in created["problems"]} >= {"missing_deadline", "missing_time_limit"}
    saved = versions.version_xml(org, "EX-TWEET", 1)
    assert '<camunda:property name="code" value="EX-TWEET"/>' in saved
    assert main_process(saved).code == "EX-TWEET"
    with pytest.raises(ConflictError):
        procedures.create_from_bpmn(org, clock, ISO, saved)
    with pytest.raises(InvalidInput):
        procedures.create_from_bpmn(org, clock, ISO, BPMN, "QT-OTHER-01")
    with pytest.raises(PermissionDenied):
        procedures.create_from_bpmn(org, clock, "motcua", BPMN)


def test_a_new_procedure_from_its_name_is_a_clean_first_draft(org, clock):
    created = procedures.create_blank(org, clock, ISO, "QT-MOI-01", "Quy trình mới", "Hành chính", "huyen", "P5D")
    assert [p for p in created["problems"] if p["severity"] == "error"] == []
    xml = versions.version_xml(org, "QT-MOI-01", 1)
    procedure = compile_procedure(xml, registered())
    assert (procedure.code, procedure.name, procedure.info.deadline) == ("QT-MOI-01", "Quy trình mới", "P5D")
    with pytest.raises(InvalidInput):
        procedures.create_blank(org, clock, ISO, "mã có dấu", "Tên")


def test_metadata_the_bpmn_does_not_carry(org, clock, deployed):
    catalog_with_test_procedure(org, clock, deployed)
    records = [{"record": "Sổ theo dõi hồ sơ", "where": "Bộ phận một cửa", "retention": "5 năm"}]
    procedures.update_metadata(org, clock, ISO, CODE, {
        "scope": "Áp dụng tại UBND huyện", "purpose": "Thống nhất trình tự", "reference_docs": ["Luật A"],
        "terms": [{"term": "TTHC", "meaning": "Thủ tục hành chính"}], "records": records})
    meta = procedures.get_procedure(org, CODE)
    assert (meta["scope"], meta["reference_docs"], meta["records"]) == ("Áp dụng tại UBND huyện", ["Luật A"], records)
    with pytest.raises(InvalidInput):
        procedures.update_metadata(org, clock, ISO, CODE, {"records": "không phải danh sách"})
    with pytest.raises(PermissionDenied):
        procedures.update_metadata(org, clock, "pct", CODE, {"scope": "x"})


def test_document_metadata_and_revision_table_after_a_new_issue(org, clock, deployed):
    catalog_with_test_procedure(org, clock, deployed)
    versions.save_draft(org, clock, ISO, CODE, RESTRUCTURED, "Bỏ bước phê duyệt, thêm bước kiểm tra, ký")
    draft = version_views.document_metadata(org, CODE, 2)
    assert (draft["issue_number"], draft["issued"], draft["status"]) == (2, False, "draft")
    approve(org, clock, CODE, 2)
    meta = version_views.document_metadata(org, CODE)
    assert (meta["version"], meta["issue_number"], meta["status"]) == (2, 2, "effective")
    assert meta["approvals"]["drafted"]["name"] == "Trần Thị Thu (Thư ký ISO)"
    assert meta["approvals"]["reviewed"]["title"] == "Lãnh đạo Phòng Nội vụ"
    assert meta["approvals"]["approved"]["name"].startswith("Nguyễn Văn Thành")
    revisions = meta["revisions"]
    assert [r["issue_number"] for r in revisions] == [1, 2]
    assert revisions[1]["content"] == "Bỏ bước phê duyệt, thêm bước kiểm tra, ký"
    assert "Kiểm tra, ký" in revisions[1]["section"] and "Phê duyệt" in revisions[1]["section"]
    rows = version_views.master_list_rows(org)
    assert {(r["code"], r["issue_number"], r["status"]) for r in rows} >= {(CODE, 2, "effective")}


def test_diff_between_versions_and_its_picture(org, clock, deployed):
    catalog_with_test_procedure(org, clock, deployed)
    versions.save_draft(org, clock, ISO, CODE, RESTRUCTURED)
    changes = version_views.diff(org, CODE, 1, 2)
    assert "Task_KiemTra" in changes.added and "Task_PheDuyet" in changes.removed
    assert changes.changed["Task_ThamDinh"] == ["flows"]
    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    left = version_views.diff_svg(org, CODE, 1, 2, "from").decode()
    right = version_views.diff_svg(org, CODE, 1, 2, "to").decode()
    assert "#ffcdd2" in left and "#c8e6c9" in right and "#ffe082" in right
    assert "<svg" in version_views.version_svg(org, CODE, 1).decode()


def _camunda_parts(xml: bytes | str) -> list[bytes]:
    """Every camunda: element (canonical XML) and every camunda: attribute, in document order."""
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    parts = [etree.tostring(el, method="c14n") for el in root.iter(f"{{{CAMUNDA_NS}}}*")]
    for el in root.iter():
        for name, value in el.attrib.items():
            if name.startswith(f"{{{CAMUNDA_NS}}}"):
                parts.append(f"{el.get('id')}@{name}={value}".encode())
    return parts


@pytest.mark.parametrize("path", OUR_FILES + CAMUNDA_EXAMPLES, ids=lambda p: p.name)
def test_every_model_saves_as_a_draft_and_reads_back_with_its_extensions(org, clock, path):
    raw = path.read_bytes()
    code = path.stem if path.parent == BPMN_DIR else f"EX-{path.stem[:50]}"
    saved = versions.save_draft(org, clock, ISO, code, raw, "Nhập từ Camunda Modeler")
    assert saved["status"] == "draft"
    back = versions.version_xml(org, code, saved["version"])
    assert back.encode("utf-8") == raw.removeprefix(b"\xef\xbb\xbf")
    assert _camunda_parts(back) == _camunda_parts(raw)
