"""cli/schemas.py: the JSON of `quytrinh audit sla|index766 --json` from the audit views, by attribute."""

from __future__ import annotations

from audits.index766 import CriterionScore, UnitIndex
from audits.indicators import Counts, SlaReport, StepFigure
from audits.periods import parse_period
from cli.schemas import SlaReportSchema, UnitIndexSchema


def test_sla_report_flattens_step_counts_and_lists_causes():
    step = StepFigure("QT-CT-01", "Task_ThamDinh", "Thẩm định", "P2D", 16.0, Counts(3, 1, 1, 1),
                      late_in_late_dossiers=1, overrun_hours=2.345)
    report = SlaReport(parse_period("2025-Q4"), received=4, overall=Counts(3, 1, 1, 1),
                       by_procedure={"QT-CT-01": Counts(3, 1, 1, 1)}, steps=[step])
    dumped = SlaReportSchema().dump(report)
    assert dumped["period"] == "2025-Q4" and dumped["overall"]["in_time_rate"] == 0.6667
    assert dumped["by_procedure"]["QT-CT-01"]["late_rate"] == 0.3333
    row = dumped["steps"][0]
    assert (row["element_id"], row["resolved"], row["late"], row["overrun_hours"]) == ("Task_ThamDinh", 3, 1, 2.345)
    assert "counts" not in row
    assert dumped["causes"] == [{"procedure": "QT-CT-01", "element_id": "Task_ThamDinh", "name": "Thẩm định",
                                 "late_dossiers": 1, "overrun_hours": 2.3}]


def test_unit_index_keeps_its_criteria():
    unit = UnitIndex("H01", "Huyện", "2025-Q4", "766-2023", [CriterionScore("1", "Công khai", 18.0, "manual")],
                     {"1": 16.5}, 16.5, "Tốt", {"received": 4})
    dumped = UnitIndexSchema().dump(unit)
    assert dumped["criteria"][0] == {"code": "1", "name": "Công khai", "max": 18.0, "source": "manual", "value": None,
                                     "points": 0.0, "basis": "", "missing": False}
    assert dumped["groups"] == {"1": 16.5} and dumped["figures"] == {"received": 4}
