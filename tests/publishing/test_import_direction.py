"""The gate's modules import one another in one direction: jobs → publish →
gate → the checking modules, read from their source (imports inside
functions included), so no import circle comes back."""
from __future__ import annotations

import ast
from pathlib import Path

from ..support import ROOT

PACKAGE = ROOT / "ckanext-nanjing" / "ckanext" / "nanjing" / "publishing"
DOTTED = "ckanext.nanjing.publishing"
# Each module may import only modules of a lower rank.
RANK = {"api": 4, "jobs": 3, "publish": 2, "gate": 1}


def _imports(path: Path) -> set[str]:
    """The publishing modules a module imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                base = node.module
            elif node.level == 0 and (node.module or "").startswith(DOTTED):
                base = node.module[len(DOTTED):].lstrip(".") or None
            else:
                continue
            if base is None:  # from . import gate, jobs
                found.update(alias.name for alias in node.names)
            else:
                found.add(base.split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(DOTTED + "."):
                    found.add(alias.name[len(DOTTED) + 1:].split(".")[0])
    return found


def _graph() -> dict[str, set[str]]:
    modules = {path.stem: path for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    return {name: _imports(path) & modules.keys() for name, path in modules.items()}


def test_the_parser_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text("from . import gate\n"
                      "def later():\n    from .jobs import enqueue\n"
                      "    import ckanext.nanjing.publishing.publish\n"
                      "    from ckanext.nanjing.publishing import datastore\n", encoding="utf-8")
    assert _imports(source) == {"gate", "jobs", "publish", "datastore"}


def test_jobs_publish_gate_import_downwards_only():
    graph = _graph()
    assert {"gate", "publish", "jobs"} <= graph.keys()
    for module, imported in graph.items():
        for target in imported:
            assert RANK.get(target, 0) < RANK.get(module, 0) or (
                RANK.get(target, 0) == RANK.get(module, 0) == 0), \
                f"publishing/{module}.py imports {target}"
    assert "gate" in graph["publish"] and {"gate", "publish"} <= graph["jobs"]


def test_the_publishing_modules_have_no_import_circle():
    graph = _graph()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, "import circle: " + " → ".join(path + (module,))
        if module in done:
            return
        for target in graph[module]:
            visit(target, path + (module,))
        done.add(module)

    for module in graph:
        visit(module, ())
