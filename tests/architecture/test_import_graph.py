"""The import graph between apps: no cycle, and only the allowed directions (docs/architecture.md).

Every `import` of the source tree counts, wherever it stands (module level, inside a function,
under TYPE_CHECKING): an import moved into a function to dodge a cycle is still a cycle. Strings
named in settings (MIDDLEWARE, TENANT_PROVISIONING_STEPS, METERING_RECORDER...) and `include()`d
URLconfs are wiring, not imports.

Allowed directions (an app may import itself and what its layer lists):

    paco (kernel)        -> nothing
    tenants              -> paco
    shared_apps.*        -> paco, tenants, shared_apps.*, tenant_apps.accounts.login (the only
                            tenant-app module the control plane uses: accounts is installed in
                            both schemas and its login views serve vendor support)
    tenant_apps.*        -> paco, tenants, tenant_apps.*
    demo (paco_demo and every app's demo.py / demo_*.py) -> anything

and, on top of that, no cycle between any two apps.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE_PACKAGES = ("src/paco", "src/paco_demo", "tenants", "shared_apps", "tenant_apps")
KERNEL, TENANTS, DEMO = "paco", "tenants", "demo"
SHARED_IMPORTABLE_TENANT_MODULES = frozenset({"tenant_apps.accounts.login"})


@dataclass(frozen=True)
class Import:
    source: str  # the importing app (or "demo")
    target: str  # the imported app
    module: str  # the imported module, as written
    where: str  # path:line of the import

    def __str__(self) -> str:
        return f"{self.where} imports {self.module}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[0] == "src":
        parts = parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def app_of(module: str) -> str | None:
    """The app a module belongs to: `tenant_apps.cases`, `shared_apps.billing`, `tenants`, `paco`,
    or `demo` for the demo app and every app's `demo` module."""
    parts = module.split(".")
    if parts[0] == "paco_demo" or (
        len(parts) >= 3
        and (parts[2] == "demo" or parts[2].startswith("demo_"))
        and parts[0].endswith("_apps")
    ):
        return DEMO
    if parts[0] in ("tenant_apps", "shared_apps"):
        return ".".join(parts[:2]) if len(parts) >= 2 else None
    if parts[0] == "tenants" and len(parts) >= 2 and parts[1] == "demo":
        return DEMO
    if parts[0] in (KERNEL, TENANTS):
        return parts[0]
    return None


def source_files() -> Iterator[Path]:
    for package in SOURCE_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def imports_of(path: Path) -> Iterator[Import]:
    source = app_of(module_name(path))
    if source is None:
        return
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from tenant_apps.cases import services` imports tenant_apps.cases.services
            modules = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for module in modules:
            target = app_of(module)
            if target is not None and target != source:
                yield Import(source, target, module, f"{path.relative_to(ROOT)}:{node.lineno}")


def import_graph(extra: Iterable[Import] = ()) -> dict[str, dict[str, list[Import]]]:
    graph: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
    for path in source_files():
        for found in imports_of(path):
            graph[found.source][found.target].append(found)
    for found in extra:
        graph[found.source][found.target].append(found)
    return graph


def direction_problem(found: Import) -> str | None:
    """Why this import goes the wrong way, or None when it is allowed."""
    source, target = found.source, found.target
    if source == DEMO:
        return None
    if target == DEMO:
        return "nothing imports the demo"
    if source == KERNEL:
        return "the kernel (paco) imports no app"
    if source == TENANTS and target != KERNEL:
        return "tenants imports only the kernel (paco)"
    if source.startswith("shared_apps.") and target.startswith("tenant_apps."):
        if not any(
            found.module == allowed or found.module.startswith(f"{allowed}.")
            for allowed in SHARED_IMPORTABLE_TENANT_MODULES
        ):
            return "shared_apps never import tenant_apps (except tenant_apps.accounts.login)"
    if source.startswith("tenant_apps.") and target.startswith("shared_apps."):
        return "tenant_apps never import shared_apps (use the kernel's settings-named hooks, e.g. paco.usage)"
    return None


def direction_problems(graph: dict[str, dict[str, list[Import]]]) -> list[str]:
    return [
        f"{found}: {problem}"
        for targets in graph.values()
        for imports in targets.values()
        for found in imports
        if (problem := direction_problem(found)) is not None
    ]


def cycles(graph: dict[str, dict[str, list[Import]]]) -> list[list[str]]:
    """One cycle (a list of apps, first == last) per strongly connected group of apps (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, {})):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(set(graph) | {target for targets in graph.values() for target in targets}):
        if node not in index:
            visit(node)
    return [_cycle_in(graph, set(group)) for group in groups]


def _cycle_in(graph: dict[str, dict[str, list[Import]]], group: set[str]) -> list[str]:
    """A shortest cycle through the group's first app (breadth-first inside the group)."""
    start = min(group)
    paths = [[start]]
    seen = {start}
    while paths:
        path = paths.pop(0)
        for target in sorted(graph[path[-1]]):
            if target == start:
                return [*path, start]
            if target in group and target not in seen:
                seen.add(target)
                paths.append([*path, target])
    raise AssertionError(f"no cycle found in {sorted(group)}")  # pragma: no cover - Tarjan found one


def cycle_report(graph: dict[str, dict[str, list[Import]]], cycle: list[str]) -> str:
    lines = [" -> ".join(cycle)]
    for source, target in zip(cycle, cycle[1:], strict=False):
        lines.append(f"  {source} -> {target}: {graph[source][target][0]}")
    return "\n".join(lines)


def test_no_import_cycle_between_apps():
    graph = import_graph()

    found = cycles(graph)

    assert not found, "Import cycles between apps:\n" + "\n".join(
        cycle_report(graph, cycle) for cycle in found
    )


def test_apps_import_only_in_the_allowed_direction():
    problems = direction_problems(import_graph())

    assert not problems, "Imports against the allowed direction:\n" + "\n".join(problems)


def test_the_check_sees_a_cycle_and_a_wrong_direction():
    # given: the tree as it is, plus catalog importing cases (the cycle this repository once had)
    planted = Import(
        "tenant_apps.catalog",
        "tenant_apps.cases",
        "tenant_apps.cases.forms",
        "tenant_apps/catalog/views.py:19",
    )
    graph = import_graph(extra=[planted])

    # when
    found = cycles(graph)
    report = "\n".join(cycle_report(graph, cycle) for cycle in found)

    # then
    assert ["tenant_apps.cases", "tenant_apps.catalog", "tenant_apps.cases"] in found
    assert "tenant_apps/catalog/views.py:19 imports tenant_apps.cases.forms" in report
    assert direction_problem(Import("tenants", "tenant_apps.org", "tenant_apps.org.models", "x.py:1")) == (
        "tenants imports only the kernel (paco)"
    )
