"""Numbers on the pages as Vietnamese write them: labels.vn_number is the one formatter behind vn_count,
vn_decimal, vn_percent (audit, dashboard, inbox pages) and the what-if's numbers (tables and chart labels)."""

from __future__ import annotations

import pytest

from web.labels import vn_count, vn_decimal, vn_number, vn_percent
from web.what_if_charts import numbers


@pytest.mark.parametrize(("value", "digits", "grouped", "text"), [
    (0, 0, True, "0"),
    (0.0, 1, True, "0,0"),
    (12345.67, 1, True, "12.345,7"),
    (1234567, 0, True, "1.234.567"),
    (-1234567.891, 2, True, "-1.234.567,89"),
    (999.95, 1, True, "1.000,0"),  # rounding carries into the thousands
    (0.05, 1, True, "0,1"),
    (0.25, 1, True, "0,2"),  # an exact half goes to the even digit, as Python's format does
    (2.5, 0, True, "2"),
    (12345.67, 1, False, "12345,7"),
    (-1234.5, 1, False, "-1234,5"),
    (-0.04, 1, True, "0,0"),  # a negative value rounding to zero is zero, not "-0,0"
    (-0.4, 0, False, "0"),
])
def test_vn_number(value, digits, grouped, text):
    assert vn_number(value, digits, grouped) == text


@pytest.mark.parametrize(("shown", "args", "text"), [
    (vn_count, (1000,), "1.000"),
    (vn_count, (-1234567,), "-1.234.567"),
    (vn_decimal, (0.9791, 3), "0,979"),
    (vn_decimal, (1234.56,), "1234,6"),
    (vn_decimal, (None,), ""),
    (vn_percent, (0.979,), "97,9%"),
    (vn_percent, (None,), ""),
    (numbers.number, (12345.67,), "12.345,7"),
    (numbers.number, (-12345.67, 0), "-12.346"),
    (numbers.number, (None,), "—"),
    (numbers.percent, (0.924,), "92,4 %"),
    (numbers.delta_points, (0.5, 0.4996), "+0,0 điểm %"),
    (numbers.days, (6.25,), "6,2 ngày làm việc"),
    (numbers.delta_points, (0.9, 0.869), "−3,1 điểm %"),
])
def test_each_format_keeps_its_shape(shown, args, text):
    assert shown(*args) == text
