"""The JSON API's schemas dump the views of processes/ directly: datetimes as ISO 8601 with their offset,
documented as `format: date-time`, and the same wire shape the views' as_dict methods used to give."""

from __future__ import annotations

import datetime as dt

from engine.versiondiff import VersionDiff
from processes.apology import ApologyView
from processes.comments import Comment
from processes.stats import Counts, Dashboard
from processes.substitutes import Substitution
from processes.view_schemas import VersionDiffSchema
from web.api.openapi import spec_document
from web.api.workspace_schemas import ApologySchema, CommentSchema, DashboardSchema, SubstituteSchema

AT = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)
# Text the event log recorded (the step's due time at that event), not a datetime the schema formats.
TEXT_TIMES = {("TimelineEntry", "due_at")}


def test_every_datetime_of_the_api_is_documented_as_date_time():
    schemas = spec_document()["components"]["schemas"]
    seen = 0
    for name, schema in schemas.items():
        for prop, spec in schema.get("properties", {}).items():
            if prop.endswith("_at") and (name, prop) not in TEXT_TIMES:
                assert spec.get("format") == "date-time", (name, prop, spec)
                seen += 1
    assert seen > 30
    assert schemas["Substitute"]["properties"]["starts_on"]["format"] == "date"
    assert schemas["Dashboard"]["properties"]["since"]["format"] == "date"
    assert schemas["Dashboard"]["properties"]["total"] == {"$ref": "#/components/schemas/Counts"}


def test_datetimes_keep_their_offset_and_dates_are_iso_days():
    comment = Comment(1, 2, None, "cv.ktht", "Đã xem", AT)
    assert CommentSchema().dump(comment)["created_at"] == "2026-01-05T01:00:00+00:00"
    hanoi = dt.timezone(dt.timedelta(hours=7))
    view = ApologyView(1, "H01-260105-0001", 2, "H01", "pending", "x", AT, AT.astimezone(hanoi), "cv.ktht", AT,
                       None, None, None)
    dumped = ApologySchema().dump(view)
    assert dumped["appointment_at"] == "2026-01-05T01:00:00+00:00"
    assert dumped["proposed_at"] == "2026-01-05T08:00:00+07:00"
    assert dumped["new_appointment_at"] is None and "instance_id" not in dumped
    assert dt.datetime.fromisoformat(dumped["proposed_at"]) == AT
    delegation = Substitution(1, "cv.ktht", "cv.ktht2", dt.date(2026, 1, 5), dt.date(2026, 1, 7), "", "cv.ktht", False)
    assert SubstituteSchema().dump(delegation)["ends_on"] == "2026-01-07"


def test_dashboard_rates_are_rounded_and_rating_keys_are_text():
    total = Counts("H01", "Huyện", received=3, done=3, early=2, on_time=1)
    board = Dashboard(dt.date(2026, 1, 1), dt.date(2026, 1, 31), ["Huyện"], total,
                      overdue_steps=[{"code": "H01-1", "task_uuid": "t", "name": "Thẩm định", "assignee": None,
                                      "roles": "chuyen_vien", "due_at": AT}], ratings={5: 2})
    dumped = DashboardSchema().dump(board)
    assert dumped["total"]["early_rate"] == 0.6667 and dumped["total"]["late_rate"] == 0.0
    assert dumped["overdue_steps"][0]["due_at"] == "2026-01-05T01:00:00+00:00"
    assert dumped["ratings"] == {"5": 2} and dumped["until"] == "2026-01-31"


def test_a_version_diff_lists_its_changes_with_names_and_details():
    diff = VersionDiff(added=["Task_B"], changed={"Task_A": ["name"]}, names={"Task_A": "Thẩm định kỹ"},
                       details={"Task_A": {"name": {"from": "Thẩm định", "to": "Thẩm định kỹ"}}})
    assert VersionDiffSchema().dump(diff) == {
        "added": ["Task_B"], "removed": [], "names": {"Task_A": "Thẩm định kỹ"},
        "changed": [{"element_id": "Task_A", "what": ["name"], "name": "Thẩm định kỹ",
                     "details": {"name": {"from": "Thẩm định", "to": "Thẩm định kỹ"}}}]}
