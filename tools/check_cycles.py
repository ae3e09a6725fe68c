"""Fail when modules inside one package import each other in a cycle (run by `make lint`).

import-linter's layer contracts only order whole packages; a cycle *inside* a package (a → b → a)
passes them, and such cycles are what function-local imports were being added to dodge. So every
import counts here: top-level, function-local and ``if TYPE_CHECKING:`` ones alike.

Usage: ``python tools/check_cycles.py [package ...]``. Without arguments it checks every top-level
package of the repository (a folder beside this one's parent with an ``__init__.py``) except the
tests, so a package added later (``documents``, ``demo``…) is checked without editing this file.
Each cycle is printed as a chain ``a → b → c → a`` followed by the import lines that make it.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
# Test modules are not part of the architecture; their helpers may import each other freely.
SKIPPED = frozenset({"tests"})


@dataclass(frozen=True)
class Cycle:
    """One import cycle: ``modules[0]`` imports ``modules[1]`` … and the last imports the first."""

    modules: tuple[str, ...]
    lines: tuple[str, ...]

    def chain(self) -> str:
        """The cycle as ``a → b → a``."""
        return " → ".join((*self.modules, self.modules[0]))


def discover_packages(root: Path = ROOT) -> list[str]:
    """The repository's top-level packages, tests excepted."""
    return sorted(
        p.name for p in root.iterdir()
        if p.is_dir() and (p / "__init__.py").is_file() and p.name not in SKIPPED and p.name.isidentifier()
    )


def _import_graph(graph: grimp.ImportGraph, package: str) -> dict[str, set[str]]:
    modules = {m for m in graph.modules if m == package or m.startswith(package + ".")}
    return {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components with more than one module (or a module importing itself), iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    found.append(sorted(component))
    return found


def _shortest_cycle_through(start: str, edges: dict[str, set[str]], allowed: set[str]) -> list[str]:
    """Breadth-first: the shortest path start → … → start staying inside one component."""
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(edges[node] & allowed):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return path[::-1]
            if child not in parent:
                parent[child] = node
                queue.append(child)
    return [start]  # unreachable for a member of a component; kept total for the type checker


def _import_lines(graph: grimp.ImportGraph, modules: Sequence[str]) -> tuple[str, ...]:
    lines = []
    for importer, imported in zip(modules, (*modules[1:], modules[0]), strict=True):
        for detail in graph.get_import_details(importer=importer, imported=imported):
            lines.append(f"{importer}:{detail['line_number']}  {detail['line_contents'].strip()}")
    return tuple(lines)


def find_cycles(package: str) -> list[Cycle]:
    """Cycles inside ``package``: for each tangled component, short cycles until each member is shown."""
    # cache_dir=None: grimp would otherwise leave a .grimp_cache folder in the working directory.
    graph = grimp.build_graph(package, cache_dir=None)
    edges = _import_graph(graph, package)
    cycles = []
    for component in strongly_connected(edges):
        members, shown = set(component), set()
        for module in component:
            if module in shown:
                continue
            path = _shortest_cycle_through(module, edges, members)
            shown.update(path)
            cycles.append(Cycle(tuple(path), _import_lines(graph, path)))
    return cycles


def report(packages: Iterable[str]) -> int:
    """Print every cycle of every package; the exit status: 1 when there is one, else 0."""
    status = 0
    for package in packages:
        cycles = find_cycles(package)
        if not cycles:
            print(f"{package}: no import cycle")
            continue
        status = 1
        print(f"{package}: {len(cycles)} import cycle(s)")
        for cycle in cycles:
            print(f"  {cycle.chain()}")
            for line in cycle.lines:
                print(f"      {line}")
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: check the named packages, or every package of the repository."""
    args = list(sys.argv[1:] if argv is None else argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the packages live at the root
    return report(args or discover_packages())


if __name__ == "__main__":
    sys.exit(main())
