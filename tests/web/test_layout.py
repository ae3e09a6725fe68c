"""The shape of web/: no import cycle, the API never imports a page, pages read through processes, no hidden imports."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
# What the JSON API may import from web/ besides itself: the shared modules, none of them a page.
SHARED = {"web.auth", "web.context", "web.extensions", "web.labels", "web.permissions", "web.request_args",
          "web.error_text", "web.problem_text", "web.field_text", "web.i18n"}


def _cycles(graph: grimp.ImportGraph) -> list[set[str]]:
    """The strongly connected groups of more than one module (Tarjan, iterative enough for web/)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in graph.modules:
                continue
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(group)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_web_has_no_import_cycle():
    assert _cycles(grimp.build_graph("web")) == []


def test_the_cycle_check_sees_a_cycle():
    graph = grimp.ImportGraph()
    for module in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(module)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")
    graph.add_import(importer="p.c", imported="p.a")
    assert _cycles(graph) == [{"p.a", "p.b"}]


def test_the_api_imports_no_page_module():
    graph = grimp.build_graph("web")
    api = {m for m in graph.modules if m == "web.api" or m.startswith("web.api.")}
    wrong = {(m, other) for m in api for other in graph.find_modules_directly_imported_by(m)
             if other.startswith("web") and other not in api and other not in SHARED}
    assert wrong == set()


def test_web_reads_tables_only_through_processes():
    graph = grimp.build_graph("web", "processes")
    importers = {m for m in graph.find_modules_that_directly_import("processes.schema") if m.startswith("web")}
    # web.database hands Flask-SQLAlchemy the schema's metadata to build the engine; it reads no table.
    assert importers - {"web.database"} == set()


def test_web_imports_at_module_level_and_never_hides_a_failed_import():
    for path in sorted((ROOT / "web").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = [n.lineno for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
                assert inner == [], f"{path.relative_to(ROOT)}: import inside {node.name} at lines {inner}"
            if isinstance(node, ast.ExceptHandler) and isinstance(node.type, ast.Name):
                assert node.type.id not in ("ImportError", "ModuleNotFoundError"), f"{path.relative_to(ROOT)}"
