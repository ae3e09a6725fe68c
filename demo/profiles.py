"""What the demo district looks like: arrivals, channels, decisions and step times per procedure.

The figures are plausible for a rural district (UBND huyện) and one commune, not measured from a real
one: chứng thực and khai sinh are the everyday procedures, building permits the rare and slow ones.
Rates are dossiers per working day at scale 1 (about 650 dossiers a year, what `make run` loads on
first start); `demo.year` multiplies them by its scale (a busy district is scale 5 to 10).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from engine.form_rules import is_required
from engine.forms import Form

# Month factors: fewer dossiers around Tết (late January / February), more before the year closes.
SEASON = {1: 0.9, 2: 0.7, 3: 1.05, 4: 1.0, 5: 1.0, 6: 1.0, 7: 1.05, 8: 1.0, 9: 1.0, 10: 1.05, 11: 1.1, 12: 1.15}
WEEKDAY = {0: 1.2, 1: 1.05, 2: 1.0, 3: 1.0, 4: 0.85, 5: 0.5, 6: 0.0}


@dataclass(frozen=True)
class Decision:
    """A decision field of a step: option → weight on the first visit, and on later visits."""

    field: str
    first: dict[str, float]
    again: dict[str, float] | None = None


@dataclass(frozen=True)
class Profile:
    """How one procedure is used in the demo district."""

    code: str
    rate: float  # dossiers per working day at scale 1
    starter: str  # who receives (or registers) it
    channels: dict[str, float] = field(default_factory=lambda: {"truc_tiep": 1.0})
    decisions: dict[str, tuple[Decision, ...]] = field(default_factory=dict)
    late: dict[str, float] = field(default_factory=dict)  # step → weight as the cause of lateness
    late_rate: float = 0.05  # share of dossiers that end late (one step overruns past the appointment)
    months: tuple[int, ...] = ()  # only these months (empty: all year)
    public: bool = True  # an administrative procedure (dossiers for citizens), else internal work
    scans: float = 0.6  # share of counter dossiers with their papers scanned at reception
    e_result: float = 0.3  # share of results also issued electronically
    withdraw: float = 0.08  # share of supplement requests that end with the applicant withdrawing
    rating: float = 0.35  # share of answered dossiers rated by the applicant


PROFILES: tuple[Profile, ...] = (
    Profile("QT-CT-01", 1.5, "motcua", {"truc_tiep": 0.86, "truc_tuyen": 0.14},
            {"Task_KiemTraDoiChieu": (Decision("ket_qua_kiem_tra", {"chung_thuc": 0.975, "tu_choi": 0.025}),
                                      Decision("do_phuc_tap", {"don_gian": 0.94, "phuc_tap": 0.06}))},
            {"Task_KiemTraDoiChieu": 0.05, "Task_KyChungThuc": 0.04}, 0.01, scans=0.35, e_result=0.15, rating=0.25),
    Profile("QT-HT-01", 0.5, "xa.motcua", {"truc_tiep": 0.62, "truc_tuyen": 0.36, "buu_chinh": 0.02},
            {"Task_KiemTraGhiSo": (Decision("ket_qua_kiem_tra", {"dat": 0.9, "bo_sung": 0.08, "tu_choi": 0.02},
                                            {"dat": 0.89, "bo_sung": 0.1, "tu_choi": 0.01}),)},
            {"Task_KyGiayKhaiSinh": 0.06, "Task_KiemTraGhiSo": 0.04}, 0.015, scans=0.7, e_result=0.55),
    Profile("QT-KD-01", 0.25, "motcua", {"truc_tiep": 0.38, "truc_tuyen": 0.6, "buu_chinh": 0.02},
            {"Task_KiemTra": (Decision("ket_qua_kiem_tra", {"hop_le": 0.84, "bo_sung": 0.12, "tu_choi": 0.04},
                                       {"hop_le": 0.78, "bo_sung": 0.2, "tu_choi": 0.02}),)},
            {"Task_KiemTra": 0.1, "Task_KyGiayChungNhan": 0.05}, 0.04, scans=0.8, e_result=0.7),
    Profile("QT-XD-01", 0.15, "motcua", {"truc_tiep": 0.55, "truc_tuyen": 0.43, "buu_chinh": 0.02},
            {"Task_ThamDinh": (Decision("ket_qua_tham_dinh", {"dat": 0.78, "bo_sung": 0.16, "tu_choi": 0.06},
                                        {"dat": 0.76, "bo_sung": 0.2, "tu_choi": 0.04}),),
             "Task_XemXet": (Decision("ket_qua_xem_xet", {"duyet": 0.92, "tra_lai": 0.08}, {"duyet": 1.0}),)},
            {"Task_ThamDinh": 0.22, "Task_KyGiayPhep": 0.12, "Task_XemXet": 0.06}, 0.1, scans=0.75, e_result=0.35,
            withdraw=0.12),
    Profile("QT-VB-01", 0.3, "vanthu", decisions={
        "Task_PheDuyet": (Decision("ket_qua_duyet", {"dong_y": 0.9, "tra_lai": 0.1},
                                   {"dong_y": 0.97, "tra_lai": 0.03}),)},
            late={"Task_XuLy": 0.15, "Task_PhanCong": 0.05}, late_rate=0.08, public=False, scans=0.9, e_result=0.0,
            rating=0.0),
    Profile("QT-TDKT-01", 0.25, "tp.nv", decisions={
        "Task_ThamDinhHoSo": (Decision("ket_qua_tham_dinh",
                                       {"hop_le": 0.75, "bo_sung": 0.2, "khong_du_dieu_kien": 0.05},
                                       {"hop_le": 0.95, "khong_du_dieu_kien": 0.05}),),
        "Task_XetDuyet": (Decision("ket_qua_xet", {"dong_y": 0.92, "khong_dong_y": 0.08}),),
        "Task_QuyetDinh": (Decision("quyet_dinh", {"khen_thuong": 0.93, "khong_khen_thuong": 0.07}),)},
            late={"Task_XetDuyet": 0.1}, late_rate=0.1, months=(11, 12), public=False, scans=1.0, e_result=0.0,
            rating=0.0,
            withdraw=0.0),
)

# Share of steps finished early (in the first half of their time limit), and how long the rest take:
# fractions of the step's limit, on time in (0.5, 1], late in (1, LATE_MAX]. A step overruns its own
# limit with half its `late` weight; unless it is the dossier's cause of lateness it must still leave
# the later steps room before the appointment (see demo.year._step_time).
EARLY_SHARE = 0.55
LATE_MAX = 2.2
# Working minutes a step takes at the least (reading the dossier, writing the opinion), however early.
STEP_MINUTES = (10, 40)
# A district on the day it starts has a backlog: of the dossiers received in the last BACKLOG_WINDOW before
# the demo's "today", one in BACKLOG_EVERY has a step still waiting then (overdue, or due soon).
BACKLOG_WINDOW = dt.timedelta(days=30)
BACKLOG_EVERY = 4
# Each officer the README names finds a step waiting on the demo's "today" (a first login shows an inbox at
# work, not an empty one; a district of this size has only a few dossiers in flight, so most days left cv.ktht,
# tp.ktht and vanthu with nothing): one dossier per step below is received DESK_LEAD working days before
# "today", its earlier steps done along the main path in 5-30 % of their time limits (so that all of them are
# done by then: 30 % of the building permit's 13 days is under its 5), and this step not done by then.
DESK: tuple[tuple[str, str], ...] = (
    ("QT-XD-01", "Task_ThamDinh"),  # chuyên viên Phòng Kinh tế – Hạ tầng (cv.ktht)
    ("QT-XD-01", "Task_XemXet"),  # lãnh đạo Phòng Kinh tế – Hạ tầng (tp.ktht)
    ("QT-XD-01", "Task_KyGiayPhep"),  # lãnh đạo UBND huyện (pct)
    ("QT-XD-01", "Task_VaoSoDongDau"),  # văn thư (vanthu)
    ("QT-XD-01", "Task_TraKetQua"),  # bộ phận một cửa (motcua)
    ("QT-HT-01", "Task_KiemTraGhiSo"),  # công chức tư pháp – hộ tịch xã (xa.tphc)
    ("QT-HT-01", "Task_KyGiayKhaiSinh"),  # lãnh đạo UBND xã (xa.ct)
    ("QT-HT-01", "Task_TraKetQua"),  # một cửa xã (xa.motcua)
)
DESK_LEAD = {"QT-XD-01": 5, "QT-HT-01": 1}  # working days (the birth registration is done the same day)
# Working days an applicant takes to bring what a supplement request asks for.
SUPPLEMENT_DAYS = (1.0, 8.0)
# Chance the officer handling a dossier that will be late asks the head of unit for an apology in time.
APOLOGY_SHARE = 0.85

_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
           "Ngô", "Dương", "Lý")
_MIDDLE = ("Văn", "Thị", "Minh", "Hữu", "Đức", "Thanh", "Ngọc", "Quốc", "Thu", "Xuân", "Hoài", "Kim")
_GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Khánh", "Lan", "Linh",
          "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tú", "Vy", "Yến")
_PLACES = ("Thôn Đông", "Thôn Tây", "Xóm Chợ", "Ấp Bình Thạnh", "Khu phố 3", "Thôn Phú Mỹ", "Xóm Bãi")
_PAPERS = ("Bằng tốt nghiệp THPT", "Giấy khai sinh", "Hợp đồng lao động", "Sổ hộ khẩu", "Học bạ",
           "Giấy chứng nhận quyền sử dụng đất", "Căn cước công dân")
_AGENCIES = ("UBND tỉnh", "Sở Nội vụ", "Sở Tài chính", "Sở Xây dựng", "Huyện ủy", "Văn phòng UBND tỉnh")


def person(rng: random.Random) -> tuple[str, str]:
    """A plausible applicant: (full name, 12-digit citizen ID number)."""
    name = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
    return name, "0" + "".join(str(rng.randrange(10)) for _ in range(11))


def address(rng: random.Random) -> str:
    """A plausible address in the demo district."""
    return f"{rng.choice(_PLACES)}, xã An Hòa, huyện An Phú"


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    """One key of `weights`, drawn with those weights."""
    keys = list(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]


def fill_form(form: Form | None, day: str, rng: random.Random, chosen: dict[str, object]) -> dict[str, object]:
    """Completion data meeting every constraint of `form`: `chosen` values first, plausible text elsewhere."""
    data: dict[str, object] = {}
    for f in form.fields if form else ():
        if f.readonly:
            continue
        if f.id in chosen:
            data[f.id] = chosen[f.id]
        elif not f.required and not is_required(f.constraints.get("required_if"), {**chosen, **data}) \
                and rng.random() < 0.5:  # a reason the decision asks for (required_if) is always given
            continue
        elif f.type == "enum":
            data[f.id] = f.options[0][0] if f.options else ""
        elif f.type == "date":
            data[f.id] = day
        elif f.type in ("long", "integer"):
            low = int(f.constraints.get("min") or 1)
            high = int(f.constraints.get("max") or low + 10)
            data[f.id] = _number(f.id, rng.randint(low, min(high, low + 9)) - low, low, high, data)
        elif f.type == "boolean":
            data[f.id] = True
        else:
            required = f.required or is_required(f.constraints.get("required_if"), {**chosen, **data})
            if f.id in _REASONS and not required:
                continue  # a return or refusal reason of a step that did neither: left empty, as an officer would
            text = _text(f.id, rng, int(day[8:10]) if len(day) >= 10 else 1)
            data[f.id] = text[: int(f.constraints.get("maxlength") or 200)]
    return data


# Issue 13 item 12: the demo's dossier pages read like a district's ("Số điện thoại: 829/QĐ", "Tờ bản đồ số: Đã
# thực hiện theo quy định", a 7 m² house). Each value below takes exactly the random draws it took before, so
# every dossier's story (steps, outcomes, dates) stays the same.
def _number(name: str, step: int, low: int, high: int, data: dict[str, object]) -> int:
    """A plausible number from one draw `step` (0–9) above the field's minimum."""
    if name == "dien_tich_xay_dung":  # a house's ground floor, m²
        return min(high, 45 + 9 * step)
    if name == "tong_dien_tich_san":  # ground floor × floors
        area = data.get("dien_tich_xay_dung")
        return min(high, (area if isinstance(area, int) else 60) * (1 + step % 3))
    if name == "so_tang":
        area, total = data.get("dien_tich_xay_dung"), data.get("tong_dien_tich_san")
        if isinstance(area, int) and isinstance(total, int) and area:
            return max(low, min(high, round(total / area)))
        return max(low, min(high, 1 + step % 3))
    return low + step


_OPINIONS = {"y_kien_tham_dinh": "Hồ sơ đầy đủ, hợp lệ; đủ điều kiện theo quy định.",
             "y_kien_kiem_tra": "Hồ sơ đầy đủ, hợp lệ.", "y_kien_doi_chieu": "Bản sao đúng với bản chính.",
             "y_kien_chi_dao": "Đồng ý, giao đơn vị chủ trì thực hiện.", "y_kien_phe_duyet": "Đồng ý.",
             "y_kien_hoi_dong": "Hội đồng thống nhất đề nghị.", "y_kien_lanh_dao": "Đồng ý.",
             "noi_dung_bo_sung": "Bổ sung bản vẽ mặt bằng và bản sao giấy tờ về quyền sử dụng đất.",
             "noi_dung_da_bo_sung": "Đã nộp đủ giấy tờ theo phiếu yêu cầu bổ sung.",
             "ket_qua_thuc_hien": "Đã hoàn thành đúng kế hoạch.", "ket_qua_xu_ly": "Đã xử lý xong."}
# Fields that say why a step was sent back or refused: empty unless the decision asks for them (draw no number).
_REASONS = frozenset({"y_kien_lanh_dao_phong", "y_kien_lanh_dao_ubnd", "y_kien_xem_xet", "nhan_xet", "ly_do_tu_choi",
                      "ly_do"})


def _text(name: str, rng: random.Random, day: int = 1) -> str:
    """A plausible text for a field."""
    if "dinh_danh" in name:  # a personal identification number: 12 digits (the form's pattern)
        return "0" + "".join(str(rng.randrange(10)) for _ in range(11))
    if "so_" in name or name.startswith("ma_"):
        n, sign = rng.randint(1, 999), rng.choice(("GP", "CT", "HKD", "QĐ", "TB"))
        if name == "so_dien_thoai":
            return f"09{n % 10}{n:03d}{(n * 7919) % 10000:04d}"
        if name == "so_thua_dat":
            return str(n)
        if name == "so_giay_chung_nhan_qsdd":
            return f"CS {n * 37 % 100000:05d}"
        return f"{n}/{sign}"
    if "dia" in name:
        return f"{rng.choice(_PLACES)}, xã An Hòa"
    if name == "to_ban_do":
        return str(3 + day % 20)
    if name in _OPINIONS:
        return _OPINIONS[name]
    if name in _REASONS and name != "ly_do":
        return "Đề nghị làm rõ, hoàn thiện hồ sơ theo quy định trước khi trình."
    if name == "ten_giay_to":
        return rng.choice(_PAPERS)
    if name in ("co_quan_ban_hanh", "don_vi_chu_tri", "ten_don_vi"):
        return rng.choice(_AGENCIES) if name == "co_quan_ban_hanh" else "Phòng Nội vụ"
    if name == "ly_do":
        return "Hồ sơ không đáp ứng điều kiện theo quy định"
    return "Đã thực hiện theo quy định"


def step_fraction(rng: random.Random, profile: Profile, element: str) -> float:
    """How much of its time limit a step takes: early, on time, or (at half its `late` weight) late."""
    late = profile.late.get(element, 0.04) / 2
    if rng.random() < late:
        return rng.uniform(1.05, LATE_MAX)
    if rng.random() < EARLY_SHARE / (1 - late):
        return rng.uniform(0.05, 0.5)
    return rng.uniform(0.5, 1.0)
