"""The what-if of a version, as a job (issue 18): the quality manager starts it from the draft's page, follows its
progress there, then reads both results side by side; the API does the same. A bad request (a draft with a dead
end, a year that is not one, a role that does not exist) is refused at once and nothing is queued.

The simulation itself runs on a real district in tests/simulation and tests/browser; the test procedure here
has no dossiers to learn from, so the finished job's result is given (the job runner is the real one).
"""

from __future__ import annotations

import html
import re

import pytest

from jobs import kinds
from jobs.kinds import Made
from jobs.runner import execute
from processes import jobs
from tests.processes.conftest import CODE
from tests.processes.quality_helpers import RENAMED, catalog_with_test_procedure
from tests.web.conftest import csrf_of

DEAD_END = RENAMED.replace('<bpmn:sequenceFlow id="F3" sourceRef="Task_ThamDinh" targetRef="Task_PheDuyet" />', "")
PAGE = f"/quality/procedures/{CODE}/versions/2/what-if"


def _summary(rate, late, median, bottleneck, queue):
    return {"code": CODE, "name": "x", "deadline": "P15D", "dossiers": 300, "finished": 290, "on_time_rate": rate,
            "late": late, "median_days": median, "p90_days": median * 2, "bottleneck": {"name": bottleneck},
            "queues": {"chuyen_vien_ktht": {"mean": 1.25, "max": 7, "capacity": 4,
                                            "by_month": {"2027-01": queue, "2027-02": queue / 2}}},
            "unstaffed": {}, "steps": []}


RESULT = {"procedure": CODE, "name": "Quy trình thử nghiệm", "agency": "H01", "year": 2027, "fitted_cases": 310,
          "replayed": 300, "arrivals_per_year": 305.0, "supplement_rate": 0.4, "response_days": 5.0,
          "change": {"draft": True, "roster": {"chuyen_vien_ktht": 1}, "fitted_on": "before"},
          "role_names": {"chuyen_vien_ktht": "Chuyên viên Phòng Kinh tế – Hạ tầng"},
          "current": _summary(0.8715, 38, 7.5, "Thẩm định hồ sơ", 6.0),
          "changed": _summary(0.954, 14, 5.25, "Phê duyệt", 2.0)}


@pytest.fixture
def draft(org, clock, deployed, app, monkeypatch, tmp_path):
    """The test procedure in force (version 1) and a draft (version 2) with a shorter review."""
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(tmp_path / "jobs"))
    catalog_with_test_procedure(org, clock, deployed)
    return app


def _visible(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|svg)\b.*?</\1>", "", page, flags=re.S)))


def _post(client, **form):
    token = csrf_of(client.get(PAGE).data)
    return client.post(PAGE, data={"csrf_token": token, **form})


def test_the_quality_manager_runs_the_what_if_as_a_job_and_sees_both_results_side_by_side(draft, login, org,
                                                                                          clock, monkeypatch):
    iso = login("iso")
    assert iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RENAMED}).status_code == 200
    form = iso.get(PAGE).get_data(as_text=True)
    assert "Chuyên viên Phòng Kinh tế – Hạ tầng" in form and "chuyen_vien_ktht" not in _visible(form)
    reply = _post(iso, year="2027", **{"roster-chuyen_vien_ktht": "+1", "roster-lanh_dao_phong_ktht": "0"})
    assert reply.status_code == 302
    job_id = int(re.search(r"job=(\d+)", reply.headers["Location"]).group(1))
    assert draft.extensions["quytrinh.jobs_queue"].sent == [(job_id, 1)]
    job = jobs.get(org, job_id)
    assert (job.kind, job.params) == ("what_if", {"code": CODE, "version": 2, "year": 2027,
                                                   "roster": {"chuyen_vien_ktht": 1}})
    waiting = iso.get(reply.headers["Location"]).get_data(as_text=True)
    assert '<progress id="job-bar" max="100" value="0">' in waiting and "/static/jobs.js" in waiting
    assert "Dự báo tác động năm 2027" in waiting and "what-if-result" not in waiting

    seen = []

    def simulated(db, clock_, params, progress):
        progress(40, 100, "Đang mô phỏng phiên bản đang áp dụng: 40 %")
        seen.append(jobs.get(db, job_id).percent)
        return Made(result=RESULT)

    monkeypatch.setitem(kinds.RUNNERS, "what_if", simulated)
    assert execute(org, job_id, 1, clock) == "done" and seen == [40]
    done = _visible(iso.get(reply.headers["Location"]).get_data(as_text=True))
    assert "Phiên bản đang áp dụng" in done and "Sau thay đổi" in done
    assert "87,2 %" in done and "95,4 %" in done and "+8,2 điểm %" in done
    assert "7,5 ngày làm việc" in done and "5,2 ngày làm việc" in done and "15 ngày làm việc" in done
    assert "Chuyên viên Phòng Kinh tế – Hạ tầng +1 người" in done
    assert "P15D" not in done and "chuyen_vien" not in done and "None" not in done
    page = iso.get(reply.headers["Location"]).get_data(as_text=True)
    assert page.count("<svg") >= 3 and "trễ hạn: 38" in page and "trễ hạn: 14" in page  # the charts
    assert "Tháng 1/2027, đang áp dụng: 6,0 hồ sơ" in page and "Tháng 1/2027, sau thay đổi: 2,0 hồ sơ" in page


def test_a_draft_with_a_dead_end_is_refused_at_once_and_nothing_is_queued(draft, login, org):
    iso = login("iso")
    iso.put(f"/api/procedures/{CODE}/draft", json={"xml": DEAD_END})
    reply = _post(iso, year="2027")
    assert reply.status_code == 400
    text = _visible(reply.get_data(as_text=True))
    assert "Không mô phỏng được" in text and "Task_ThamDinh" not in text
    assert "Thẩm định hồ sơ kỹ: Bước (userTask) không có luồng đi ra (đường cụt)" in text
    assert draft.extensions["quytrinh.jobs_queue"].sent == [] and jobs.list_for(org, "iso") == []
    api = iso.post(f"/api/procedures/{CODE}/versions/2/what-if", json={"year": 2027})
    assert api.status_code == 422 and api.json["problems"] and jobs.list_for(org, "iso") == []


@pytest.mark.parametrize(("form", "said"), [({"year": "năm sau"}, "Năm mô phỏng không hợp lệ"),
                                            ({"year": "1999"}, "Năm mô phỏng phải từ 2000 đến 2100"),
                                            ({"year": "2027", "roster-chuyen_vien_ktht": "x"}, "không hợp lệ")])
def test_bad_numbers_are_refused_in_vietnamese(draft, login, org, form, said):
    iso = login("iso")
    iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RENAMED})
    reply = _post(iso, **form)
    assert reply.status_code == 400 and said in _visible(reply.get_data(as_text=True))
    assert jobs.list_for(org, "iso") == []


def test_the_api_starts_the_job_and_follows_it_to_its_result(draft, login, org, clock, monkeypatch):
    iso = login("iso")
    iso.put(f"/api/procedures/{CODE}/draft", json={"xml": RENAMED})
    assert iso.post(f"/api/procedures/{CODE}/versions/2/what-if",
                    json={"year": 2027, "roster": {"khong_co_vai_tro": 1}}).json["fields"] == {
        "roster": "Không có vai trò khong_co_vai_tro"}
    started = iso.post(f"/api/procedures/{CODE}/versions/2/what-if",
                       json={"year": 2027, "roster": {"chuyen_vien_ktht": -1}})
    assert started.status_code == 201, started.json
    assert (started.json["status"], started.json["result"], started.headers["Location"]) == (
        "queued", None, started.json["url"])
    monkeypatch.setitem(kinds.RUNNERS, "what_if", lambda *a: Made(result=RESULT))
    execute(org, started.json["id"], 1, clock)
    followed = iso.get(started.json["url"]).json
    assert followed["status"] == "done" and followed["result"]["changed"]["on_time_rate"] == 0.954
    assert login("cv.ktht").get(started.json["url"]).status_code == 403


def test_only_the_quality_manager_may_ask(draft, login):
    first = PAGE.replace("/versions/2/", "/versions/1/")
    assert login("iso").get(first).status_code == 200
    assert login("motcua").get(first).status_code == 403
    assert login("motcua").post(f"/api/procedures/{CODE}/versions/2/what-if", json={"year": 2027}).status_code == 403
    assert login("iso").get(f"/quality/procedures/{CODE}/versions/9/what-if").status_code == 404
