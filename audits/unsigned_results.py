"""Results issued without a valid digital signature, for the annual report (issue 16).

An electronic result is valid only with the issuing authority's digital signature (Nghị định 45/2020/NĐ-CP
art. 19). The report lists the dossiers of the year whose result was issued electronically (a file attached
when or after the answer) but not through a step that signs the result (processes/signed_results.py): the
quality manager sees which procedures still issue unsigned files and which dossiers to check.
"""

from __future__ import annotations

from collections import Counter

from processes.records import DossierFact, Span

LISTED = 60  # dossier codes named in the text; the table counts them all


def _in(span: Span, instant) -> bool:
    return instant is not None and span.first_instant <= instant < span.end_instant


def unsigned_results(facts: list[DossierFact], period: Span) -> list[DossierFact]:
    """Public dossiers answered in the period with an electronic result that no signing step vouches for."""
    return [f for f in facts if f.public and _in(period, f.done_at) and f.e_result and not f.signed_result]


def unsigned_section(found: list[DossierFact]) -> tuple[list[str], tuple[str, ...], list[tuple[str, ...]]]:
    """The section's paragraphs, table columns and rows (one row per procedure)."""
    if not found:
        return ["Mọi kết quả giải quyết điện tử trong năm đều được ký số hợp lệ tại bước ký kết quả của quy trình."], \
            (), []
    codes = [f.code for f in found]
    named = ", ".join(codes[:LISTED]) + (f" và {len(codes) - LISTED} hồ sơ khác" if len(codes) > LISTED else "")
    paragraphs = [
        "Kết quả điện tử chỉ có giá trị khi có chữ ký số của cơ quan giải quyết (Nghị định 45/2020/NĐ-CP, Điều 19). "
        "Các hồ sơ dưới đây có tệp kết quả đính kèm khi hoặc sau khi trả kết quả nhưng không qua bước ký số kết quả "
        "của quy trình, nên không được tính vào tiêu chí 6.1 của Bộ chỉ số (Quyết định 766/QĐ-TTg).",
        f"{len(codes)} hồ sơ: {named}."]
    by_procedure = Counter((f.procedure, f.procedure_name) for f in found)
    rows: list[tuple[str, ...]] = [(code, name, str(n)) for (code, name), n in sorted(by_procedure.items())]
    columns: tuple[str, ...] = ("Mã quy trình", "Tên thủ tục", "Số hồ sơ")
    return paragraphs, columns, rows
