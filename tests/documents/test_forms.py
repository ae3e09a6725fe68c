"""Statutory one-stop forms: PDF and DOCX from the same template, text checked by extraction."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from documents import (
    DOSSIER_FORMS,
    build_tracking_book,
    lookup_url,
    render_form,
    render_tracking_book,
    template_for,
    template_versions,
    vn,
)
from documents import templates as template_module
from documents.templates import compose, fill
from tests.documents.sample import (
    BASE_URL,
    at,
    docx_text,
    in_order,
    pdf_pages,
    pdf_text,
    sample_dossier,
)

TITLES = {
    "receipt": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "supplement_request": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "refusal": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "apology": "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
    "stop_notice": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
    "control_sheet": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
}
ON = dt.date(2026, 1, 5)


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], bytes]:
    """Every form rendered once in both formats for the sample dossier, dated 5 January 2026."""
    dossier = sample_dossier()
    return {(form, fmt): render_form(form, dossier, fmt, base_url=BASE_URL, on_date=ON)
            for form in DOSSIER_FORMS for fmt in ("pdf", "docx")}


@pytest.mark.parametrize("form", DOSSIER_FORMS)
def test_pdf_carries_code_names_and_dates(rendered, form):
    text = pdf_text(rendered[(form, "pdf")])
    assert TITLES[form] in text
    assert "H01-260105-0001" in text
    assert "Nguyễn Văn Ánh" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    if form != "control_sheet":
        assert "Đông Anh, ngày 05 tháng 01 năm 2026" in text


@pytest.mark.parametrize("form", DOSSIER_FORMS)
def test_docx_has_the_same_content(rendered, form):
    text = docx_text(rendered[(form, "docx")])
    assert TITLES[form] in text
    assert "H01-260105-0001" in text and "Nguyễn Văn Ánh" in text
    if form != "control_sheet":
        assert "Đông Anh, ngày 05 tháng 01 năm 2026" in text


def test_receipt_is_one_a5_page_with_dates_documents_and_officer(rendered):
    pages = pdf_pages(rendered[("receipt", "pdf")])
    assert len(pages) == 1
    width, height = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (148, 210)
    text = pdf_text(rendered[("receipt", "pdf")])
    assert "Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 05/01/2026" in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 15 phút, ngày 26/01/2026" in text
    assert "15 ngày làm việc" in text
    for name in ("Đơn đề nghị cấp giấy phép xây dựng", "Bản sao có chứng thực", "Phạm Thị Hường"):
        assert name in text
    assert "Số lượng hồ sơ: 2 (bộ)" in text


def test_receipt_qr_code_decodes_to_the_lookup_url(rendered):
    url = lookup_url(BASE_URL, "H01-260105-0001")
    assert url == "https://dichvucong.donganh.gov.vn/tra-cuu?ma=H01-260105-0001"
    pdf = rendered[("receipt", "pdf")]
    assert url in pdf_text(pdf)  # printed as text too
    images = pdf_pages(pdf)[0].images
    assert len(images) == 1
    zxingcpp = pytest.importorskip("zxingcpp")
    decoded = [b.text for b in zxingcpp.read_barcodes(images[0].image)]
    assert decoded == [url]


def test_receipt_docx_embeds_the_qr_image(rendered):
    from docx import Document as open_docx

    doc = open_docx(io.BytesIO(rendered[("receipt", "docx")]))
    assert len(doc.inline_shapes) == 1
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (148, 210)


def test_supplement_refusal_and_stop_list_the_reasons(rendered):
    for form in ("supplement_request", "refusal", "stop_notice"):
        text = pdf_text(rendered[(form, "pdf")])
        assert "1. Bổ sung bản vẽ mặt bằng móng tỷ lệ 1/100" in text
        assert "2. Bổ sung cam kết bảo đảm an toàn công trình liền kề" in text


def test_apology_states_old_and_new_dates_and_the_reason(rendered):
    text = pdf_text(rendered[("apology", "pdf")])
    assert "09 giờ 15 phút, ngày 26/01/2026" in text
    assert "16 giờ 00 phút, ngày 29/01/2026" in text
    assert "Cần lấy ý kiến cơ quan quản lý di tích" in text
    assert "TM. ỦY BAN NHÂN DÂN HUYỆN ĐÔNG ANH" in text and "Đỗ Minh Khôi" in text


def test_control_sheet_lists_each_handover_with_its_result(rendered):
    text = pdf_text(rendered[("control_sheet", "pdf")])
    in_order(text, ["Giao: Bộ phận một cửa", "Nhận: Phòng Kinh tế – Hạ tầng", "10 giờ 30 phút, ngày 05/01/2026",
                    "Phạm Thị Hường", "Lê Quốc Việt", "Đúng hạn",
                    "Giao: Phòng Kinh tế – Hạ tầng", "15 giờ 00 phút, ngày 14/01/2026", "Trước hạn",
                    "Giao: Lãnh đạo Phòng Kinh tế – Hạ tầng", "Nhận: Lãnh đạo UBND huyện", "Quá hạn"])
    assert text.count("Giao:") == 3  # the open signing step has not handed over yet


def test_tracking_book_is_landscape_and_lists_dossiers_in_the_range():
    first = sample_dossier()
    second = sample_dossier(code="H01-260106-0002", applicant_name="Phạm Thị Hường", received_at=at(6, 14, 5),
                            done_at=at(19, 16, 45),
                            appointment_at=at(27, 14, 5), returned_at=at(20, 10), result="early")
    outside = sample_dossier(code="H01-260301-0009", received_at=at(1, 8, month=3))
    pdf = render_tracking_book([second, outside, first], dt.date(2026, 1, 1), dt.date(2026, 1, 31),
                               agency="Ủy ban nhân dân huyện Đông Anh")
    page = pdf_pages(pdf)[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    text = pdf_text(pdf)
    in_order(text, ["SỔ THEO DÕI HỒ SƠ", "Từ ngày 01/01/2026 đến ngày 31/01/2026",
                    "H01-260105-0001", "Nguyễn Văn Ánh", "09 giờ 15 phút, ngày 05/01/2026",
                    "H01-260106-0002", "Phạm Thị Hường", "14 giờ 05 phút, ngày 06/01/2026",
                    "16 giờ 45 phút, ngày 19/01/2026", "10 giờ 00 phút, ngày 20/01/2026", "Trước hạn"])
    assert "……" not in text  # cells without a value stay blank in the book
    assert "H01-260301-0009" not in text
    assert "Tổng số hồ sơ trong kỳ: 2." in text
    docx = render_tracking_book([first], dt.date(2026, 1, 1), dt.date(2026, 1, 31), fmt="docx")
    assert "H01-260105-0001" in docx_text(docx)
    book = build_tracking_book([first], dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert book.landscape and book.page_size == "A4"


@pytest.mark.parametrize("form", [*DOSSIER_FORMS, "tracking_book"])
def test_template_versions_switch_at_the_cutover(form):
    versions = template_versions(form)
    assert [v.effective_from for v in versions] == [dt.date(2019, 1, 7), dt.date(2025, 9, 15)]
    assert template_for(form, dt.date(2025, 9, 14)).legal_basis == "Thông tư 01/2018/TT-VPCP"
    assert template_for(form, dt.date(2025, 9, 15)).legal_basis == "Thông tư 03/2025/TT-VPCP"
    assert template_for(form, dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)).legal_basis == "Thông tư 03/2025/TT-VPCP"
    with pytest.raises(LookupError):
        template_for(form, dt.date(2018, 12, 31))


def test_the_form_version_follows_the_document_date():
    dossier = sample_dossier()
    old = pdf_text(render_form("apology", dossier, on_date=dt.date(2025, 6, 2)))
    new = pdf_text(render_form("apology", dossier, on_date=dt.date(2026, 1, 5)))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in old and "ngày 02 tháng 06 năm 2025" in old
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in new
    control_old = pdf_text(render_form("control_sheet", dossier, on_date=dt.date(2024, 3, 1)))
    assert control_old.startswith("Mẫu số 05")
    assert pdf_text(render_form("control_sheet", dossier, on_date=ON)).startswith("Mẫu số 06")


def test_a_receipt_takes_the_version_in_force_on_its_reception_date():
    old = sample_dossier(received_at=at(3, 8, month=6, year=2025))
    assert "Vào sổ theo dõi hồ sơ" in pdf_text(render_form("receipt", old, base_url=BASE_URL))
    assert "Vào sổ theo dõi hồ sơ" not in pdf_text(render_form("receipt", sample_dossier(), base_url=BASE_URL))


def test_an_agency_may_add_its_own_template_version(tmp_path, monkeypatch):
    folder = tmp_path / "refusal"
    folder.mkdir()
    spec = json.loads(template_for("refusal", ON).path.read_text(encoding="utf-8"))
    spec["title"] = "PHIẾU TỪ CHỐI (MẪU RIÊNG CỦA TỈNH)"
    (folder / "2026-01-01.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("QUYTRINH_TEMPLATE_DIR", str(tmp_path))
    assert template_for("refusal", dt.date(2025, 12, 31)).effective_from == dt.date(2025, 9, 15)
    chosen = template_for("refusal", ON)
    assert chosen.path.parent == folder
    assert "MẪU RIÊNG CỦA TỈNH" in pdf_text(render_form("refusal", sample_dossier(), on_date=ON))
    monkeypatch.delenv("QUYTRINH_TEMPLATE_DIR")
    assert template_module.template_for("refusal", ON).path.parent != folder


def test_placeholders_and_missing_values():
    context = {"a": {"b": "Ánh"}, "when": dt.datetime(2026, 1, 5, 2, 15, tzinfo=dt.UTC), "empty": ""}
    assert fill("{a.b} – {when|datetime} – {when|long_date}", context) == \
        "Ánh – 09 giờ 15 phút, ngày 05/01/2026 – ngày 05 tháng 01 năm 2026"
    assert fill("[{missing}] [{empty|blank}]", context) == "[……………] []"
    assert fill("{a.__class__}", context) == "……………"  # no attribute access on values
    doc = compose(template_for("refusal", ON), {"code": "X-1"})
    assert doc.page_size == "A4" and not doc.landscape


@pytest.mark.parametrize(("iso", "text"), [
    ("P0.5D", "0,5 ngày làm việc"), ("PT4H", "4 giờ làm việc"), ("P9D", "9 ngày làm việc"),
    ("PT30M", "30 phút làm việc"), ("P1DT4H", "1 ngày 4 giờ làm việc"), ("P1.5D", "1,5 ngày làm việc"),
    (None, "Không quy định"), ("same_day", "Trong ngày làm việc"),
])
def test_durations_in_vietnamese(iso, text):
    assert vn.duration_vn(iso) == text


def test_dates_in_vietnamese():
    assert vn.place_date("Uy Nỗ", dt.date(2026, 1, 5)) == "Uy Nỗ, ngày 05 tháng 01 năm 2026"
    late_evening_utc = dt.datetime(2026, 1, 4, 18, 30, tzinfo=dt.UTC)  # 01:30 on the 5th in Hà Nội
    assert vn.long_date(late_evening_utc) == "ngày 05 tháng 01 năm 2026"
    assert vn.date_time(late_evening_utc) == "01 giờ 30 phút, ngày 05/01/2026"


def test_unknown_form_and_format_are_refused():
    with pytest.raises(ValueError, match="unknown form"):
        render_form("certificate", sample_dossier())
    with pytest.raises(ValueError, match="unknown format"):
        render_form("refusal", sample_dossier(), fmt="odt")
