"""The role/unit matrix: every URL rule of the app is classified here (public, any logged-in user, or the kinds
of user allowed), and each is requested as a representative user of every kind. A new endpoint without a row
fails the first test. Mutating requests run against a fresh copy of the same database, so every probe sees the
same state. Denied users get 403 (pages and API alike); anonymous visitors the login page (pages) or 401 (API)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, text

from processes import apology, comments, reception, substitutes, tasks
from processes.runtime_schema import web_sessions
from tests.web.security_matrix_admin import administration_rows
from tests.web.workspace_helpers import PDF, PNG, XD_FORM, open_task

USERS = {"counter": "motcua", "specialist": "cv.ktht", "head": "tp.ktht", "leader": "pct", "quality": "iso",
         "other_agency": "xa.motcua"}
KINDS = ("anonymous", *USERS)
P, L = "public", "login"
SEE = {"counter", "specialist", "head", "leader", "quality"}  # who may see dossier D1 (not the commune)
LEAD = {"head", "leader"}  # leaders over the building-permit steps
WRITE = SEE - {"quality"}  # writing needs a place in the case's chain: the quality manager only reads (issue 12)
COUNTERS = {"counter", "other_agency"}
OVERSEE = {"head", "leader", "quality"}
SLIP = {"counter", "head", "leader", "quality"}  # the district's counter and overseers
DENY = {403}
SOFT = {400, 403, 404, 409, 415, 422}  # others' use-case checks may answer a probe with a validation error first
RECEIVE = {"csrf": True, **{f"applicant.{k}": v for k, v in {"name": "Lê Thị Xuân", "id_number": "001203009999",
                                                                "channel": "truc_tiep"}.items()}, **XD_FORM,
           "outcome": "accepted"}
RECEPTION_JSON = {"procedure": "QT-XD-01", "applicant": {"name": "Lê Thị Xuân", "id_number": "001203009999"},
                  "form": {k[5:]: v for k, v in XD_FORM.items()}}
B64 = base64.b64encode(PDF).decode()

# (method, rule): (path, body, who may, codes a denied user gets); body: a form dict (csrf added) or ("json", dict)
MATRIX: dict[tuple[str, str], tuple] = {
    **administration_rows(L, DENY),
    # foundation
    ("GET", "/"): ("/", None, L, DENY),
    ("GET", "/health"): ("/health", None, P, DENY),
    ("GET", "/login"): ("/login", None, P, DENY),
    ("POST", "/login"): ("/login", {"username": "nobody", "password": "wrong-pass"}, P, DENY),
    ("POST", "/logout"): ("/logout", {}, P, DENY),
    ("GET", "/static/<path:filename>"): ("/static/workspace.css", None, P, DENY),
    ("GET", "/api/openapi.json"): ("/api/openapi.json", None, P, DENY),
    ("GET", "/api/me"): ("/api/me", None, L, DENY),
    ("GET", "/api/procedures"): ("/api/procedures", None, L, DENY),
    ("GET", "/api/tasks"): ("/api/tasks", None, L, DENY),
    ("GET", "/api/tasks/<task_id>"): ("/api/tasks/{T1}", None, SEE, DENY),
    ("POST", "/api/tasks/<task_id>/override"): ("/api/tasks/{T1}/override", ("json", {
        "kind": "outside", "reason": "Xử lý trên giấy", "data": {"ket_qua_tham_dinh": "dat"}}), {"leader"}, DENY),
    ("POST", "/api/tasks/<task_id>/complete"): ("/api/tasks/{T1}/complete",
                                               ("json", {"data": {"ket_qua_tham_dinh": "dat"}}), {"specialist"}, DENY),
    ("POST", "/api/tasks/<task_id>/claim"): ("/api/tasks/{T1}/claim", ("json", {}), {"specialist"}, DENY),
    ("POST", "/api/tasks/<task_id>/unclaim"): ("/api/tasks/{T2}/unclaim", ("json", {}), {"specialist", *LEAD}, DENY),
    ("POST", "/api/cases"): ("/api/cases", ("json", {"procedure": "QT-XD-01"}), COUNTERS, DENY),
    # the case's actors (cv.ktht asked for D1's apology) and the agency's overseers
    ("GET", "/api/cases/<ref>/history"): ("/api/cases/{D1}/history", None, SEE, DENY),
    # officer pages
    ("GET", "/tasks"): ("/tasks", None, L, DENY),
    ("GET", "/tasks/<task_id>"): ("/tasks/{T1}", None, SEE, DENY),
    ("POST", "/tasks/<task_id>"): ("/tasks/{T1}", {"ket_qua_tham_dinh": "dat"}, {"specialist"}, DENY),
    ("POST", "/tasks/<task_id>/claim"): ("/tasks/{T1}/claim", {}, {"specialist"}, DENY),
    ("POST", "/tasks/<task_id>/release"): ("/tasks/{T2}/release", {}, {"specialist", *LEAD}, DENY),
    ("POST", "/tasks/<task_id>/assign"): ("/tasks/{T2}/assign", {"assignee": "cv.ktht2"}, LEAD, DENY),
    ("POST", "/tasks/<task_id>/override"): ("/tasks/{T1}/override", {
        "kind": "outside", "reason": "Xử lý trên giấy", "data.ket_qua_tham_dinh": "dat"}, {"leader"}, DENY),
    ("GET", "/receive"): ("/receive", None, COUNTERS, DENY),
    ("GET", "/receive/<code>"): ("/receive/QT-XD-01", None, COUNTERS, DENY),
    ("POST", "/receive/<code>"): ("/receive/QT-XD-01", RECEIVE, COUNTERS, DENY),
    ("GET", "/receptions/<ref>"): ("/receptions/{S}", None, SLIP, DENY),
    ("GET", "/receptions/<ref>/slip.<fmt>"): ("/receptions/{S}/slip.pdf", None, SLIP, DENY),
    ("GET", "/dossiers"): ("/dossiers", None, L, DENY),
    ("GET", "/dossiers/export.csv"): ("/dossiers/export.csv", None, L, DENY),
    ("GET", "/dossiers/tracking-book.<fmt>"): ("/dossiers/tracking-book.pdf?from=2026-01-01&to=2026-01-31", None,
                                               {*COUNTERS, *OVERSEE}, DENY),
    ("GET", "/dossiers/<code>"): ("/dossiers/{D1}", None, SEE, DENY),
    ("GET", "/cases/<code>"): ("/cases/{D1}", None, L, DENY),
    ("POST", "/dossiers/<code>/comments"): ("/dossiers/{D1}/comments", {"text": "Ý kiến"}, WRITE, DENY),
    ("POST", "/dossiers/<code>/attachments"): ("/dossiers/{D1}/attachments", {"file": "PNG"}, WRITE, DENY),
    ("GET", "/attachments/<int:attachment_id>"): ("/attachments/{A}", None, SEE, DENY),
    ("GET", "/dossiers/<code>/documents/<form>.<fmt>"): ("/dossiers/{D1}/documents/receipt.docx", None, SEE, DENY),
    ("POST", "/dossiers/<code>/apology"): ("/dossiers/{D2}/apology", {"reason": "Chậm"}, {"specialist", *LEAD}, DENY),
    ("POST", "/dossiers/<code>/withdraw"): ("/dossiers/{D1}/withdraw", {"reason": "Rút"}, {"counter", *LEAD}, DENY),
    ("POST", "/dossiers/<code>/stop"): ("/dossiers/{D1}/stop", {"reason": "Dừng"}, LEAD, DENY),
    ("GET", "/apologies"): ("/apologies", None, L, DENY),
    ("GET", "/apologies/<int:apology_id>"): ("/apologies/{AP}", None, SEE, DENY),
    ("POST", "/apologies/<int:apology_id>/sign"): ("/apologies/{AP}/sign", {}, LEAD, DENY),
    ("POST", "/apologies/<int:apology_id>/dismiss"): ("/apologies/{AP}/dismiss", {}, LEAD, DENY),
    # digital signatures (issue 16): my own key; signing a dossier's PDF at a step; the verdicts
    ("GET", "/signing-key"): ("/signing-key", None, L, DENY),
    ("POST", "/signing-key"): ("/signing-key", {}, L, DENY),  # an empty upload: 422 for anyone logged in
    ("POST", "/signing-key/remove"): ("/signing-key/remove", {}, L, DENY),
    ("POST", "/signing-key/token"): ("/signing-key/token", {}, L, DENY),  # no labels: 422 for anyone logged in
    ("POST", "/dossiers/<code>/attachments/<int:attachment_id>/sign"): ("/dossiers/{D1}/attachments/{A}/sign",
                                                                       {"password": "x"}, SEE, DENY),
    ("GET", "/api/attachments/<int:attachment_id>/signatures"): ("/api/attachments/{A}/signatures", None, SEE, DENY),
    ("GET", "/substitutes"): ("/substitutes", None, L, DENY),
    ("POST", "/substitutes"): ("/substitutes", {"substitute": "motcua2", "starts_on": "2026-01-05",
                                                "ends_on": "2026-01-06"}, L, DENY),
    ("POST", "/substitutes/<int:substitution_id>/revoke"): ("/substitutes/{SUB}/revoke", {}, {"specialist", *LEAD},
                                                            DENY),
    ("GET", "/notifications"): ("/notifications", None, L, DENY),
    ("POST", "/notifications/read"): ("/notifications/read", {"all": "1"}, L, DENY),
    ("POST", "/notifications/mode"): ("/notifications/mode", {"mode": "digest"}, L, DENY),
    ("GET", "/dashboard"): ("/dashboard", None, OVERSEE, DENY),
    ("GET", "/dashboard.xlsx"): ("/dashboard.xlsx", None, OVERSEE, DENY),
    # audits, read-only
    ("GET", "/audit"): ("/audit", None, OVERSEE, DENY),
    ("GET", "/audit/index766"): ("/audit/index766?period=2026-Q1", None, OVERSEE, DENY),
    # QĐ 766 criteria entered by hand: readers see them, the ISO secretary (and auditors) enter them
    ("GET", "/audit/index766/manual"): ("/audit/index766/manual?period=2026-Q1", None, OVERSEE, DENY),
    ("POST", "/audit/index766/manual"): ("/audit/index766/manual", {"period": "2026-Q1", "unit": "H01",
                                         "criterion": "4", "points": "5", "note": "Biên bản"}, {"quality"}, DENY),
    # checking a log from another system: nothing is stored, so every audit reader may
    ("GET", "/audit/check-log"): ("/audit/check-log", None, OVERSEE, DENY),
    ("POST", "/audit/check-log"): ("/audit/check-log", {"procedure": "QT-XD-01"}, OVERSEE, DENY),
    # the district's CCHC plan, quality-system registry and inspections: read by anyone holding a role
    ("GET", "/cchc/plan"): ("/cchc/plan", None, L, DENY),
    ("GET", "/cchc/registry"): ("/cchc/registry", None, L, DENY),
    ("GET", "/cchc/inspections"): ("/cchc/inspections", None, L, DENY),
    ("GET", "/audit/report-<int:year>.<fmt>"): ("/audit/report-2026.html", None, OVERSEE, DENY),
    ("GET", "/audit/event-log.<fmt>"): ("/audit/event-log.csv", None, OVERSEE, DENY),
    # the internal audit programme (web/audit_programme.py, web/api/audit_programme_api.py): audit readers see it,
    # auditors and the ISO secretary plan; the use case keeps answers, findings and closing to the plan's team
    ("GET", "/audit/programme"): ("/audit/programme", None, OVERSEE, DENY),
    ("POST", "/audit/programme"): ("/audit/programme", {"unit": "H01.KTHT", "period": "2026", "lead": "iso"},
                                   {"quality"}, DENY),
    ("GET", "/audit/programme/<code>"): ("/audit/programme/DGNB-2026-99", None, OVERSEE, DENY),
    ("GET", "/audit/programme/<code>/<kind>.<fmt>"): ("/audit/programme/DGNB-2026-99/plan.pdf", None, OVERSEE, DENY),
    ("POST", "/audit/programme/<code>/answers"): ("/audit/programme/DGNB-2026-99/answers",
                                                  {"procedure": "QT-XD-01", "item_no": "1", "answer": "conformity"},
                                                  OVERSEE, DENY),
    ("POST", "/audit/programme/<code>/findings"): ("/audit/programme/DGNB-2026-99/findings",
                                                   {"kind": "observation", "statement": "Ghi chép"}, OVERSEE, DENY),
    ("POST", "/audit/programme/<code>/close"): ("/audit/programme/DGNB-2026-99/close", {}, OVERSEE, DENY),
    ("GET", "/api/audit/programme"): ("/api/audit/programme", None, OVERSEE, DENY),
    ("POST", "/api/audit/programme"): ("/api/audit/programme", ("json", {}), {"quality"}, SOFT),
    ("GET", "/api/audit/programme/<code>"): ("/api/audit/programme/DGNB-2026-99", None, OVERSEE, DENY),
    ("POST", "/api/audit/programme/<code>/answers"): ("/api/audit/programme/DGNB-2026-99/answers", ("json", {}),
                                                      OVERSEE, SOFT),
    ("POST", "/api/audit/programme/<code>/findings"): ("/api/audit/programme/DGNB-2026-99/findings", ("json", {}),
                                                       OVERSEE, SOFT),
    ("POST", "/api/audit/programme/<code>/close"): ("/api/audit/programme/DGNB-2026-99/close", ("json", {}),
                                                    OVERSEE, SOFT),
    # background jobs: audit readers start reports and exports; a job is seen by who started it (else 404)
    ("POST", "/jobs/report"): ("/jobs/report", {"year": "2026", "fmt": "pdf"}, OVERSEE, DENY),
    ("POST", "/jobs/event-log"): ("/jobs/event-log", {"fmt": "csv"}, OVERSEE, DENY),
    ("POST", "/jobs/documents"): ("/jobs/documents", {"fmt": "pdf"}, OVERSEE, DENY),
    ("GET", "/jobs"): ("/jobs", None, L, DENY),
    ("GET", "/jobs/<int:job_id>"): ("/jobs/1", None, L, DENY),
    ("GET", "/jobs/<int:job_id>.json"): ("/jobs/1.json", None, L, DENY),
    ("GET", "/jobs/<int:job_id>/file"): ("/jobs/1/file", None, L, DENY),
    ("POST", "/jobs/<int:job_id>/retry"): ("/jobs/1/retry", {}, L, DENY),
    # citizen
    ("GET", "/tra-cuu"): ("/tra-cuu?ma={D1}", None, P, DENY),
    ("POST", "/tra-cuu"): ("/tra-cuu", {"ma": "{D1}", "so_giay_to": "001203004567"}, P, DENY),
    ("POST", "/tra-cuu/danh-gia"): ("/tra-cuu/danh-gia", {"ma": "{D1}", "so_giay_to": "1", "muc_do": "5"}, P, DENY),
    ("POST", "/api/public/lookup"): ("/api/public/lookup", ("json", {"code": "{D1}", "id_number": "001203004567"}),
                                     P, DENY),
    ("POST", "/api/public/rating"): ("/api/public/rating", ("json", {"code": "{D1}", "id_number": "1", "score": 5}),
                                     P, DENY),
    # workspace API
    ("GET", "/api/inbox"): ("/api/inbox", None, L, DENY),
    ("POST", "/api/tasks/<task_id>/assign"): ("/api/tasks/{T2}/assign", ("json", {"assignee": "cv.ktht2"}), LEAD,
                                              DENY),
    ("POST", "/api/receptions"): ("/api/receptions", ("json", RECEPTION_JSON), COUNTERS, DENY),
    ("GET", "/api/receptions/<ref>"): ("/api/receptions/{S}", None, SLIP, DENY),
    ("GET", "/api/dossiers"): ("/api/dossiers", None, L, DENY),
    ("GET", "/api/dossiers/<code>"): ("/api/dossiers/{D1}", None, SEE, DENY),
    ("GET", "/api/dossiers/<code>/timeline"): ("/api/dossiers/{D1}/timeline", None, SEE, DENY),
    ("GET", "/api/dossiers/<code>/comments"): ("/api/dossiers/{D1}/comments", None, SEE, DENY),
    ("POST", "/api/dossiers/<code>/comments"): ("/api/dossiers/{D1}/comments", ("json", {"text": "Ý kiến"}),
                                                WRITE, DENY),
    ("GET", "/api/dossiers/<code>/attachments"): ("/api/dossiers/{D1}/attachments", None, SEE, DENY),
    ("POST", "/api/dossiers/<code>/attachments"): ("/api/dossiers/{D1}/attachments",
                                                   ("json", {"filename": "a.pdf", "content_base64": B64}), WRITE,
                                                   DENY),
    ("GET", "/api/attachments/<int:attachment_id>"): ("/api/attachments/{A}", None, SEE, DENY),
    ("POST", "/api/dossiers/<code>/apology"): ("/api/dossiers/{D2}/apology", ("json", {"reason": "Chậm"}),
                                               {"specialist", *LEAD}, DENY),
    ("POST", "/api/dossiers/<code>/withdraw"): ("/api/dossiers/{D1}/withdraw", ("json", {"reason": "Rút"}),
                                                {"counter", *LEAD}, DENY),
    ("POST", "/api/dossiers/<code>/stop"): ("/api/dossiers/{D1}/stop", ("json", {"reason": "Dừng"}), LEAD, DENY),
    ("GET", "/api/apologies"): ("/api/apologies", None, L, DENY),
    ("POST", "/api/apologies/<int:apology_id>/sign"): ("/api/apologies/{AP}/sign", ("json", {}), LEAD, DENY),
    ("POST", "/api/apologies/<int:apology_id>/dismiss"): ("/api/apologies/{AP}/dismiss", ("json", {}), LEAD, DENY),
    ("GET", "/api/dashboard"): ("/api/dashboard", None, OVERSEE, DENY),
    ("GET", "/api/substitutes"): ("/api/substitutes", None, L, DENY),
    ("POST", "/api/substitutes"): ("/api/substitutes", ("json", {"substitute": "motcua2", "starts_on": "2026-01-05",
                                                                 "ends_on": "2026-01-06"}), L, DENY),
    ("POST", "/api/substitutes/<int:substitution_id>/revoke"): ("/api/substitutes/{SUB}/revoke", ("json", {}),
                                                                {"specialist", *LEAD}, DENY),
    ("GET", "/api/notifications"): ("/api/notifications", None, L, DENY),
    ("POST", "/api/notifications/read"): ("/api/notifications/read", ("json", {"all": True}), L, DENY),
    # quality manager and modeler (web/quality.py, web/modeler.py, web/api/quality.py): pages answer a refused
    # action with a flash message and a redirect, so at the HTTP layer they are open to any logged-in user.
    ("GET", "/quality/procedures"): ("/quality/procedures", None, L, DENY),
    ("GET", "/quality/procedures/<code>"): ("/quality/procedures/QT-XD-01", None, L, DENY),
    ("GET", "/quality/procedures/<code>/diff.svg"): ("/quality/procedures/QT-XD-01/diff.svg?from=1&to=1", None, L,
                                                     DENY),
    ("GET", "/quality/procedures/<code>/versions/<int:version>.bpmn"): ("/quality/procedures/QT-XD-01/versions/1.bpmn",
                                                                        None, L, DENY),
    ("GET", "/quality/procedures/<code>/versions/<int:version>.svg"): ("/quality/procedures/QT-XD-01/versions/1.svg",
                                                                       None, L, DENY),
    ("GET", "/quality/procedures/<code>/versions/<int:version>/edit"): (
        "/quality/procedures/QT-XD-01/versions/1/edit", None, L, DENY),
    ("GET", "/quality/procedures/new"): ("/quality/procedures/new", None, {"quality"}, DENY),
    ("GET", "/quality/procedures/<code>/versions/<int:version>/what-if"): (
        "/quality/procedures/QT-XD-01/versions/1/what-if", None, {"quality"}, DENY),  # the quality manager only
    ("POST", "/quality/procedures/<code>/versions/<int:version>/what-if"): (
        "/quality/procedures/QT-XD-01/versions/1/what-if", {"year": "2026"}, {"quality"}, DENY),
    ("POST", "/api/procedures/<code>/versions/<int:version>/what-if"): (
        "/api/procedures/QT-XD-01/versions/1/what-if", ("json", {"year": 2026}), {"quality"}, DENY),
    ("GET", "/api/what-if/<int:job_id>"): ("/api/what-if/1", None, {"quality"}, DENY),
    ("GET", "/quality/master-list.<fmt>"): ("/quality/master-list.pdf", None, L, DENY),
    ("GET", "/quality/procedures/<code>/versions/<int:version>/document.<fmt>"): (
        "/quality/procedures/QT-XD-01/versions/1/document.docx", None, L, DENY),
    ("GET", "/quality/procedures/<code>/versions/<int:version>/document-signed.pdf"): (
        "/quality/procedures/QT-XD-01/versions/1/document-signed.pdf", None, L, DENY),  # 404 until signed
    ("POST", "/quality/procedures/<code>/metadata"): ("/quality/procedures/QT-XD-01/metadata", {"scope": "x"}, L, DENY),
    ("POST", "/quality/procedures/<code>/migrations"): ("/quality/procedures/QT-XD-01/migrations", {}, L, DENY),
    ("POST", "/quality/procedures/<code>/migrations/<int:migration_id>/revert"): (
        "/quality/procedures/QT-XD-01/migrations/1/revert", {}, L, DENY),
    ("POST", "/quality/procedures/<code>/migrations/dry-run"): ("/quality/procedures/QT-XD-01/migrations/dry-run",
                                                                {}, L, DENY),
    ("POST", "/quality/procedures/<code>/tasks/<task_id>"): ("/quality/procedures/QT-XD-01/tasks/{T1}", {}, L, DENY),
    ("POST", "/quality/procedures/<code>/versions/<int:version>/new-draft"): (
        "/quality/procedures/QT-XD-01/versions/1/new-draft", {}, L, DENY),
    ("POST", "/quality/procedures/<code>/versions/<int:version>/submit"): (
        "/quality/procedures/QT-XD-01/versions/1/submit", {}, L, DENY),
    ("POST", "/quality/procedures/<code>/versions/<int:version>/withdraw"): (
        "/quality/procedures/QT-XD-01/versions/1/withdraw", {}, L, DENY),
    ("POST", "/quality/procedures/create"): ("/quality/procedures/create", {"code": "QT-NEW-01"}, L, DENY),
    ("POST", "/quality/procedures/upload"): ("/quality/procedures/upload", {}, L, DENY),
    # the reviewer's page of an approval step (web/quality_review.py): a step of another case is no review (404)
    ("GET", "/quality/review/<task_id>"): ("/quality/review/{T1}", None, L, DENY),
    ("POST", "/quality/review/<task_id>"): ("/quality/review/{T1}", {}, L, DENY),
    ("GET", "/api/procedures/<code>"): ("/api/procedures/QT-XD-01", None, L, DENY),
    ("GET", "/api/procedures/<code>/versions"): ("/api/procedures/QT-XD-01/versions", None, L, DENY),
    ("GET", "/api/procedures/<code>/versions/<int:version>/bpmn"): ("/api/procedures/QT-XD-01/versions/1/bpmn",
                                                                    None, L, DENY),
    ("GET", "/api/procedures/<code>/diff"): ("/api/procedures/QT-XD-01/diff?from=1&to=1", None, L, DENY),
    # checking a model costs CPU in its size: only those who edit procedures may (issue 12 defect 3)
    ("POST", "/api/procedures/validate"): ("/api/procedures/validate", ("json", {"xml": "<x/>"}), {"quality"}, DENY),
    ("PUT", "/api/procedures/<code>/draft"): ("/api/procedures/QT-XD-01/draft", ("json", {"xml": "<x/>"}),
                                              {"quality"}, SOFT),
    ("POST", "/api/procedures/<code>/versions/<int:version>/submit"): (
        "/api/procedures/QT-XD-01/versions/1/submit", ("json", {}), {"quality"}, SOFT),
    ("GET", "/api/procedures/<code>/migrations"): ("/api/procedures/QT-XD-01/migrations", None, L, DENY),
    ("POST", "/api/procedures/<code>/migrations"): ("/api/procedures/QT-XD-01/migrations",
                                                   ("json", {"source": 1, "target": 1}), {"quality"}, SOFT),
    ("POST", "/api/procedures/<code>/migrations/dry-run"): ("/api/procedures/QT-XD-01/migrations/dry-run",
                                                           ("json", {"source": 1, "target": 1}), {"quality"}, SOFT),
    ("POST", "/api/procedures/<code>/migrations/<int:migration_id>/revert"): (
        "/api/procedures/QT-XD-01/migrations/1/revert", ("json", {}), {"quality"}, SOFT),
}


def _rules(app) -> set[tuple[str, str]]:
    return {(m, r.rule) for r in app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}}


def test_every_endpoint_is_classified(xd):
    rules = _rules(xd)
    missing = sorted(rules - set(MATRIX))
    stale = sorted(set(MATRIX) - rules)
    assert not missing, f"classify these endpoints in tests/web/test_security_matrix.py: {missing}"
    assert not stale, f"these classified endpoints no longer exist: {stale}"


@pytest.fixture
def state(xd, org, clock, tmp_path):
    """Dossiers D1 (appraisal open to the specialists) and D2 (appraisal claimed by cv.ktht) with a scan, a
    comment, a pending apology; a refusal slip; a delegation. Returns the ids and a way to reset the database."""
    if not org.url.startswith("sqlite"):
        pytest.skip("the matrix copies the SQLite file between probes")
    xd.config.update(CITIZEN_LOOKUP_LIMIT="10000 per minute", LOGIN_RATE_LIMIT="1000 per minute")
    root = Path(xd.config["ATTACHMENTS_DIR"])
    applicant = reception.Applicant("Nguyễn Văn An", "001203004567")
    form = {k[5:]: v for k, v in XD_FORM.items()}

    def receive(outcome: str = "accepted", note: str = "", uploads=()):
        counter = reception.Counter(applicant, [], form, note, list(uploads))
        return reception.receive(org, "QT-XD-01", counter, outcome, "motcua", clock, root)

    d1 = receive(uploads=[reception.Upload("ban-ve.png", PNG)])
    d2 = receive()
    slip = receive("refused", "Không thuộc thẩm quyền")
    tasks.claim(org, open_task(org, d2.ref), "cv.ktht", clock)
    comments.add(org, d1.instance_id, "Đã nhận đủ", "motcua", clock)
    pending = apology.request(org, d1.ref, "cv.ktht", clock, "Chờ đo đạc")
    sub = substitutes.set_substitute(org, "cv.ktht", "cv.ktht2", dt.date(2026, 1, 5), dt.date(2026, 1, 9), "cv.ktht",
                                     clock)
    try:
        from processes import procedures

        procedures.adopt_deployed(org, clock)
    except ImportError:
        pass
    with org.read() as conn:
        attachment = conn.execute(text("SELECT id FROM attachments")).scalar_one()
    values = {"D1": d1.ref, "D2": d2.ref, "S": slip.ref, "T1": open_task(org, d1.ref), "T2": open_task(org, d2.ref),
              "A": attachment, "AP": pending.id, "SUB": sub.id}
    path = Path(org.url.split("///", 1)[1])
    snapshot = tmp_path / "snapshot.sqlite"
    org.dispose()
    _copy(path, snapshot)

    def reset() -> None:
        # The users logged in after the snapshot: their server-side sessions outlive the reset.
        with org.read() as conn:
            logged_in = [dict(r._mapping) for r in conn.execute(select(web_sessions))]
        org.dispose()
        _copy(snapshot, path)
        with org.write() as conn:
            conn.execute(delete(web_sessions))
            if logged_in:
                conn.execute(insert(web_sessions), logged_in)
        org.live.clear()
        org.procedures.clear()

    return values, reset


def _copy(source: Path, target: Path) -> None:
    """Copy a SQLite database page by page (the backup API also carries what is still in the WAL)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _request(client, method: str, path: str, body, values: dict):
    from tests.web.conftest import csrf_of

    url = path.format(**values)
    if body is None:
        return client.open(url, method=method)
    if isinstance(body, tuple):
        payload = {k: v.format(**values) if isinstance(v, str) else v for k, v in body[1].items()}
        return client.open(url, method=method, json=payload)
    data = {k: (v.format(**values) if isinstance(v, str) else v) for k, v in body.items() if k != "csrf"}
    if data.get("file") == "PNG":
        data["file"] = (io.BytesIO(PNG), "scan.png")
    data["csrf_token"] = csrf_of(client.get("/login").data)
    return client.open(url, method=method, data=data)


def _verdict(kind: str, reply, allowed, deny: set[int], api: bool) -> str | None:
    """None when the reply is what this kind of user should get, else what went wrong."""
    login_page = reply.status_code == 302 and "/login" in reply.headers.get("Location", "")
    if reply.status_code >= 500:
        return f"server error {reply.status_code}"
    if allowed == P:  # no login needed (a wrong password's 401 or logout's redirect to the login page are fine)
        return None if reply.status_code != 403 else "refused 403"
    if kind == "anonymous":
        ok = reply.status_code == 401 if api else login_page
        return None if ok else f"anonymous got {reply.status_code}"
    if allowed == L or kind in allowed:
        return None if reply.status_code not in (401, 403) and not login_page else f"refused {reply.status_code}"
    return None if reply.status_code in deny else f"not refused: {reply.status_code}"


def test_every_endpoint_answers_each_kind_of_user_as_classified(xd, login, state):
    values, reset = state
    clients = {kind: login(name) for kind, name in USERS.items()}
    clients["anonymous"] = xd.test_client()
    failures = []
    for (method, rule), (path, body, allowed, deny) in sorted(MATRIX.items(), key=lambda kv: kv[0][1]):
        api = rule.startswith("/api/")
        for kind in KINDS:
            if method != "GET":
                reset()
            if kind != "anonymous" and method == "POST" and rule == "/logout":
                continue  # logging the representative users out would end the run
            reply = _request(clients[kind], method, path, body, values)
            reply.get_data()  # a streamed reply (the CSV export) is read inside its own request
            problem = _verdict(kind, reply, allowed, deny, api)
            if problem:
                failures.append(f"{method} {rule} as {kind} ({USERS.get(kind, '-')}): {problem}")
    assert not failures, "\n".join(failures)


def test_forms_without_a_csrf_token_are_refused(xd, login, state):
    values, reset = state
    c = login("cv.ktht")
    for method, rule in sorted(MATRIX):
        path, body, allowed, _ = MATRIX[(method, rule)]
        if method == "GET" or rule.startswith("/api/") or isinstance(body, tuple):
            continue
        reply = c.open(path.format(**values), method=method, data={"x": "1"})
        assert reply.status_code == 400, f"{method} {rule} accepted a form without a CSRF token"
