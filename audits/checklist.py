"""The internal-audit checklist of a procedure: its steps as deployed, plus the ISO 9001:2015 clauses an
auditor checks on every procedure (current version, records, deadlines, apologies, satisfaction, CAPA)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from documents.vn import duration_vn
from engine.model import read_process
from engine.xml import BPMN_NS, load_xml
from processes import catalog

_BEFORE = (
    ("4.4", "Quy trình {code} «{name}» đang áp dụng là phiên bản có hiệu lực (phiên bản {version}); các hồ sơ "
            "trong kỳ được xử lý theo phiên bản đã phê duyệt."),
    ("8.2.2", "Thành phần hồ sơ, thời hạn giải quyết ({deadline}) và căn cứ pháp lý ghi trên quy trình khớp với "
              "quyết định công bố thủ tục hành chính hiện hành."),
)
_AFTER = (
    ("8.5.1", "Hồ sơ giải quyết trễ hạn đều có văn bản xin lỗi và hẹn lại ngày trả kết quả (Nghị định 61/2018/NĐ-CP, "
              "Điều 20)."),
    ("8.7", "Hồ sơ yêu cầu bổ sung hoặc từ chối đều có văn bản nêu rõ nội dung, lý do; không yêu cầu bổ sung quá "
            "một lần."),
    ("7.5.3", "Hồ sơ, sổ theo dõi được lưu đầy đủ, truy xuất được; nhật ký sự kiện của các hồ sơ mẫu toàn vẹn "
              "(kiểm tra chuỗi băm)."),
    ("9.1.2", "Ý kiến đánh giá mức độ hài lòng của tổ chức, cá nhân được thu thập và xem xét."),
    ("10.2", "Sự không phù hợp phát hiện ở kỳ đánh giá trước đã được khắc phục và đánh giá hiệu lực."),
)


def checklist_items(conn: Connection, code: str) -> list[dict[str, Any]]:
    """Checklist rows (item_no, clause, element_id, question) for the active version of a procedure."""
    definition = catalog.active_definition(conn, code)
    bpmn_xml, props = catalog.definition_source(conn, definition.id)
    process = next(p for p in load_xml(bpmn_xml).getroot().iter(f"{{{BPMN_NS}}}process")
                   if p.get("id") == definition.process_id)
    info, _ = read_process(process, {})
    fill = {"code": code, "name": definition.name, "version": definition.version,
            "deadline": _deadline_text(props.get("deadline"))}
    items: list[tuple[str, str | None, str]] = [(c, None, q.format(**fill)) for c, q in _BEFORE]
    for sid, step in info.steps.items():
        # Auditors read the lane ("Chuyên viên Phòng Kinh tế – Hạ tầng"), not the role code behind it.
        roles = step.lane or ", ".join(step.roles) or "người được giao"
        limit = (f"trong thời hạn {duration_vn(step.due)}" if step.due
                 else "không có thời hạn riêng (thời gian tạm dừng)")
        items.append(("8.5.1", sid, f"Bước «{step.name}» do {roles} thực hiện, {limit}; có kết quả, biểu mẫu "
                                    "lưu theo quy định."))
    items.extend((c, None, q) for c, q in _AFTER)
    return [{"item_no": i + 1, "clause": c, "element_id": e, "question": q} for i, (c, e, q) in enumerate(items)]


def _deadline_text(deadline: str | None) -> str:
    if not deadline:
        return "không quy định"
    if deadline == "same_day":
        return "trong ngày"
    return f"{deadline.removeprefix('P').removesuffix('D')} ngày làm việc" if deadline.endswith("D") else deadline
