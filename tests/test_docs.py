"""README.md and the manual in docs/ name only what is there.

Plain Python: no CKAN, no services. Checks that

- every repository path the pages name exists: paths in backticks
  (`ckanext-nanjing/ckanext/nanjing/workdays.py`, `config/holidays.yaml`, a
  bare `letters.py` is looked for anywhere in the repository) and relative
  Markdown links (resolved from the page that holds them, `#anchor` dropped);
- every `make <target>` they name is a target of the Makefile;
- the README's Layout section matches the tree: every top-level entry of
  `git ls-files` and every folder of the `nanjing` package is named there, and
  everything named there exists. Each entry of the Layout block takes one
  line: `<indent><name>[, <name>…]  <description>` (two spaces or more before
  the description), a child indented under a folder ending in `/`; lines
  starting with `#` are comments;
- README.md has at most 200 lines.

Not paths: URLs, absolute paths and URL paths (`/api/3/action/…`), runtime
files under `.local/` (and `ckan.ini`, `test.ini`, `bench.ini`, which set-up
writes there), git-ignored locations that set-up fills, config keys
(`ckan.max_resource_size`) and anything with a placeholder (`<id>`, `{…}`,
`*`, `…`, `...`).
"""
from __future__ import annotations

import functools
import os
import re
import subprocess
from pathlib import Path

from .support import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PACKAGE = "ckanext-nanjing/ckanext/nanjing/"
MAX_README_LINES = 200

FILE_EXTENSIONS = (".py", ".md", ".yaml", ".yml", ".ini", ".in", ".txt", ".json", ".sh",
                   ".java", ".xml", ".csv", ".toml", ".html", ".sql", ".cfg", ".conf")
PLACEHOLDERS = ("<", ">", "{", "}", "*", "…", "...", "$", "|", "?", "%", "=")
RUNTIME_FILES = {"ckan.ini", "test.ini", "bench.ini"}  # written by set-up into .local/

FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
MAKE = re.compile(r"(?:^|(?<=[\s;&|(]))make\s+(?:[A-Z_][A-Z0-9_]*=\S+\s+)*([a-z][a-z0-9_-]*)(?![\w*<{-])")
TARGET = re.compile(r"^([A-Za-z0-9][\w.-]*)\s*:(?!=)", re.M)


# ---------------------------------------------------------------- the repository

def _git(*args: str) -> list[str] | None:
    try:
        out = subprocess.run(["git", *args, "-z"], cwd=ROOT, capture_output=True,
                             check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return [name for name in out.decode("utf-8", "surrogateescape").split("\0") if name]


def _walk() -> list[str]:
    """The files under ROOT, without hidden folders (.git, .local) and caches."""
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        found += [str(Path(folder, f).relative_to(ROOT)) for f in files]
    return found


@functools.lru_cache(maxsize=None)
def tracked_files() -> tuple[str, ...]:
    """`git ls-files` (what is on disk), or every file when there is no git."""
    names = _git("ls-files")
    if names is None:
        return tuple(_walk())
    return tuple(name for name in names if (ROOT / name).exists())


@functools.lru_cache(maxsize=None)
def repo_files() -> tuple[str, ...]:
    """Tracked files and new ones not yet added (ignored ones left out)."""
    names = _git("ls-files", "--cached", "--others", "--exclude-standard")
    if names is None:
        return tuple(_walk())
    return tuple(name for name in names if (ROOT / name).exists())


@functools.lru_cache(maxsize=None)
def top_level() -> frozenset[str]:
    return frozenset(name.split("/")[0] for name in tracked_files())


def ignored(path: str) -> bool:
    """A location set-up fills that git ignores (.local/, the npm vendor folder)."""
    try:
        return subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT,
                              capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def exists(path: str, base: Path = ROOT) -> bool:
    if "/" not in path.rstrip("/"):
        name = path.rstrip("/")
        if (base / name).exists() or (ROOT / name).exists():
            return True
        return any(Path(f).name == name or f"/{name}/" in f"/{f}" for f in repo_files())
    target = base / path
    return target.is_dir() if path.endswith("/") else target.exists()


# ---------------------------------------------------------------- reading the pages

def split_fences(text: str) -> tuple[str, list[str]]:
    """The text outside fenced code blocks (blocks blanked, lines kept) and the blocks."""
    prose, blocks, block = [], [], None
    for line in text.split("\n"):
        if FENCE.match(line):
            if block is None:
                block = []
            else:
                blocks.append("\n".join(block))
                block = None
            prose.append("")
        elif block is not None:
            block.append(line)
            prose.append("")
        else:
            prose.append(line)
    if block is not None:
        blocks.append("\n".join(block))
    return "\n".join(prose), blocks


def _clean(token: str) -> str:
    token = token.strip().strip("\"'()[],;:")
    token = re.sub(r"^-*[\w.-]*=", "", token)  # KEY=path, --option=path
    return token.strip("\"'")


def looks_like_path(token: str) -> bool:
    if not token or "://" in token or re.match(r"^[a-z][a-z0-9+.-]*:", token):
        return False
    if token.startswith(("/", "~", "#", ".local")) or token.rstrip("/") in RUNTIME_FILES:
        return False
    if any(mark in token for mark in PLACEHOLDERS) or re.search(r"\s", token):
        return False
    if "/" in token:  # `config/…`, `…/` or `….py`; not `Asia/Shanghai`, `text/csv`
        return (token.split("/")[0] in top_level() or token.startswith("../")
                or token.endswith(("/", *FILE_EXTENSIONS)))
    return token.endswith(FILE_EXTENSIONS) and re.fullmatch(r"[\w.+-]+", token) is not None


def span_paths(span: str) -> list[str]:
    """The repository paths a code span names."""
    span = span.strip()
    if not re.search(r"\s", span):
        token = _clean(span)
        return [token] if looks_like_path(token) else []
    # A command: only its words that start at a top-level entry (tests/…, config/…).
    words = (_clean(word) for word in span.split())
    return [w for w in words if looks_like_path(w) and w.split("/")[0] in top_level()]


def named_paths(text: str) -> tuple[list[str], list[str]]:
    """(paths in code spans, relative link targets) of a Markdown text."""
    prose, _ = split_fences(text)
    spans, links = [], []
    for match in CODE_SPAN.finditer(prose):
        spans += span_paths(match.group(2))
    for match in LINK.finditer(CODE_SPAN.sub(" ", prose)):
        target = match.group(1).split("#", 1)[0]
        if looks_like_path(target):
            links.append(target)
    return spans, links


def missing_paths(text: str, base: Path) -> list[str]:
    spans, links = named_paths(text)
    missing = [p for p in spans if not exists(p) and not ignored(p)]
    missing += [p for p in links if not exists(p, base)]
    return sorted(set(missing))


def make_targets(text: str) -> set[str]:
    """Targets of `make …` in code spans and code blocks."""
    prose, blocks = split_fences(text)
    code = [m.group(2) for m in CODE_SPAN.finditer(prose)] + blocks
    return {m.group(1) for piece in code for m in MAKE.finditer(piece)}


def makefile_targets() -> set[str]:
    return set(TARGET.findall((ROOT / "Makefile").read_text(encoding="utf-8")))


def layout_section(readme: str) -> str:
    lines, inside, fenced = [], False, False
    for line in readme.split("\n"):
        if FENCE.match(line):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            inside = line.strip() == "## Layout"
            continue
        if inside:
            lines.append(line)
    return "\n".join(lines)


def parse_tree(block: str) -> list[str]:
    """The paths of a Layout block: `<indent><name>[, <name>…]  <description>`."""
    paths, stack = [], []  # stack: (indent, folder path)
    for line in block.split("\n"):
        if not line.strip() or line.strip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        names = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else ""
        entries = [parent + name.strip() for name in names.split(",") if name.strip()]
        paths += entries
        if len(entries) == 1 and entries[0].endswith("/"):
            stack.append((indent, entries[0]))
    return paths


def layout_paths(readme: str) -> list[str]:
    section = layout_section(readme)
    prose, blocks = split_fences(section)
    paths = [p for block in blocks for p in parse_tree(block)]
    return paths + named_paths(prose)[0]


def _names(paths) -> str:
    return ", ".join(f"`{p}`" for p in sorted(paths))


# ---------------------------------------------------------------- the checks

def test_every_path_named_in_the_readme_and_the_manual_exists():
    problems = []
    for page in PAGES:
        missing = missing_paths(page.read_text(encoding="utf-8"), page.parent)
        if missing:
            problems.append(f"{page.relative_to(ROOT)} names what the repository does not have: "
                            f"{_names(missing)}")
    assert not problems, "\n".join(problems)


def test_every_make_target_named_is_in_the_makefile():
    known = makefile_targets()
    assert {"demo", "test"} <= known
    problems = []
    for page in PAGES:
        unknown = make_targets(page.read_text(encoding="utf-8")) - known
        if unknown:
            problems.append(f"{page.relative_to(ROOT)} names make targets the Makefile lacks: "
                            f"{_names(unknown)}")
    assert not problems, "\n".join(problems)


def test_the_readme_layout_matches_the_tree():
    paths = layout_paths((ROOT / "README.md").read_text(encoding="utf-8"))
    assert paths, "README.md has no Layout section (## Layout) naming the tree"
    named = {p.rstrip("/") for p in paths}

    def is_named(entry: str) -> bool:
        return any(p == entry or p.startswith(entry + "/") for p in named)

    unnamed = {entry for entry in top_level() if not is_named(entry)}
    subfolders = {name[len(PACKAGE):].split("/")[0] for name in tracked_files()
                  if name.startswith(PACKAGE) and "/" in name[len(PACKAGE):]}
    unnamed |= {PACKAGE + sub + "/" for sub in subfolders if not is_named(PACKAGE + sub)}
    absent = {p for p in paths if not exists(p)}
    problems = []
    if unnamed:
        problems.append(f"the Layout section of README.md does not name: {_names(unnamed)}")
    if absent:
        problems.append(f"the Layout section of README.md names what does not exist: {_names(absent)}")
    assert not problems, "\n".join(problems)


def test_the_readme_is_short():
    count = len((ROOT / "README.md").read_text(encoding="utf-8").splitlines())
    assert count <= MAX_README_LINES, (
        f"README.md has {count} lines, more than {MAX_README_LINES}: move detail to a page of docs/")


SAMPLE = """\
# A page

See `config/ckan.ini.in` and [the harvesters](../harvesters/README.md#secrets).
Missing: `benchmarks/no_such_bench.py`, `no_such_module.py` and [gone](no-such-page.md).
Not files: `/api/3/action/package_show`, `/en/...`, `dataset/<id>`, `ckan.max_resource_size`,
`Asia/Shanghai`, `package_create/update/patch`, `make bench-*`,
`.local/ckan.ini`, `ckan.ini`, `{ckan.site_url}/requests/<id>`, `supervision/*.py`,
`--ckan-ini=.local/test.ini`, [site](https://example.org/a.md), [top](#a-page).
A command: `make test PYTEST_ARGS="tests/no_such_test.py -x"`, `NANJING_X=1 make
no-such-target`.

```sh
make demo   # `not/a/span.py` inside a code block
```

## Layout

```
config/                 templates
  ckan.ini.in, holidays.yaml  the ini and the calendar
  # a comment
  solr/                 Solr
    no_such.xml         missing
Makefile                the commands
```
"""


def test_the_checks_find_what_a_sample_names():
    spans, links = named_paths(SAMPLE)
    assert set(spans) == {"config/ckan.ini.in", "benchmarks/no_such_bench.py",
                          "no_such_module.py", "tests/no_such_test.py"}
    assert set(links) == {"../harvesters/README.md", "no-such-page.md"}
    assert missing_paths(SAMPLE, ROOT / "docs") == [
        "benchmarks/no_such_bench.py", "no-such-page.md", "no_such_module.py",
        "tests/no_such_test.py"]
    assert make_targets(SAMPLE) == {"test", "no-such-target", "demo"}
    assert make_targets(SAMPLE) - makefile_targets() == {"no-such-target"}
    assert layout_paths(SAMPLE) == ["config/", "config/ckan.ini.in", "config/holidays.yaml",
                                    "config/solr/", "config/solr/no_such.xml", "Makefile"]
    assert [p for p in layout_paths(SAMPLE) if not exists(p)] == ["config/solr/no_such.xml"]
