"""The house drawn from its imports: every module sits on a floor, no import
points up a floor, and no two packages import each other, directly or round
a circle. Imports inside functions and under TYPE_CHECKING count too: a
dodged circle is still a circle.

A new package must be given its floor here; that is the point of the list.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. A module may import its own floor or any below; packages on
# one floor may import each other only where no circle forms.
FLOORS: list[tuple[str, ...]] = [
    # Base: no switch imports of their own beyond each other.
    (
        "switch",
        "switch.errors",
        "switch.clock",
        "switch.moments",
        "switch.metrics",
        "switch.rate_limits",
        "switch.settings",
        "switch.terminal",
        "switch.progress",
    ),
    # The vocabulary: messages and who sends them.
    ("switch.messages", "switch.directory"),
    # The simulated DMV records: a leaf any layer above may be handed.
    ("simulators.dmv",),
    ("switch.db",),
    ("switch.audit",),
    # The migrations are the database's history, run by alembic from their
    # folder (nothing imports them): the data migrations rewrite rows with the
    # audit chain's own functions, so they sit above it.
    ("switch.db.migrations",),
    ("switch.policy",),
    # What the core path consults, and what reads the audit for people.
    (
        "switch.access",
        "switch.warrants",
        "switch.recent_refusals",
        "switch.notices",
        "switch.destinations",
        "switch.impact",
        "switch.reports",
        "switch.client",
        "simulators.mockstate",
    ),
    ("switch.core",),
    ("switch.forwarding",),
    ("switch.app",),
    # Scenarios as data and a player over HTTP: the API serves them.
    ("simulators.scenarios",),
    ("switch.api", "switch.web"),
    ("switch.serving",),
    # Above the server: hubs started for scenarios, traffic and tests.
    ("simulators.harness", "simulators.traffic", "simulators.history", "simulators"),
    ("switch.cli", "switch.demo", "switch.testing"),
]

LONG = 400  # lines; a longer module says why in its first lines


def modules() -> Iterator[tuple[str, Path]]:
    for top in ("switch", "simulators"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


MODULES = dict(modules())


def placed(module: str) -> tuple[int, str]:
    """The floor and name of the longest listed prefix of `module`."""
    best, room = -1, ""
    for index, names in enumerate(FLOORS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > len(room):
                best, room = index, name
    if best < 0:
        raise AssertionError(f"{module} sits on no floor: add its package to FLOORS")
    return best, room


def floor_of(module: str) -> int:
    return placed(module)[0]


def imports(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import of switch or simulators."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            names = [target, *(f"{target}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                yield node.lineno, name


def room(module: str) -> str:
    """The package a module belongs to, as the floors name them."""
    return placed(module)[1]


def test_every_module_has_a_floor() -> None:
    for module in MODULES:
        floor_of(module)


def test_no_import_points_up_a_floor() -> None:
    upward = sorted(
        {
            f"{path.relative_to(ROOT)}:{line}: {module} (floor {floor_of(module)}) imports "
            f"{target} (floor {floor_of(target)})"
            for module, path in MODULES.items()
            for line, target in imports(module, path)
            if floor_of(target) > floor_of(module)
        }
    )
    assert upward == []


def test_no_two_packages_import_each_other_round_a_circle() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in MODULES.items():
        for _, target in imports(module, path):
            if room(target) != room(module) and room(target) not in ("switch", "simulators"):
                graph[room(module)].add(room(target))
    circles = [circle for circle in _strongly_connected(graph) if len(circle) > 1]
    assert circles == []


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_a_circle_is_found() -> None:
    """The finder itself: a circle of three, and a tail that is not in it."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert sorted(c for c in _strongly_connected(graph) if len(c) > 1) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_long_module_says_why(module: str) -> None:
    text = MODULES[module].read_text(encoding="utf-8")
    if text.count("\n") <= LONG:
        return
    docstring = ast.get_docstring(ast.parse(text)) or ""
    head = " ".join(docstring.splitlines()[:12]).lower()
    assert f"over {LONG} lines" in head, (
        f"{MODULES[module].relative_to(ROOT)} has {text.count(chr(10))} lines: split it, "
        f"or say in its docstring's first lines why it is over {LONG} lines"
    )
