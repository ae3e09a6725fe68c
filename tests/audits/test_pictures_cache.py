"""A procedure picture is drawn by Graphviz once per distinct drawing; asking again reuses the PNG, in this
process from memory and in another from the drawings kept on disk (audits/drawing_cache.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from audits import drawing_cache, pictures
from audits.pictures import StepUse, picture
from engine.render import render_svg

from .conftest import ROOT

USES = {"Task_ThamDinh": StepUse(count=12, median_hours=3.5, limit_hours=8.0)}


@pytest.fixture
def drawn(monkeypatch, tmp_path) -> list[str]:
    """Sources Graphviz was asked to draw (PNG and SVG), with an empty memory and an empty disk cache."""
    monkeypatch.setenv("QUYTRINH_CACHE_DIR", str(tmp_path / "cache"))
    seen: list[str] = []
    real_png, real_svg = pictures._squarest, pictures.render_graph

    def counted_png(graph):
        seen.append("png")
        return real_png(graph)

    def counted_svg(*args, **kwargs):
        seen.append("svg")
        return real_svg(*args, **kwargs)
    monkeypatch.setattr(pictures, "_squarest", counted_png)
    monkeypatch.setattr(pictures, "render_graph", counted_svg)
    monkeypatch.setattr(pictures, "_RASTERS", {})
    return seen


def test_the_same_figures_are_drawn_once_and_new_figures_again(xd01_xml, drawn):
    first = picture("QT-XD-01", xd01_xml, USES)
    again = picture("QT-XD-01", xd01_xml, USES)
    assert drawn == ["svg", "png"] and again.png == first.png and first.png.startswith(b"\x89PNG")
    assert again.svg == first.svg
    picture("QT-XD-01", xd01_xml, {"Task_ThamDinh": StepUse(count=13, median_hours=3.5, limit_hours=8.0)})
    assert drawn == ["svg", "png"] * 2


def test_another_process_reuses_the_drawings_until_the_model_or_the_renderer_changes(xd01_xml, drawn, tmp_path,
                                                                                      monkeypatch):
    script = ("import sys; from pathlib import Path; from audits.pictures import StepUse, picture; "
              "p = picture('QT-XD-01', Path(sys.argv[1]).read_bytes(), "
              "{'Task_ThamDinh': StepUse(count=12, median_hours=3.5, limit_hours=8.0)}); "
              "sys.stdout.buffer.write(p.png)")
    model = tmp_path / "model.bpmn"
    model.write_bytes(xd01_xml)
    other = subprocess.run([sys.executable, "-c", script, str(model)], cwd=ROOT, capture_output=True, check=True)
    kept = sorted(p.name for p in drawing_cache.folder().iterdir())
    assert [n.rsplit(".", 1)[1] for n in kept] == sorted(["png", "svg"])

    here = picture("QT-XD-01", xd01_xml, USES)
    assert drawn == [] and here.png == other.stdout  # read from disk, not drawn again

    changed = xd01_xml.replace(b'id="Task_ThamDinh" name="', 'id="Task_ThamDinh" name="Bước '.encode())
    assert changed != xd01_xml
    picture("QT-XD-01", changed, USES)
    assert drawn == ["svg", "png"]  # another model: drawn again

    monkeypatch.setattr(pictures, "_RASTERS", {})
    monkeypatch.setattr(drawing_cache, "RENDERER", drawing_cache.RENDERER + "-next")
    picture("QT-XD-01", xd01_xml, USES)
    assert drawn == ["svg", "png"] * 2  # another renderer: drawn again


def test_a_cache_that_cannot_be_written_still_gives_the_picture(xd01_xml, drawn, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("QUYTRINH_CACHE_DIR", str(blocker))
    assert picture("QT-XD-01", xd01_xml, USES).png.startswith(b"\x89PNG") and drawn == ["svg", "png"]


def test_a_drawing_is_kept_readable_by_the_group_and_a_failed_write_leaves_nothing(xd01_xml, drawn, monkeypatch):
    picture("QT-XD-01", xd01_xml, USES)
    kept = list(drawing_cache.folder().iterdir())
    assert len(kept) == 2 and {p.stat().st_mode & 0o777 for p in kept} == {0o640}

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")
    for p in kept:
        p.unlink()
    monkeypatch.setattr(pictures, "_RASTERS", {})
    monkeypatch.setattr(os, "replace", full_disk)  # the rename in processes/atomic_files.py
    assert picture("QT-XD-01", xd01_xml, USES).png.startswith(b"\x89PNG")
    assert list(drawing_cache.folder().iterdir()) == []  # no temporary file left for _prune to skip for ever


def test_a_picture_not_kept_builds_its_graph_once_and_draws_the_svg_of_its_model(xd01_xml, drawn, monkeypatch):
    built: list[str] = []
    real = pictures.procedure_dot

    def counted(*args, **kwargs):
        built.append("dot")
        return real(*args, **kwargs)
    monkeypatch.setattr(pictures, "procedure_dot", counted)
    wide = picture("QT-XD-01", xd01_xml, USES)
    assert built == ["dot"] and drawn == ["svg", "png"]
    colours, notes, lit = pictures.decorations(USES)
    assert wide.svg == render_svg(xd01_xml, lit, None, notes, colours)  # drawn before the PNG turns the graph


def test_only_the_newest_drawings_are_kept(xd01_xml, drawn, monkeypatch):
    """Past KEPT files the oldest go, so the folder does not grow with every year's figures."""
    monkeypatch.setattr(drawing_cache, "KEPT", 2)
    picture("QT-XD-01", xd01_xml, USES)
    first = set(drawing_cache.folder().iterdir())
    other = {"Task_ThamDinh": StepUse(count=30, median_hours=5.0, limit_hours=8.0)}
    picture("QT-XD-01", xd01_xml, other)
    kept = set(drawing_cache.folder().iterdir())
    assert len(kept) == 2 and not kept & first  # the second picture's SVG and PNG; the first's removed
