"""`core/` is layered and free of import loops.

Every import in `core/` counts, wherever it sits: module level, inside a function, or under
``TYPE_CHECKING``; a lazy import hides a loop from the interpreter, not from the design. The graph is
read with `ast` (nothing is imported), so the check is fast and sees every line.

Layers, bottom to top (``settings``, ``logs`` and ``jobs``, the background-job primitive and the one
atomic JSON write, may be imported from anywhere; they import nothing else from `core`):

* ``core.nlp``: text and features; imports nothing else from `core`.
* ``core.inference`` and ``core.ingestion``: each on top of nlp; they never import each other.
* ``core.storage``: on top of nlp; only its importer reaches into inference and ingestion (it is where
  they meet).
* ``core.spreadsheet``: a leaf; ``core.analytics`` and ``core.cli`` on top.
* ``core.aspect_report`` (aspect tables for pages and the CLI) sits with ``core.analytics``.
* ``core.predict``, ``core.ingest`` and ``core.aspects``: `python -m` aliases of ``core.cli``, nothing else.

One sanctioned exception reaches above `core`: the `sentiment` dispatcher (``core.cli.main``) names the
entry points in models/, scraping/ and bench/ as module-name strings and imports the chosen one with
``importlib`` at run time. Only that module may name them or import by name
(:func:`test_only_the_dispatcher_imports_by_name`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

from core.settings import REPO_ROOT

CORE = REPO_ROOT / "core"
BASE = "base"
LAYER_OF_PREFIX = {  # longest prefix wins
    "core.settings": BASE,
    "core.logs": BASE,
    "core.jobs": BASE,
    "core.nlp": "nlp",
    "core.inference": "inference",
    "core.ingestion": "ingestion",
    "core.storage": "storage",
    "core.spreadsheet": "spreadsheet",
    "core.analytics": "analytics",
    "core.aspect_report": "analytics",
    "core.cli": "cli",
    "core.predict": "alias",
    "core.ingest": "alias",
    "core.aspects": "alias",
    "core": "package",  # core/__init__.py
}
ALLOWED: dict[str, frozenset[str]] = {
    BASE: frozenset({BASE}),
    "nlp": frozenset({BASE, "nlp"}),
    "inference": frozenset({BASE, "nlp", "inference"}),
    "ingestion": frozenset({BASE, "nlp", "ingestion"}),
    "storage": frozenset({BASE, "nlp", "storage"}),
    "spreadsheet": frozenset({BASE, "spreadsheet"}),
    "analytics": frozenset({BASE, "nlp", "inference", "ingestion", "storage", "spreadsheet", "analytics"}),
    "cli": frozenset({BASE, "nlp", "inference", "ingestion", "storage", "spreadsheet", "analytics", "cli"}),
    "alias": frozenset({"cli"}),
    "package": frozenset(),
}
# The one module allowed more than its layer: storage's importer stores rows and scores them.
# Its aspect half (mentions found, scored by the model per sentence, stored) likewise reaches inference.
EXTRA: dict[str, frozenset[str]] = {
    "core.storage.importer": frozenset({"inference", "ingestion"}),
    "core.storage.aspect_scoring": frozenset({"inference"}),
}
FORBIDDEN_PACKAGES = ("streamlit", "scrapy", "dashboard", "scraping", "models", "bench", "tests")
DISPATCHER = "core.cli.main"  # the one module that imports sibling packages, by name (see the docstring)
FORBIDDEN_MODULE = re.compile(rf"(?:{'|'.join(FORBIDDEN_PACKAGES)})(?:\.\w+)+")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def core_modules(root: Path = CORE) -> dict[str, Path]:
    """Every module and package of `core`, by dotted name (vendored data folders have no .py files)."""
    return {module_name(path, root): path for path in sorted(root.rglob("*.py"))}


def imported_names(tree: ast.AST, module: str, is_package: bool) -> Iterable[str]:
    """Dotted names of everything `tree` imports (``from a import b`` yields ``a.b`` and ``a``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                package = module.split(".") if is_package else module.split(".")[:-1]
                base = ".".join(
                    package[: len(package) - node.level + 1] + ([node.module] if node.module else [])
                )
            else:
                base = node.module or ""
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    """Edges module → core module it imports (an attribute import counts as its module)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = {t for t in imported_names(tree, name, path.name == "__init__.py") if t in modules}
        targets.discard(name)
        # `from core.storage import engine` names the package too; the package's own __init__ is not
        # a dependency worth an edge when a submodule is imported through it
        graph[name] = {t for t in targets if not any(o.startswith(t + ".") for o in targets)}
    return graph


def find_cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

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
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def layer_of(module: str) -> str | None:
    matches = [p for p in LAYER_OF_PREFIX if module == p or module.startswith(p + ".")]
    return LAYER_OF_PREFIX[max(matches, key=len)] if matches else None


def layer_violations(graph: Mapping[str, Iterable[str]]) -> list[str]:
    problems = []
    for module, targets in sorted(graph.items()):
        layer = layer_of(module)
        if layer is None:
            problems.append(f"{module} belongs to no layer: add it to LAYER_OF_PREFIX")
            continue
        allowed = ALLOWED[layer] | EXTRA.get(module, frozenset())
        for target in sorted(targets):
            target_layer = layer_of(target)
            if target_layer not in allowed and target_layer != "package":
                problems.append(f"{module} ({layer}) imports {target} ({target_layer})")
    return problems


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(core_modules())


def test_the_graph_sees_lazy_and_type_checking_imports(graph: dict[str, set[str]]) -> None:
    # the importer reads files lazily (inside import_file) and names Predictor under TYPE_CHECKING
    assert {"core.ingestion.tables", "core.inference.predictor"} <= graph["core.storage.importer"]
    assert graph["core.predict"] == {"core.cli.predict"}


def test_core_has_no_import_loop(graph: dict[str, set[str]]) -> None:
    assert find_cycles(graph) == []


def test_core_imports_run_down_the_layers(graph: dict[str, set[str]]) -> None:
    assert layer_violations(graph) == []


def test_core_imports_no_ui_crawler_or_sibling_package() -> None:
    found = []
    for name, path in core_modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for target in imported_names(tree, name, path.name == "__init__.py"):
            if target.split(".")[0] in FORBIDDEN_PACKAGES:
                found.append(f"{name} imports {target}")
    assert found == []


def by_name_imports(tree: ast.AST) -> Iterable[str]:
    """What makes a module import another at run time by name: module-name strings of the packages
    `core` must not import, and calls of ``importlib.import_module`` / ``__import__``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if FORBIDDEN_MODULE.fullmatch(node.value):
                yield repr(node.value)
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in {"import_module", "__import__"}:
                yield f"{called}()"


def test_only_the_dispatcher_imports_by_name() -> None:
    found = {
        name: sorted(set(by_name_imports(ast.parse(path.read_text(encoding="utf-8")))))
        for name, path in core_modules().items()
    }
    assert {name: names for name, names in found.items() if names} == {
        DISPATCHER: [
            "'bench.__main__'",
            "'models.adapt.cli'",
            "'models.train'",
            "'scraping.__main__'",
            "import_module()",
        ]
    }


def test_the_by_name_check_sees_strings_and_importlib() -> None:
    tree = ast.parse("import importlib\nimportlib.import_module('scraping.runner')\n__import__(x)\n")
    assert sorted(by_name_imports(tree)) == ["'scraping.runner'", "__import__()", "import_module()"]
    assert list(by_name_imports(ast.parse("'models/base'; 'scraping'; 'a models.train note'"))) == []


def test_no_module_level_getattr_re_exports() -> None:
    """A module `__getattr__` that re-exports another module's names is how a loop hid before."""
    found = [
        name
        for name, path in core_modules().items()
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__"
    ]
    assert found == []


def test_the_checks_catch_a_loop_and_a_layer_breach(tmp_path: Path) -> None:
    """The checker itself: a planted loop (one side lazy) and an upward import are both reported."""
    root = tmp_path / "core"
    (root / "nlp").mkdir(parents=True)
    (root / "storage").mkdir()
    for init in (root, root / "nlp", root / "storage"):
        (init / "__init__.py").write_text("")
    (root / "storage" / "engine.py").write_text("from core.storage.rollups import rebuild\n")
    (root / "storage" / "rollups.py").write_text("def rebuild():\n    from core.storage import engine\n")
    (root / "nlp" / "text.py").write_text("from core.storage.engine import get_engine\n")
    planted = import_graph(core_modules(root))
    assert find_cycles(planted) == [["core.storage.engine", "core.storage.rollups"]]
    assert layer_violations(planted) == ["core.nlp.text (nlp) imports core.storage.engine (storage)"]
