"""A CCHC plan appendix built like a published district plan ("Phụ lục: Danh mục nhiệm vụ CCHC năm 2024" of a
UBND huyện: six areas of Nghị quyết 76/NQ-CP under a chỉ đạo section, numbered tasks, product, lead and
cooperating units, budget in million VND, deadline text), with the answer each row must give."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment

D = dt.date
ALL_DEPTS = ["H01.MC", "H01.VP", "H01.KTHT", "H01.TCKH", "H01.TP", "H01.NV"]
COMMUNES = ["X01", "X02", "X03"]
HEADER = ["STT", "Nội dung nhiệm vụ", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp",
          "Kinh phí\n(triệu đồng)", "Thời gian hoàn thành"]
# section, title / (number, task, product, lead, cooperating, budget, deadline) + expected (leads, coop, due, budget)
SECTIONS: list[tuple[str, str, list[tuple]]] = [
    ("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH", [
        (1, "Xây dựng, ban hành Kế hoạch cải cách hành chính năm 2024", "Kế hoạch", "Phòng Nội vụ",
         "Các cơ quan, đơn vị", 10, "Trước ngày 15/01/2024", ["H01.NV"], [d for d in ALL_DEPTS if d != "H01.NV"],
         D(2024, 1, 15)),
        (2, "Xây dựng Kế hoạch CCHC năm 2024 của cơ quan, đơn vị", "Kế hoạch",
         "Các cơ quan, đơn vị; UBND các xã, phường", "Phòng Nội vụ", None, "Trước ngày 31/01/2024",
         ALL_DEPTS + COMMUNES, [], D(2024, 1, 31)),
        (3, "Báo cáo CCHC định kỳ quý, 6 tháng, năm", "Báo cáo", "Phòng Nội vụ", "", None, "Thường xuyên",
         ["H01.NV"], [], None),
        (4, "Kiểm tra công tác CCHC tại các cơ quan, đơn vị\nvà UBND các xã, phường", "Thông báo kết luận kiểm tra",
         "Phòng Nội vụ", "Văn phòng HĐND & UBND huyện", 25.5, "Quý IV/2024", ["H01.NV"], ["H01.VP"], D(2024, 12, 31)),
        (5, "Tự kiểm tra công tác CCHC", "Báo cáo", "UBND các xã, phường", "", None, "6 tháng đầu năm",
         COMMUNES, [], D(2024, 6, 30)),
        (6, "Tổ chức đánh giá Chỉ số CCHC năm 2023", "Quyết định công bố", "Phòng Nội vụ", "Các cơ quan, đơn vị",
         "15", "Quý I/2024", ["H01.NV"], [d for d in ALL_DEPTS if d != "H01.NV"], D(2024, 3, 31)),
    ]),
    ("II", "CẢI CÁCH THỂ CHẾ", [
        (1, "Rà soát, hệ thống hóa văn bản quy phạm pháp luật", "Báo cáo", "Phòng Tư pháp",
         "Các cơ quan, đơn vị", 5, "Năm 2024", ["H01.TP"], [d for d in ALL_DEPTS if d != "H01.TP"], D(2024, 12, 31)),
        (2, "Kiểm tra, xử lý văn bản quy phạm pháp luật", "Kết luận kiểm tra", "Phòng Tư pháp, UBND các xã, phường",
         "", None, "Thường xuyên", ["H01.TP"] + COMMUNES, [], None),
        (3, "Theo dõi thi hành pháp luật", "Báo cáo", "Phòng Tư pháp", "", "", "Tháng 11/2024", ["H01.TP"], [],
         D(2024, 11, 30)),
        (4, "Phổ biến, giáo dục pháp luật cho cán bộ, công chức", "Hội nghị", "Phòng Tư pháp", "Phòng Nội vụ",
         40, "Quý II/2024", ["H01.TP"], ["H01.NV"], D(2024, 6, 30)),
        (5, "Tổng kết thi hành Luật Ban hành văn bản QPPL", "Báo cáo tổng kết", "Phòng Tư pháp", "", None,
         "Tháng 6/2024", ["H01.TP"], [], D(2024, 6, 30)),
    ]),
    ("III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", [
        (1, "Rà soát, đơn giản hóa thủ tục hành chính", "Báo cáo rà soát", "Văn phòng HĐND và UBND huyện",
         "Các cơ quan, đơn vị", 12, "Trước ngày 30/11/2024", ["H01.VP"], [d for d in ALL_DEPTS if d != "H01.VP"],
         D(2024, 11, 30)),
        (2, "Công khai thủ tục hành chính tại Bộ phận Một cửa", "Danh mục TTHC niêm yết",
         "Bộ phận Một cửa huyện", "Văn phòng HĐND và UBND huyện", None, "Quý 1/2024", ["H01.MC"], ["H01.VP"],
         D(2024, 3, 31)),
        (3, "Số hóa hồ sơ, kết quả giải quyết TTHC", "Hồ sơ được số hóa", "Bộ phận Một cửa huyện; UBND các xã, phường",
         "", 30, "Thường xuyên", ["H01.MC"] + COMMUNES, [], None),
        (4, "Khảo sát sự hài lòng của người dân", "Báo cáo kết quả khảo sát", "Văn phòng HĐND-UBND huyện",
         "Phòng Nội vụ", 8.5, "Quý III/2024", ["H01.VP"], ["H01.NV"], D(2024, 9, 30)),
        (5, "Tiếp nhận, xử lý phản ánh, kiến nghị về TTHC", "Báo cáo", "Văn phòng HĐND và UBND huyện", "", None,
         "Hằng quý", ["H01.VP"], [], None),
        (6, "Thanh toán trực tuyến phí, lệ phí", "Báo cáo", "Phòng Tài chính – Kế hoạch", "Bộ phận Một cửa huyện",
         None, "6 tháng cuối năm", ["H01.TCKH"], ["H01.MC"], D(2024, 12, 31)),
    ]),
    ("IV", "CẢI CÁCH TỔ CHỨC BỘ MÁY", [
        (1, "Rà soát chức năng, nhiệm vụ của các phòng chuyên môn", "Quyết định", "Phòng Nội vụ",
         "Các cơ quan, đơn vị", None, "Quý II/2024", ["H01.NV"], [d for d in ALL_DEPTS if d != "H01.NV"],
         D(2024, 6, 30)),
        (2, "Xây dựng đề án vị trí việc làm", "Đề án", "Phòng Nội vụ", "Phòng Tài chính & Kế hoạch", 20,
         "Trước ngày 30/6/2024", ["H01.NV"], ["H01.TCKH"], D(2024, 6, 30)),
        (3, "Sắp xếp đơn vị hành chính cấp xã", "Đề án", "Phòng Nội vụ", "UBND các xã, phường", 50,
         "Tháng 9 năm 2024", ["H01.NV"], COMMUNES, D(2024, 9, 30)),
        (4, "Quản lý biên chế năm 2025", "Kế hoạch", "Phòng Nội vụ", "", None, "Quý 3 năm 2024", ["H01.NV"], [],
         D(2024, 9, 30)),
    ]),
    ("V", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ", [
        (1, "Đào tạo, bồi dưỡng cán bộ, công chức", "Kế hoạch", "Phòng Nội vụ", "Các cơ quan, đơn vị", 60,
         "Năm 2024", ["H01.NV"], [d for d in ALL_DEPTS if d != "H01.NV"], D(2024, 12, 31)),
        (2, "Đánh giá, xếp loại cán bộ, công chức", "Báo cáo", "Các cơ quan, đơn vị", "", None,
         "Trước ngày 15/12/2024", ALL_DEPTS, [], D(2024, 12, 15)),
        (3, "Kiểm tra công vụ đột xuất", "Thông báo kết quả", "Phòng Nội vụ", "Văn phòng HĐND và UBND huyện",
         None, "Thường xuyên", ["H01.NV"], ["H01.VP"], None),
        (4, "Tuyển dụng công chức cấp xã", "Quyết định", "Phòng Nội vụ", "UBND các xã, phường", "7,5",
         "Quý IV/2023", ["H01.NV"], COMMUNES, D(2023, 12, 31)),
    ]),
    ("VI", "CẢI CÁCH TÀI CHÍNH CÔNG", [
        (1, "Giao dự toán ngân sách năm 2024", "Quyết định", "Phòng Tài chính – Kế hoạch", "", None,
         "Trước ngày 31/12/2023", ["H01.TCKH"], [], D(2023, 12, 31)),
        (2, "Thực hiện cơ chế tự chủ tài chính", "Báo cáo", "Phòng Tài chính – Kế hoạch",
         "Các cơ quan, đơn vị", None, "Năm 2023", ["H01.TCKH"], [d for d in ALL_DEPTS if d != "H01.TCKH"],
         D(2023, 12, 31)),
        (3, "Công khai ngân sách", "Báo cáo", "Phòng Tài chính – Kế hoạch", "UBND các xã, phường", None,
         "Tháng 3/2024", ["H01.TCKH"], COMMUNES, D(2024, 3, 31)),
    ]),
    ("VII", "XÂY DỰNG, PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ", [
        (1, "Vận hành hệ thống quản lý văn bản và điều hành", "Báo cáo", "Văn phòng HĐND và UBND huyện",
         "Các cơ quan, đơn vị;\nUBND các xã, phường", "1.200", "Thường xuyên", ["H01.VP"],
         [d for d in ALL_DEPTS if d != "H01.VP"] + COMMUNES, None),
        (2, "Duy trì, cải tiến Hệ thống quản lý chất lượng\ntheo TCVN ISO 9001:2015", "Quyết định công bố",
         "Các cơ quan, đơn vị", "Phòng Nội vụ", 45, "Quý IV/2024", ALL_DEPTS, [], D(2024, 12, 31)),
        (3, "Cung cấp dịch vụ công trực tuyến toàn trình", "Báo cáo", "Bộ phận Một cửa huyện",
         "Phòng Kinh tế – Hạ tầng\nPhòng Tư pháp", None, "Tháng 12/2024", ["H01.MC"], ["H01.KTHT", "H01.TP"],
         D(2024, 12, 31)),
        (4, "Đánh giá an toàn thông tin", "Báo cáo", "Phòng Kinh tế và Hạ tầng", "", 18, "Trước ngày 15/10",
         ["H01.KTHT"], [], D(2024, 10, 15)),
    ]),
]


def rows() -> list[tuple]:
    """Every task row with its section: (section, number, task, product, lead, coop, budget, deadline, leads…)."""
    return [(no, *item) for no, _, items in SECTIONS for item in items]


def expected_budget(section: str | None = None) -> Decimal:
    total = Decimal(0)
    for no, _, items in SECTIONS:
        for item in items:
            value = item[5]
            if (section is None or section == no) and value not in (None, ""):
                total += Decimal(str(value).replace(".", "").replace(",", ".")) if isinstance(value, str) \
                    else Decimal(str(value))
    return total


def build(header: list[str] | None = None, extra: list[list] | None = None) -> bytes:
    """The appendix as an XLSX: title rows, header, column numbers, sections, tasks (multi-line cells)."""
    book = Workbook()
    sheet = book.active
    sheet.append(["PHỤ LỤC"])
    sheet.append(["DANH MỤC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2024"])
    sheet.append(["(Kèm theo Kế hoạch số 05/KH-UBND ngày 10/01/2024 của UBND huyện An Phú)"])
    sheet.append([])
    sheet.append(header or HEADER)
    sheet.append([f"({i})" for i in range(1, 8)])
    for no, title, items in SECTIONS:
        sheet.append([no, title])
        for number, task, product, lead, coop, budget, deadline, *_ in items:
            sheet.append([number, task, product, lead, coop or None, budget, deadline])
    for row in extra or []:
        sheet.append(row)
    sheet.append(["", "Tổng cộng", "", "", "", "=SUM(F7:F60)", ""])
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
