"""Citizen pages: lookup by code AND ID number (nothing revealed otherwise), QR link, rate limit, rating once."""

from __future__ import annotations

from tests.web.conftest import csrf_of
from tests.web.workspace_helpers import finish, open_task, receive_ok, texts

ID = "001203004567"


def lookup(client, code: str, id_number: str, page: str = "/tra-cuu"):
    token = csrf_of(client.get(page).data)
    return client.post("/tra-cuu", data={"csrf_token": token, "ma": code, "so_giay_to": id_number})


def test_qr_link_asks_for_the_id_number_and_reveals_nothing(xd, user, client):
    code = receive_ok(user("motcua"))
    page = client.get(f"/tra-cuu?ma={code}").get_data(as_text=True)
    assert f'value="{code}"' in page and 'name="so_giay_to"' in page
    assert "Nguyễn Văn An" not in page and "Đang giải quyết" not in page


def test_code_and_id_number_show_status_appointment_and_step(xd, user, client):
    code = receive_ok(user("motcua"))
    reply = lookup(client, code.lower(), ID)  # codes are read case-insensitively
    text = texts(reply.data)
    assert reply.status_code == 200
    assert "Đang giải quyết" in text and "08:00 26/01/2026" in text and "Thẩm định hồ sơ, kiểm tra thực địa" in text
    assert "Phạm Minh Đức" not in text and "Nguyễn Thị Hoa" not in text  # no officer names for the public


def test_wrong_id_number_and_unknown_code_get_the_same_answer(xd, user, client):
    code = receive_ok(user("motcua"))
    wrong = lookup(client, code, "079199001122")
    unknown = lookup(client, "H01-260105-9999", ID)
    assert wrong.status_code == unknown.status_code == 404
    same = [texts(r.data).replace(c, "CODE") for r, c in ((wrong, code), (unknown, "H01-260105-9999"))]
    assert same[0] == same[1] and "Không tìm thấy hồ sơ với mã hồ sơ và số giấy tờ đã nhập" in same[0]
    assert "Nguyễn Văn An" not in same[0]


def test_both_fields_are_required(xd, user, client):
    code = receive_ok(user("motcua"))
    assert lookup(client, code, "").status_code == 400
    assert lookup(client, "", ID).status_code == 400
    assert "Nguyễn Văn An" not in texts(lookup(client, code, " ").data)


def test_lookup_is_rate_limited_per_client(xd, user, client):
    xd.config["CITIZEN_LOOKUP_LIMIT"] = "3 per minute"
    code = receive_ok(user("motcua"))
    codes = [lookup(client, code, "000000000000").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    assert "Quá nhiều yêu cầu" in texts(lookup(client, code, ID).data)
    api = client.post("/api/public/lookup", json={"code": code, "id_number": ID})
    assert api.status_code == 429  # the JSON lookup shares the limit


def test_json_lookup_is_the_same(xd, user, client):
    code = receive_ok(user("motcua"))
    good = client.post("/api/public/lookup", json={"code": code, "id_number": ID})
    assert good.status_code == 200 and good.json["status_code"] == 4 and good.json["appointment_at"]
    assert "applicant_id_number" not in good.json
    wrong = client.post("/api/public/lookup", json={"code": code, "id_number": "1"})
    unknown = client.post("/api/public/lookup", json={"code": "X-1", "id_number": ID})
    assert wrong.status_code == unknown.status_code == 404 and wrong.json == unknown.json
    assert client.post("/api/public/lookup", json={"code": code}).status_code == 422


def test_what_is_missing_is_shown_while_a_supplement_is_awaited(xd, user, client, org, clock):
    from processes import instances

    code = receive_ok(user("motcua"))
    instances.complete(org, open_task(org, code), {"ket_qua_tham_dinh": "bo_sung",
                                                   "noi_dung_bo_sung": "Bản vẽ mặt bằng móng"}, "cv.ktht", clock)
    text = texts(lookup(client, code, ID).data)
    assert "Yêu cầu bổ sung" in text and "Hồ sơ cần bổ sung: Bản vẽ mặt bằng móng" in text


def test_rating_once_after_the_dossier_is_done(xd, user, client, org, clock):
    code = receive_ok(user("motcua"))
    page = lookup(client, code, ID).get_data(as_text=True)
    assert "Gửi đánh giá" not in page  # not yet done
    finish(org, clock, code)
    page = lookup(client, code, ID).get_data(as_text=True)
    assert "Đã trả kết quả" in texts(page.encode()) and "Gửi đánh giá" in page
    token = csrf_of(page.encode())
    stranger = xd.test_client()  # never looked the dossier up: may not rate it
    stranger_token = csrf_of(stranger.get("/tra-cuu").data)
    assert stranger.post("/tra-cuu/danh-gia", data={"csrf_token": stranger_token, "ma": code, "so_giay_to": ID,
                                                    "muc_do": "1"}).status_code == 404
    rated = client.post("/tra-cuu/danh-gia", data={"csrf_token": token, "ma": code, "so_giay_to": ID,
                                                   "muc_do": "4", "y_kien": "Nhanh gọn"})
    assert rated.status_code == 200
    text = texts(rated.data)
    assert "Cảm ơn" in text and "Ông/bà đã đánh giá hồ sơ này: Hài lòng." in text
    again = client.post("/tra-cuu/danh-gia", data={"csrf_token": token, "ma": code, "so_giay_to": ID, "muc_do": "1"})
    assert "đã được đánh giá" in texts(again.data)
    api = client.post("/api/public/rating", json={"code": code, "id_number": ID, "score": 1})
    assert api.status_code == 409
    board = user("pct").get("/dashboard").get_data(as_text=True)
    assert "Mức độ hài lòng của người dân" in board


def test_rating_form_needs_csrf(xd, user, client, org, clock):
    code = receive_ok(user("motcua"))
    finish(org, clock, code)
    lookup(client, code, ID)
    reply = client.post("/tra-cuu/danh-gia", data={"ma": code, "so_giay_to": ID, "muc_do": "5"})
    assert reply.status_code == 400


def test_an_app_made_earlier_without_rate_limits_does_not_lift_them(org, clock):
    """Flask-Limiter's one limiter kept the last app's RATELIMIT_ENABLED as the default of the next app: after an
    app made with limits off (the API fuzzer's), every later app of the process answered without limits."""
    from web import create_app

    config = {"DATABASE": org, "CLOCK": clock, "TESTING": True, "SECRET_KEY": "test"}
    create_app({**config, "RATELIMIT_ENABLED": False})
    client = create_app({**config, "CITIZEN_LOOKUP_LIMIT": "2 per minute"}).test_client()
    codes = [lookup(client, "B01-000000-000000", ID).status_code for _ in range(3)]
    assert codes == [404, 404, 429]
