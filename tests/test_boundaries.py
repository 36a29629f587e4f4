"""The house rules of the package, read from the source (imports inside
functions included):

- a feature folder (catalog/, publishing/, requests/, supervision/, and the
  ones to come) imports the shared floor and its own modules; of another
  feature it imports only that feature's public entry point, `api.py`;
- a feature never imports the plugin's glue (plugin.py, logic/, views.py,
  helpers.py, cli.py and the other root modules that wire CKAN together);
- the shared floor knows no feature and no glue;
- the harvesters reach the features only through their `api.py` as well.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .support import ROOT

PACKAGE = ROOT / "ckanext-nanjing" / "ckanext" / "nanjing"
HARVESTERS = ROOT / "harvesters" / "ckanext" / "nanjing_harvest"
DOTTED = "ckanext.nanjing"
FEATURES = frozenset(["catalog", "publishing", "requests", "supervision",
                      "access", "interaction", "feeds", "website"])
PUBLIC_ENTRY = "api"
# Used by two features or more, knowing none of them.
FLOOR = frozenset(["actionkit", "codelists", "collation", "directory", "documents", "files",
                   "formfields", "identifiers", "language", "localtime", "lookupcodes", "mail",
                   "paging", "personal_data", "printing", "privatepages", "qrcodes", "ratelimit", "roles",
                   "sealing",
                   "sniffing",
                   "spreadsheets", "workdays"])


def imported_modules(path: Path, package: str) -> set[str]:
    """Dotted names of the modules `path` (a module of `package`) imports,
    made absolute; `from X import y` counts as X.y, since y may be a module."""
    found: set[str] = set()
    parts = package.split(".")
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = parts[:len(parts) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith(DOTTED + ".")}


def _package_of(path: Path, package_root: Path) -> str:
    relative = path.relative_to(package_root.parent.parent).with_suffix("")
    parts = list(relative.parts)
    return ".".join(parts if path.name == "__init__.py" else parts[:-1])


def _area(dotted: str) -> tuple[str, str]:
    """(first part below ckanext.nanjing, second part) of a dotted name."""
    rest = dotted[len(DOTTED) + 1:].split(".")
    return rest[0], rest[1] if len(rest) > 1 else ""


def glue_modules(package_root: Path = PACKAGE) -> set[str]:
    """The root modules and folders that are neither a feature nor the floor."""
    names = {path.stem for path in package_root.glob("*.py")} | {
        path.name for path in package_root.iterdir() if (path / "__init__.py").exists()}
    return names - FEATURES - FLOOR - {"__init__"}


def broken_rules(package_root: Path = PACKAGE, glue: set[str] | None = None) -> list[str]:
    glue = glue_modules(package_root) if glue is None else glue
    problems = []
    for path in sorted(package_root.rglob("*.py")):
        if "migration" in path.parts or "__pycache__" in path.parts:
            continue
        package = _package_of(path, package_root)
        own, _ = _area(package + "." + path.stem)
        where = path.relative_to(package_root.parent.parent.parent)
        for target in sorted(imported_modules(path, package)):
            area, module = _area(target)
            if own in FEATURES:
                if area in FEATURES and area != own and module != PUBLIC_ENTRY:
                    problems.append(f"{where} imports {target}: another feature's internals "
                                    f"(use {DOTTED}.{area}.{PUBLIC_ENTRY})")
                elif area in glue:
                    problems.append(f"{where} imports {target}: the plugin's glue")
            elif own in FLOOR and (area in FEATURES or area in glue):
                problems.append(f"{where} imports {target}: the shared floor knows no "
                                f"feature and no glue")
    return problems


def test_features_import_the_floor_and_each_others_api_only():
    assert broken_rules() == []


def test_the_harvesters_reach_the_features_through_their_api():
    problems = []
    for path in sorted(HARVESTERS.rglob("*.py")):
        package = "ckanext.nanjing_harvest" + "".join(
            "." + part for part in path.relative_to(HARVESTERS).parent.parts)
        for target in imported_modules(path, package):
            area, module = _area(target)
            if area in FEATURES and module != PUBLIC_ENTRY:
                problems.append(f"{path.relative_to(ROOT)} imports {target}")
    assert problems == []


def test_every_folder_of_the_package_is_a_feature_or_known():
    """A new folder must be placed: a feature (its own rules) or glue."""
    folders = {path.name for path in PACKAGE.iterdir()
               if path.is_dir() and (path / "__init__.py").exists()}
    assert folders - FEATURES - FLOOR <= {"logic"}, folders
    assert {"catalog", "publishing", "requests", "supervision"} <= folders


def _fake_tree(tmp_path: Path, name: str, source: str) -> list[str]:
    """The rules applied to a made-up package laid out like ours, holding
    one module `name` (with the real package's glue)."""
    fake = tmp_path / "ckanext" / "nanjing"
    (fake / name).parent.mkdir(parents=True, exist_ok=True)
    (fake / name).write_text(source, encoding="utf-8")
    return broken_rules(fake, glue_modules())


@pytest.mark.parametrize("source, expected", [
    ("from ..requests import letters\n", "another feature's internals"),
    ("from ..requests.model import Request\n", "another feature's internals"),
    ("def later():\n    from ckanext.nanjing.publishing import gate\n",
     "another feature's internals"),
    ("from .. import helpers\n", "the plugin's glue"),
    ("from ..logic import params\n", "the plugin's glue"),
])
def test_the_check_finds_a_feature_reaching_too_far(tmp_path, source, expected):
    problems = _fake_tree(tmp_path, "supervision/sample.py", source)
    assert len(problems) == 1 and expected in problems[0], problems


def test_the_check_allows_the_floor_and_the_public_entry(tmp_path):
    assert _fake_tree(tmp_path, "supervision/sample.py",
                      "from .. import localtime, printing\nfrom ..requests import api\n"
                      "from ..requests.api import Request\nfrom . import other\n") == []


def test_the_check_keeps_the_floor_free_of_features(tmp_path):
    problems = _fake_tree(tmp_path, "printing.py", "from .requests import letters\n")
    assert len(problems) == 1 and "knows no feature" in problems[0], problems
