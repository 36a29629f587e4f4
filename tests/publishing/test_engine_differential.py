"""The publishing engine reports the errors frictionless reports, file for
file: same type, row number and field number, on every case of the corpus."""
from __future__ import annotations

import warnings
from pathlib import Path

import frictionless
import pytest

from .corpus import CASES, Case, Error

Errors = list[Error]


@pytest.fixture(autouse=True)
def plugins_from_ini():
    """Overrides the suite's: neither frictionless nor the engine needs CKAN,
    and loading the plugins would cost most of a second per case."""


def _sorted(errors) -> Errors:
    """Sorted with "no row/field number" (None) first, as frictionless's
    label errors have no row number and its row errors no field number."""
    return sorted(errors, key=lambda e: (e[0], -1 if e[1] is None else e[1],
                                         -1 if e[2] is None else e[2]))


def _write(case: Case, directory: Path) -> Path:
    path = directory / case.file_name
    content = case.content
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def frictionless_errors(path: Path, schema: dict) -> Errors:
    # frictionless refuses absolute paths as unsafe; give it the directory as basepath.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = frictionless.validate(
            path.name, basepath=str(path.parent),
            schema=frictionless.Schema.from_descriptor(schema))
    return _sorted(tuple(error) for error in
                   report.flatten(["type", "rowNumber", "fieldNumber"]))


def engine_errors(path: Path, schema: dict, format: str) -> Errors:
    from ckanext.nanjing.publishing import engine
    report = engine.validate_file(path, schema, format=format)
    return _sorted((p.code, p.row, p.field) for p in report.problems
                   if not p.code.startswith("nanjing-"))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_corpus_case_gives_the_errors_it_is_written_for(case, tmp_path):
    """Pins what each case exercises, so that a frictionless upgrade that
    changes a rule shows up here rather than as a puzzling engine failure."""
    path = _write(case, tmp_path)
    assert frictionless_errors(path, case.schema) == _sorted(case.expected)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_engine_reports_what_frictionless_reports(case, tmp_path):
    path = _write(case, tmp_path)
    assert engine_errors(path, case.schema, case.format) == \
        frictionless_errors(path, case.schema)
