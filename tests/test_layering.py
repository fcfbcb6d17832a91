"""The package's layers: no import circle, and models that know nothing of the admin.

Every module of ``wagtail_mentoring`` is parsed with :mod:`ast`; every import in it
counts, at module level or inside a function. ``from package import name`` is an edge
to ``package.name`` when that is a module, else to ``package``. Importing a submodule
also runs its package's ``__init__``, but that is how every package works, so it is no
edge here.

An import under ``if TYPE_CHECKING:`` never runs, so it cannot close a circle; it is
still a dependency, so the layer rule (models import nothing from the admin or the
views) counts it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import wagtail_mentoring

PACKAGE = "wagtail_mentoring"
ROOT = Path(wagtail_mentoring.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    """Every module of the package (migrations included), by dotted name."""
    return {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute name of a (possibly relative) ``from`` import's module."""
    if not level:
        return target or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    if level > 1:
        base = base[: -(level - 1)]
    return ".".join(base + ([target] if target else []))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST, type_checking: bool):
    """Every import statement in ``tree``; with ``type_checking`` false, none of those
    under ``if TYPE_CHECKING:``."""
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and not type_checking and _is_type_checking(node.test):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))


def imports_of(
    module: str, path: Path, modules: dict[str, Path], type_checking: bool = True
) -> set[str]:
    """The package's modules that ``module`` imports, anywhere in its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def add(name: str) -> None:
        # ``import a.b.c`` where only ``a.b`` is a module of ours: the longest match.
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name.startswith(PACKAGE):
            found.add(name)

    for node in _import_nodes(tree, type_checking):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, is_package, node.level, node.module)
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                add(candidate if candidate in modules else source)
    found.discard(module)
    return found


def import_graph(type_checking: bool = True) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (``type_checking``: with the imports
    under ``if TYPE_CHECKING:``)."""
    modules = package_modules()
    return {name: imports_of(name, path, modules, type_checking) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a path ``[a, b, ..., a]``, or ``None``."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    for start in sorted(graph):
        if colour[start] != WHITE:
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        colour[start] = GREY
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = BLACK
                stack.pop()
                path.pop()
            elif colour.get(child, BLACK) == GREY:
                return [*path[path.index(child) :], child]
            elif colour.get(child) == WHITE:
                colour[child] = GREY
                stack.append((child, iter(sorted(graph[child]))))
                path.append(child)
    return None


def test_the_graph_sees_relative_absolute_and_function_level_imports():
    graph = import_graph()
    # Relative, at module level.
    assert "wagtail_mentoring.admin.permissions" in graph["wagtail_mentoring.wagtail_hooks"]
    # ``from ..models import Match``: the models package.
    assert "wagtail_mentoring.models" in graph["wagtail_mentoring.admin.matches"]
    # Inside a function.
    assert "wagtail_mentoring.models.surveys" in graph["wagtail_mentoring.admin.permissions"]


def test_imports_for_type_checkers_only_close_no_circle(tmp_path):
    source = tmp_path / "example.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from wagtail_mentoring.models.cycles import Cycle\n"
        "else:\n"
        "    from wagtail_mentoring import conf\n"
        "def f():\n"
        "    from wagtail_mentoring.models import pages\n"
    )
    modules = package_modules()
    everything = imports_of("wagtail_mentoring.example", source, modules)
    assert everything == {
        "wagtail_mentoring.models.cycles",
        "wagtail_mentoring.conf",
        "wagtail_mentoring.models.pages",
    }
    at_runtime = imports_of("wagtail_mentoring.example", source, modules, type_checking=False)
    assert at_runtime == {"wagtail_mentoring.conf", "wagtail_mentoring.models.pages"}


def test_find_cycle_reports_the_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_circle():
    cycle = find_cycle(import_graph(type_checking=False))
    assert cycle is None, "Import circle: " + " -> ".join(cycle)


def test_models_import_nothing_from_admin_or_views():
    below = ("wagtail_mentoring.admin", "wagtail_mentoring.views")
    offending = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if module == "wagtail_mentoring.models" or module.startswith("wagtail_mentoring.models.")
        for target in targets
        if any(target == layer or target.startswith(layer + ".") for layer in below)
    )
    assert not offending, "Models must not import the admin or views:\n" + "\n".join(offending)
