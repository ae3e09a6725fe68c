"""The deadline texts of a CCHC plan and the dates they mean (oversight/deadlines.py, docs/oversight.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from oversight.deadlines import DeadlineUnreadable, read_deadline

D = dt.date


@pytest.mark.parametrize(("text", "due", "form"), [
    ("Trước ngày 15/01/2024", D(2024, 1, 15), "date"),
    ("trước ngày 15/1", D(2024, 1, 15), "date"),
    ("Chậm nhất ngày 30/9", D(2024, 9, 30), "date"),
    ("20/11/2024", D(2024, 11, 20), "date"),
    ("Quý IV/2023", D(2023, 12, 31), "quarter"),
    ("Quý I năm 2024", D(2024, 3, 31), "quarter"),
    ("quý 3", D(2024, 9, 30), "quarter"),
    ("Năm 2023", D(2023, 12, 31), "year"),
    ("Trong năm", D(2024, 12, 31), "year"),
    ("Cả năm", D(2024, 12, 31), "year"),
    ("Tháng 6/2024", D(2024, 6, 30), "month"),
    ("Tháng 2 năm 2024", D(2024, 2, 29), "month"),
    ("Tháng 11", D(2024, 11, 30), "month"),
    ("6 tháng đầu năm", D(2024, 6, 30), "half"),
    ("Sáu tháng cuối năm 2024", D(2024, 12, 31), "half"),
    ("9 tháng đầu năm", D(2024, 9, 30), "half"),
    ("Thường xuyên", None, "recurring"),
    ("Hằng quý", None, "recurring"),
    ("Định kỳ hằng tháng", None, "recurring"),
    ("Quý II và Quý IV/2024", D(2024, 12, 31), "quarter"),
    ("Trước ngày 15/6 và\n15/12/2024", D(2024, 12, 15), "date"),
])
def test_each_form_of_deadline(text, due, form):
    found = read_deadline(text, 2024)
    assert (found.due, found.form) == (due, form)


@pytest.mark.parametrize(("text", "message"), [
    ("", "chưa ghi thời hạn"),
    ("Sớm nhất có thể", "không hiểu thời hạn «Sớm nhất có thể»"),
    ("31/02/2024", "ngày «31/02/2024» không có thật"),
])
def test_an_unreadable_deadline_says_why(text, message):
    with pytest.raises(DeadlineUnreadable, match=message):
        read_deadline(text, 2024)
