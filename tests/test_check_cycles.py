"""tools/check_cycles.py (run by `make lint`) finds import cycles inside a package, however they are hidden."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parent.parent / "tools" / "check_cycles.py"


def _load_tool():
    # tools/ is not a package (it is neither installed nor checked for cycles itself): load the script by path.
    spec = importlib.util.spec_from_file_location("check_cycles", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


check_cycles = _load_tool()


def _package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> str:
    """A throw-away importable package (unique name, so grimp and sys.modules never mix two tests)."""
    name = f"synthetic_{uuid.uuid4().hex[:8]}"
    root = tmp_path / name
    root.mkdir()
    for relative, text in {"__init__.py": "", **files}.items():
        (root / relative).write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


# a → b at module level, b → c only for the type checker, c → a inside a function: still one cycle.
HIDDEN_CYCLE = {
    "a.py": "from . import b\n",
    "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .c import C\n",
    "c.py": "class C:\n    def run(self):\n        from .a import b\n        return b\n",
    "d.py": "from . import a\n",  # imports into the cycle but is not part of it
}


def test_a_cycle_through_a_type_checking_and_a_function_local_import_is_found(tmp_path, monkeypatch):
    name = _package(tmp_path, monkeypatch, HIDDEN_CYCLE)
    cycles = check_cycles.find_cycles(name)
    assert [c.chain() for c in cycles] == [f"{name}.a → {name}.b → {name}.c → {name}.a"]
    assert f"{name}.c:3  from .a import b" in cycles[0].lines


def test_the_check_prints_the_chain_and_exits_1(tmp_path, monkeypatch, capsys):
    name = _package(tmp_path, monkeypatch, HIDDEN_CYCLE)
    assert check_cycles.main([name]) == 1
    out = capsys.readouterr().out
    assert f"{name}: 1 import cycle(s)" in out
    assert f"  {name}.a → {name}.b → {name}.c → {name}.a" in out


def test_every_module_of_a_tangle_is_shown_in_some_cycle(tmp_path, monkeypatch):
    # Two loops sharing hub: hub ↔ x and hub ↔ y; one chain alone would hide one of them.
    name = _package(tmp_path, monkeypatch, {
        "hub.py": "from . import x, y\n", "x.py": "from . import hub\n", "y.py": "from . import hub\n",
    })
    chains = {c.chain() for c in check_cycles.find_cycles(name)}
    assert chains == {f"{name}.hub → {name}.x → {name}.hub", f"{name}.y → {name}.hub → {name}.y"}


def test_a_package_without_cycles_passes(tmp_path, monkeypatch, capsys):
    name = _package(tmp_path, monkeypatch, {"a.py": "from . import b\n", "b.py": "import json\n"})
    assert check_cycles.main([name]) == 0
    assert capsys.readouterr().out == f"{name}: no import cycle\n"


def test_every_top_level_package_but_the_tests_is_checked_by_default(tmp_path):
    for folder in ("engine", "documents", "tests", "bpmn"):
        (tmp_path / folder).mkdir()
    for package in ("engine", "documents", "tests"):
        (tmp_path / package / "__init__.py").write_text("")
    assert check_cycles.discover_packages(tmp_path) == ["documents", "engine"]


def test_the_engine_has_no_import_cycle():
    # The other packages are being untangled; engine's cycle (parsing → timers → runner) is fixed for good.
    assert "engine" in check_cycles.discover_packages()
    assert check_cycles.find_cycles("engine") == []
