"""A procedure picture is drawn by Graphviz once per distinct drawing; asking again reuses the PNG."""

from __future__ import annotations

from audits import pictures
from audits.pictures import StepUse, picture


def test_the_same_figures_are_drawn_once_and_new_figures_again(xd01_xml, monkeypatch):
    drawn: list[str] = []
    real = pictures._squarest

    def counted(graph):
        drawn.append(graph.source)
        return real(graph)
    monkeypatch.setattr(pictures, "_squarest", counted)
    monkeypatch.setattr(pictures, "_RASTERS", {})
    uses = {"Task_ThamDinh": StepUse(count=12, median_hours=3.5, limit_hours=8.0)}
    first = picture("QT-XD-01", xd01_xml, uses)
    again = picture("QT-XD-01", xd01_xml, uses)
    assert len(drawn) == 1 and again.png == first.png and first.png.startswith(b"\x89PNG")
    picture("QT-XD-01", xd01_xml, {"Task_ThamDinh": StepUse(count=13, median_hours=3.5, limit_hours=8.0)})
    assert len(drawn) == 2
