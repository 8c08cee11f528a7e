"""The package's import graph flows one way: no circles, no borrowed private names, no upward imports.

The graph is read from the source with `ast` (every import statement, at module
level or inside a function, and `TYPE_CHECKING` blocks too), so a lazy import
cannot hide a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "sqlrelease"

# Each module's layer, lowest first; a module may import only from its own layer or below.
# Within a layer the graph must still be free of circles. Modules not listed (and every
# module of a listed package) take their package's layer.
LAYERS = [
    # base: no knowledge of projects, releases or rendering
    {"version", "errors", "tomlfile", "templates", "dialects", "terminal", "archive", "sqlnames", "messages", "timelimit", "workers", "schema", "statusquery", "sqlitescratch", "jsontext"},
    # inputs: configuration, history, plan; where rehearsal servers come from
    {"config", "history", "plan", "servers", "urls"},
    # rendering and its plain results
    {"rendered", "batch", "render", "diagnosis", "rehearse", "overrides", "volatile"},
    # the opened project
    {"project"},
    # the bundle format and what it is made of; risk analysis of rendered SQL
    {"sqlscript", "bundle", "lint", "diff", "expected"},
    # review: the risk report, waivers, approvals of built bundles
    {"review", "approval", "inputs"},
    # the verbs, then the ways in
    {"commands", "fleet"},
    {"api"},
    {"cli", "__main__", "sqlrelease"},
]


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name or "sqlrelease"] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> list[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) for every import of this package in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    if name == "sqlrelease":
        package = []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1] if node.level > 1 else package
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("sqlrelease"):
                target = node.module.removeprefix("sqlrelease").lstrip(".")
            else:
                continue
            for alias in node.names:
                module = f"{target}.{alias.name}".strip(".")
                if module in known:
                    found.append((module, None, node.lineno))
                else:
                    found.append((target or "sqlrelease", alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("sqlrelease."):
                    found.append((alias.name.removeprefix("sqlrelease."), None, node.lineno))
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {
        name: {target for target, _, _ in imports(name, path, known) if target != name}
        for name, path in mods.items()
    }


def layer(module: str) -> int:
    top = module.split(".")[0]
    for index, members in enumerate(LAYERS):
        if module in members or top in members:
            return index
    raise AssertionError(f"module {module} is in no layer: add it to LAYERS in {Path(__file__).name}")


def test_every_module_has_a_layer():
    for module in modules():
        layer(module)


def test_no_module_imports_from_a_layer_above_it():
    upward = [
        f"{module} (layer {layer(module)}) imports {target} (layer {layer(target)})"
        for module, targets in graph().items()
        for target in targets
        if layer(target) > layer(module)
    ]
    assert not upward, "\n".join(upward)


def test_no_import_circles():
    edges = graph()
    circles, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                circles.append(" -> ".join(stack[stack.index(target):] + [target]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert not circles, "import circles:\n" + "\n".join(circles)


def test_no_module_takes_another_modules_private_names():
    mods = modules()
    known = set(mods)
    borrowed = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: imports {name} from {target}"
        for module, path in mods.items()
        for target, name, line in imports(module, path, known)
        if name and name.startswith("_") and target != module
    ]
    # `module._name` through an imported module is the same borrowing.
    for module, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("sqlrelease"))
            for alias in node.names
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                borrowed.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: uses {node.value.id}.{node.attr}")
    assert not borrowed, "\n".join(borrowed)


@pytest.mark.parametrize(
    "source, circle",
    [
        ({"a": "from . import b\n", "b": "from .a import x\n"}, True),
        ({"a": "def f():\n    from . import b\n", "b": "from . import a\n"}, True),
        ({"a": "from . import b\n", "b": "x = 1\n"}, False),
    ],
)
def test_the_circle_finder_sees_lazy_imports_too(tmp_path, monkeypatch, source, circle):
    """The test above can fail: a circle hidden in a function-level import is found."""
    for name, text in source.items():
        (tmp_path / f"{name}.py").write_text(text, encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path)
    if circle:
        with pytest.raises(AssertionError, match="import circles"):
            test_no_import_circles()
    else:
        test_no_import_circles()
