"""Validation of a UTF-8 CSV/TSV file against a Table Schema, reporting
exactly what `frictionless validate` reports, several times faster.

The file is read in Arrow record batches (pyarrow's CSV reader, streaming,
so memory does not grow with the file). For each column a vectorised test
accepts the cells that frictionless certainly accepts (plain integers, ISO
dates, values in an enum...). Every other cell, and every row the CSV
reader finds ragged, is decided by frictionless's own cell reader, so the
verdict on an unusual cell is frictionless's by construction. A
differential test (tests/publishing/test_engine_differential.py) holds the
two to the same errors on a corpus of broken files.

Files whose CSV dialect pyarrow cannot read the way Python's csv module
does (an escape character, spaces skipped after delimiters, a quote other
than ") are validated by frictionless itself.
"""
from __future__ import annotations

import csv
import io
import re
from bisect import bisect_right
from dataclasses import dataclass, field as dataclass_field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from frictionless import Schema

from . import checks, messages
from .report import Problem, Report

__all__ = ["validate_file", "validate_with_frictionless", "sniffed_delimiter", "find_header",
           "BLOCK_SIZE"]

# A record longer than this cannot be read (pyarrow reads whole blocks); the
# file is refused with a plain explanation instead.
BLOCK_SIZE = 16 << 20
SNIFF_LINES = 100
# PostgreSQL holds at most 1,600 columns a table, CKAN adds _id and _full_text.
MAX_COLUMNS = 1600 - 2
SNIFF_DELIMITERS = {"csv": ",\t;|", "tsv": "\t"}

INTEGER = r"^[+-]?[0-9]+$"
NUMBER = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# Patterns whose meaning differs between RE2 (Arrow) and Python's re on
# non-ASCII text; their cells are all checked by Python.
RE2_UNSAFE = re.compile(r"\\[DWSbB]|\[\^|\(\?[=!<]|\\[1-9]")


def validate_file(path: Path | str, schema: dict[str, Any], *, format: str = "csv",
                  limit: int = 1000, domain_checks: bool = True) -> Report:
    """Validates the UTF-8 text table at `path` against the Table Schema
    descriptor `schema`."""
    path = Path(path)
    report = Report(limit=limit, schema=schema)
    frictionless_schema = Schema.from_descriptor(schema)
    if path.stat().st_size == 0 or not _has_content(path):
        report.add(Problem("source-error", messages.EMPTY_FILE))
        return report
    dialect = _sniff(path, format)
    if not _arrow_can_read(dialect) or not _positional(schema):
        return validate_with_frictionless(path, schema, format=format, limit=limit,
                                          domain_checks=domain_checks)
    _ArrowValidation(path, schema, frictionless_schema, dialect, report, domain_checks).run()
    return report


def validate_with_frictionless(path: Path | str, schema: dict[str, Any], *,
                               format: str = "csv", limit: int = 1000,
                               domain_checks: bool = True) -> Report:
    """The reference: frictionless v5 itself, with our checks as custom checks."""
    from frictionless import Checklist, Resource

    path = Path(path)
    report = Report(limit=limit, schema=schema)
    resource = Resource(path=path.name, basepath=str(path.parent), format=format,
                        encoding="utf-8", schema=Schema.from_descriptor(schema))
    checklist = Checklist(checks=checks.frictionless_checks(schema) if domain_checks else [])
    result = resource.validate(checklist, limit_errors=limit)
    task = result.tasks[0]
    report.rows = task.stats.get("rows") or 0
    fields = {f.name: f for f in resource.schema.fields}
    for error in task.errors:
        report.add(messages.from_frictionless(error, fields))
    return report


def sniffed_delimiter(path: Path | str, format: str = "csv") -> str:
    """The delimiter the gate read the file with."""
    return _sniff(Path(path), format).delimiter


def _has_content(path: Path) -> bool:
    with path.open("rb") as stream:
        return bool(stream.read(4096).strip(b" \t\r\n"))


def _sniff(path: Path, format: str) -> csv.Dialect:
    """The dialect frictionless would use: Python's sniffer on the first
    100 lines, double quote forced as frictionless does."""
    lines = []
    with path.open("r", encoding="utf-8-sig", newline="") as stream:
        for line in stream:
            lines.append(line)
            if len(lines) >= SNIFF_LINES or sum(map(len, lines)) > BLOCK_SIZE:
                break
    try:
        dialect = csv.Sniffer().sniff("".join(lines), SNIFF_DELIMITERS.get(format, ","))
    except csv.Error:
        dialect = csv.excel()
    if dialect.quotechar == "'":
        dialect.quotechar = '"'
    return dialect


def _arrow_can_read(dialect) -> bool:
    # The sniffer reports doublequote=False when its sample has no "" in a
    # quoted cell; Arrow reads "" as RFC 4180 says either way.
    return not dialect.skipinitialspace and not dialect.escapechar and dialect.quotechar == '"'


def _positional(schema: dict[str, Any]) -> bool:
    """Schemas the Arrow path reads as frictionless does: fields matched by
    position, and only the empty cell missing (Arrow's nulls)."""
    custom_missing = schema.get("missingValues", [""]) != [""] or any(
        "missingValues" in f for f in schema.get("fields", []))
    return (schema.get("fieldsMatch", "exact") == "exact" and not schema.get("foreignKeys")
            and not custom_missing)


@dataclass
class _Column:
    """One schema field: its frictionless reader and the vectorised test
    that accepts the cells frictionless certainly accepts."""

    number: int
    field: Any
    read: Callable[[Any], tuple[Any, dict | None]]
    fast_accept: Callable[[pa.Array], pa.Array] | None
    required: bool
    unique: bool
    keys: "_KeyLog" = dataclass_field(default_factory=lambda: _KeyLog())


class _ArrowValidation:
    def __init__(self, path, schema, frictionless_schema, dialect, report, domain_checks):
        self.path = path
        self.schema = schema
        self.report = report
        self.dialect = dialect
        self.domain_checks = domain_checks
        self.columns = [self._column(number, f)
                        for number, f in enumerate(frictionless_schema.fields, start=1)]
        self.primary_key = list(frictionless_schema.primary_key)
        self.primary_keys = _KeyLog()
        self.ragged: list[Any] = []          # rows the CSV reader set aside
        self.ragged_numbers: list[int] = []
        self.labels: list[str] = []
        self.handlers: list[_Column] = []    # what each label's cells are read as

    # Set-up

    def _column(self, number: int, f) -> _Column:
        constraints = f.constraints or {}
        return _Column(number=number, field=f, read=f.create_cell_reader(),
                       fast_accept=_fast_acceptor(f, constraints),
                       required=bool(constraints.get("required")),
                       unique=bool(constraints.get("unique")))

    # Reading

    def _reader(self, width: int, skip: int):
        def set_aside(row) -> str:
            self.ragged_numbers.append(row.number)
            self.ragged.append(row)
            return "skip"

        names = [f"c{i}" for i in range(width)]
        read_options = pa_csv.ReadOptions(
            use_threads=False, block_size=BLOCK_SIZE, column_names=names, skip_rows=skip)
        parse_options = pa_csv.ParseOptions(
            delimiter=self.dialect.delimiter, quote_char='"', double_quote=True,
            newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=set_aside)
        convert_options = pa_csv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=True, quoted_strings_can_be_null=True, null_values=[""],
            check_utf8=True)
        return pa_csv.open_csv(self.path, read_options=read_options,
                               parse_options=parse_options, convert_options=convert_options)

    def _find_header(self) -> tuple[int, list[str]]:
        return find_header(self.path, self.dialect.delimiter)

    def run(self) -> None:
        csv.field_size_limit(BLOCK_SIZE)
        try:
            header, self.labels = self._find_header()
        except csv.Error:
            self.report.add(Problem("nanjing-row-too-large", messages.HEAD_TOO_LARGE))
            return
        if self.labels:
            self._check_labels()
            self.handlers = self._handlers()
        else:
            # An empty header record: no labels to check, fields read by position.
            self.handlers = list(self.columns)
        next_row = header + 2
        try:
            for batch in self._reader(len(self.handlers), skip=header + 1):
                next_row = self._check_batch(batch, next_row)
            self._check_ragged(upto=None)
        except pa.ArrowInvalid as error:
            self._arrow_failure(error, next_row)
        self.report.extend(sorted(self._unique_problems(), key=lambda p: (p.row, p.field or 0)))
        self.report.rows = next_row - 2 + len([n for n in self.ragged_numbers if n >= next_row])

    def _arrow_failure(self, error: pa.ArrowInvalid, next_row: int) -> None:
        text = str(error)
        if "straddling" in text or "block" in text:
            self.report.add(Problem("nanjing-row-too-large",
                                    messages.ROW_TOO_LARGE.format(row=next_row), row=next_row))
        else:
            self.report.add(Problem("nanjing-unreadable", messages.UNREADABLE.format(
                row=next_row, detail=text[:200]), row=next_row))

    # Header

    def _check_labels(self) -> None:
        labels, columns = self.labels, self.columns
        found: list[Problem] = []
        if len(columns) > MAX_COLUMNS:
            found.append(Problem("nanjing-too-many-columns", messages.TOO_MANY_COLUMNS.format(
                count=len(columns), most=MAX_COLUMNS), row=None))
        for number in range(len(columns) + 1, len(labels) + 1):
            found.append(messages.label_problem("extra-label", number, labels[number - 1]))
        for column in columns[len(labels):]:
            found.append(messages.label_problem("missing-label", column.number, "",
                                                column.field.name))
        for column, label in zip(columns, labels):
            number, name = column.number, column.field.name
            if not label:
                found.append(messages.label_problem("blank-label", number, label, name))
            elif label in labels[:number - 1]:
                found.append(messages.label_problem("duplicate-label", number, label, name))
            elif label != name:
                found.append(messages.label_problem("incorrect-label", number, label, name))
        self.report.extend(found)

    def _handlers(self) -> list[_Column]:
        """Like frictionless, cells are read by position: the schema's fields
        for the labels they pair with, any-typed fields for extra labels;
        fields without a label are not read at all."""
        from frictionless.fields import AnyField

        extra = [self._column(number, AnyField(name=label or f"field{number}"))
                 for number, label in enumerate(self.labels, start=1)
                 if number > len(self.columns)]
        return self.columns[:len(self.labels)] + extra

    # Rows

    def _check_batch(self, batch: pa.RecordBatch, first_row: int) -> int:
        """Checks one batch; returns the row number after it."""
        count = batch.num_rows
        if not count:
            return first_row
        numbers = self._row_numbers(first_row, count)
        last = numbers[-1] if isinstance(numbers, list) else first_row + count - 1
        self._check_ragged(upto=last)
        problems: list[Problem] = []
        cells = [batch.column(i) for i in range(batch.num_columns)]
        blank = self._blank_rows(batch, cells)
        for column, values in zip(self.handlers, cells):
            problems.extend(self._check_column(column, values, numbers, blank))
        if self.primary_key:
            problems.extend(self._check_primary_key(batch, numbers, blank))
        if self.domain_checks:
            string_batch = self._string_batch(cells, count)
            problems.extend(checks.check_batch(string_batch, self.schema, first_row))
        for row in _indices(blank):
            problems.append(messages.blank_row(_number(numbers, row)))
        problems = self._renumber(problems, numbers, first_row)
        problems.sort(key=lambda p: (p.row or 0, p.field or 0))
        self.report.extend(problems)
        return last + 1

    def _row_numbers(self, first_row: int, count: int) -> range | list[int]:
        """Row numbers of the batch's rows: consecutive unless the CSV reader
        set ragged rows aside among them."""
        start = bisect_right(self.ragged_numbers, first_row - 1)
        if start == len(self.ragged_numbers) or self.ragged_numbers[start] > first_row + count - 1:
            return range(first_row, first_row + count)
        numbers, candidate, index = [], first_row, start
        while len(numbers) < count:
            if index < len(self.ragged_numbers) and self.ragged_numbers[index] == candidate:
                index += 1
            else:
                numbers.append(candidate)
            candidate += 1
        return numbers

    def _renumber(self, problems: list[Problem], numbers, first_row: int) -> list[Problem]:
        """Domain checks number rows as if consecutive; map them to real rows."""
        if isinstance(numbers, range):
            return problems
        fixed = []
        for problem in problems:
            if problem.code.startswith("nanjing-") and problem.row is not None \
                    and problem.row - first_row < len(numbers):
                position = problem.row - first_row
                row = numbers[position]
                if row != problem.row:
                    problem = messages.renumbered(problem, row)
            fixed.append(problem)
        return fixed

    def _blank_rows(self, batch: pa.RecordBatch, cells) -> pa.Array | None:
        """Rows whose every cell is missing (frictionless reports only blank-row)."""
        if not cells:
            return pa.array([True] * batch.num_rows)
        blank = pc.is_null(cells[0])
        for values in cells[1:]:
            blank = pc.and_(blank, pc.is_null(values))
        return blank if pc.any(blank).as_py() else None

    def _check_column(self, column: _Column, values, numbers, blank) -> Iterator[Problem]:
        suspects = self._suspects(column, values)
        if blank is not None:
            suspects = pc.and_(suspects, pc.invert(blank))
        for row in _indices(suspects):
            yield from self._cell_problems(column, values[row].as_py(), _number(numbers, row))
        if column.unique:
            self._log_unique(column, values, numbers, blank)

    def _suspects(self, column: _Column, values: pa.Array) -> pa.Array:
        """Cells frictionless's own reader must decide: missing required
        cells, and present cells the vectorised test does not accept."""
        nulls = pc.is_null(values)
        if column.fast_accept is None:
            present_suspects = pc.invert(nulls)
        else:
            accepted = pc.fill_null(column.fast_accept(values), False)
            present_suspects = pc.and_(pc.invert(nulls), pc.invert(accepted))
        if column.required:
            return pc.or_(nulls, present_suspects)
        return present_suspects

    def _cell_problems(self, column: _Column, cell, row: int) -> Iterator[Problem]:
        value, notes = column.read(cell)
        if not notes:
            return
        if "type" in notes:
            yield messages.type_error(row, column.number, column.field, cell)
            notes = {k: v for k, v in notes.items() if k != "type"}
        for constraint in notes:
            yield messages.constraint_error(row, column.number, column.field, cell, constraint)

    def _typed(self, column: _Column, cell):
        value, notes = column.read(cell)
        return None if notes and "type" in notes else value

    def _check_primary_key(self, batch, numbers, blank) -> Iterator[Problem]:
        positions = [next(c for c in self.columns if c.field.name == name)
                     for name in self.primary_key]
        width = len(self.labels)
        lists = [batch.column(c.number - 1).to_pylist() if c.number <= width
                 else [None] * batch.num_rows for c in positions]
        keys, rows = [], []
        for row in range(batch.num_rows):
            key = tuple(self._typed(c, values[row]) if values[row] is not None else None
                        for c, values in zip(positions, lists))
            number = _number(numbers, row)
            if set(key) == {None}:
                yield messages.primary_key_error(number, None)
                continue
            keys.append(_hash64(key))
            rows.append(number)
        if rows:
            self.primary_keys.add(pa.array(keys, pa.int64()), pa.array(rows, pa.int64()))

    def _log_unique(self, column: _Column, values, numbers, blank) -> None:
        present = pc.is_valid(values)
        if blank is not None:
            present = pc.and_(present, pc.invert(blank))
        if column.field.type == "integer" and column.fast_accept is not None:
            accepted = pc.and_(present, pc.fill_null(column.fast_accept(values), False))
            rows = pc.indices_nonzero(accepted)
            try:
                keys = pc.cast(pc.take(values, rows), pa.int64())
            except pa.ArrowInvalid:      # beyond 64 bits: leave them to Python
                accepted, rows, keys = pc.and_(present, False), pa.array([], pa.uint64()), None
            if keys is not None:
                column.keys.add(keys, _rows_of(rows, numbers))
            present = pc.and_(present, pc.invert(accepted))
        if column.field.type == "string":
            # The text is the value: hash it in one pass, rows in Arrow.
            indices = pc.indices_nonzero(pc.fill_null(present, False))
            if len(indices):
                keys = list(map(_hash64, values.take(indices).to_pylist()))
                column.keys.add(pa.array(keys, pa.int64()), _rows_of(indices, numbers))
            return
        rows, keys = [], []
        cells = values.to_pylist()
        for row in _indices(present):
            value = self._typed(column, cells[row])
            if value is not None:
                rows.append(numbers[row])
                keys.append(value if isinstance(value, int) and -2**63 <= value < 2**63
                            else _hash64(value))
        if rows:
            column.keys.add(pa.array(keys, pa.int64()), pa.array(rows, pa.int64()))

    def _unique_problems(self) -> list[Problem]:
        problems = []
        for column in self.columns:
            if column.unique:
                for row, previous in column.keys.repeats():
                    problems.append(messages.unique_error(
                        row, column.number, column.field, None, previous))
        for row, previous in self.primary_keys.repeats():
            problems.append(messages.primary_key_error(row, previous))
        return problems

    def _string_batch(self, cells, count) -> pa.RecordBatch:
        """The schema's fields as raw text, for the domain checks."""
        arrays = [cells[i] if i < len(cells) else pa.nulls(count, pa.string())
                  for i in range(len(self.columns))]
        return pa.RecordBatch.from_arrays(arrays, names=[c.field.name for c in self.columns])

    # Ragged rows: parsed by Python's csv module and checked cell by cell.

    def _check_ragged(self, upto: int | None) -> None:
        while self.ragged and (upto is None or self.ragged[0].number <= upto):
            row = self.ragged.pop(0)
            self.report.extend(self._ragged_problems(row))

    def _ragged_problems(self, row) -> list[Problem]:
        number = row.number
        cells = next(csv.reader(io.StringIO(row.text), delimiter=self.dialect.delimiter,
                                quotechar='"'), [])
        cells = [None if cell == "" else cell for cell in cells]
        problems: list[Problem] = []
        blank_cells = 0
        for column in self.handlers:
            cell = cells[column.number - 1] if column.number <= len(cells) else None
            value, notes = column.read(cell)
            if value is None and not (notes and "type" in notes):
                blank_cells += 1
            problems.extend(self._cell_problems(column, cell, number))
            if column.unique and value is not None and not (notes and "type" in notes):
                key = value if isinstance(value, int) and -2**63 <= value < 2**63 \
                    else _hash64(value)
                column.keys.add(pa.array([key], pa.int64()), pa.array([number], pa.int64()))
        for index in range(len(self.handlers), len(cells)):
            problems.append(messages.extra_cell(number, index + 1, cells[index]))
        for column in self.handlers[len(cells):]:
            problems.append(messages.missing_cell(number, column.number, column.field.name))
        if blank_cells == len(self.handlers):
            return [messages.blank_row(number)] + self._ragged_primary_key(cells, number)
        problems += self._ragged_primary_key(cells, number)
        if self.domain_checks:
            padded = (cells + [None] * len(self.columns))[:len(self.columns)]
            batch = pa.RecordBatch.from_arrays(
                [pa.array([cell], pa.string()) for cell in padded],
                names=[c.field.name for c in self.columns])
            problems.extend(checks.check_batch(batch, self.schema, number))
        return problems


    def _ragged_primary_key(self, cells: list, number: int) -> list[Problem]:
        if not self.primary_key:
            return []
        key = []
        for name in self.primary_key:
            column = next(c for c in self.columns if c.field.name == name)
            cell = cells[column.number - 1] if column.number <= len(cells) else None
            key.append(self._typed(column, cell) if cell is not None else None)
        if set(key) == {None}:
            return [messages.primary_key_error(number, None)]
        self.primary_keys.add(pa.array([_hash64(tuple(key))], pa.int64()),
                              pa.array([number], pa.int64()))
        return []


class _KeyLog:
    """Each present value of a unique column as a 64-bit key with its row,
    kept in Arrow arrays (16 bytes a row, not a Python dict), repeats found
    by one sort at the end. Integers are their own key; other values their
    hash, whose 64-bit collisions are too rare to matter here."""

    def __init__(self):
        self.keys: list[pa.Array] = []
        self.rows: list[pa.Array] = []

    def add(self, keys: pa.Array, rows: pa.Array) -> None:
        self.keys.append(keys)
        self.rows.append(pc.cast(rows, pa.int64()))

    def repeats(self) -> list[tuple[int, int]]:
        """(row, the previous row with the same value), like frictionless."""
        if not self.keys:
            return []
        table = pa.table({"key": pa.concat_arrays(self.keys), "row": pa.concat_arrays(self.rows)})
        if table.num_rows < 2:
            return []
        table = table.sort_by([("key", "ascending"), ("row", "ascending")])
        keys, rows = table.column("key").combine_chunks(), table.column("row")
        same = pc.equal(keys.slice(1), keys.slice(0, len(keys) - 1))
        found = pc.indices_nonzero(pc.fill_null(same, False)).to_pylist()
        row_list = rows.to_pylist() if found else []
        return [(row_list[i + 1], row_list[i]) for i in found]


def _hash64(value) -> int:
    return hash(value)


def _rows_of(indices: pa.Array, numbers) -> pa.Array:
    if isinstance(numbers, range):
        return pc.add(pc.cast(indices, pa.int64()), numbers.start)
    return pa.array([numbers[i] for i in indices.to_pylist()], pa.int64())


def _indices(mask: pa.Array | None) -> Iterable[int]:
    if mask is None:
        return []
    return pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()


def _number(numbers, row: int) -> int:
    return numbers[row]


def _fast_acceptor(f, constraints: dict[str, Any]):
    """A vectorised test accepting only cells frictionless's reader accepts,
    type and constraints included (not `required`, not `unique`); None when
    every present cell must go to the reader."""
    kind, fmt = f.type, f.format
    defined = set(f.list_defined())
    tests: list[Callable[[pa.Array], pa.Array]] = []
    if kind == "string" and fmt == "default":
        pass
    elif kind == "any":
        pass
    elif kind == "integer" and "bare_number" not in defined:
        tests.append(lambda v: pc.match_substring_regex(v, INTEGER))
    elif kind == "number" and not defined & {"group_char", "decimal_char", "bare_number",
                                             "float_number"}:
        tests.append(lambda v: pc.match_substring_regex(v, NUMBER))
    elif kind == "boolean":
        accepted = pa.array(list(f.true_values) + list(f.false_values), pa.string())
        tests.append(lambda v: pc.is_in(v, value_set=accepted))
    elif kind == "date" and fmt == "default":
        tests.append(_iso_dates)
    else:
        return None
    for name, value in constraints.items():
        test = _constraint_test(kind, name, value)
        if test is False:
            return None
        if test is not None:
            tests.append(test)
    if not tests:
        return lambda v: pc.is_valid(v)

    def accept(values: pa.Array) -> pa.Array:
        result = tests[0](values)
        for test in tests[1:]:
            result = pc.and_kleene(result, test(values))
        return result
    return accept


def _iso_dates(values: pa.Array) -> pa.Array:
    shaped = pc.and_(pc.match_substring_regex(values, ISO_DATE),
                     pc.invert(pc.starts_with(values, "0000")))  # Python has no year 0
    try:
        pc.cast(values.filter(pc.fill_null(shaped, False)), pa.date32())
        return pc.fill_null(shaped, False)
    except pa.ArrowInvalid:
        pass
    # Some day does not exist (2023-02-30); strptime rolls it over, so a
    # date is accepted only when it prints back as written.
    parsed = pc.strptime(values, format="%Y-%m-%d", unit="s", error_is_null=True)
    same = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), values)
    return pc.fill_null(pc.and_(shaped, same), False)


def _constraint_test(kind: str, name: str, value):
    """None: nothing to test here (decided elsewhere); False: cannot be
    tested vectorised, leave the field to the reader."""
    if name in ("required", "unique"):
        return None
    if kind == "string":
        if name == "minLength":
            return lambda v: pc.greater_equal(pc.utf8_length(v), value)
        if name == "maxLength":
            return lambda v: pc.less_equal(pc.utf8_length(v), value)
        if name == "enum":
            allowed = pa.array([str(x) for x in value], pa.string())
            return lambda v: pc.is_in(v, value_set=allowed)
        if name == "pattern":
            if RE2_UNSAFE.search(value):
                return False
            anchored = f"^(?:{value})$"
            try:
                pc.match_substring_regex(pa.array(["x"]), anchored)
            except pa.ArrowInvalid:
                return False
            # Python's `$` also matches before a final newline: leave those cells to it.
            return lambda v: pc.and_(pc.match_substring_regex(v, anchored),
                                     pc.invert(pc.ends_with(v, "\n")))
    if kind == "integer" and name in ("minimum", "maximum") and isinstance(value, int) \
            and abs(value) < 2**62:
        compare = pc.greater_equal if name == "minimum" else pc.less_equal

        def exact(v: pa.Array) -> pa.Array:
            # Plain integers of up to 18 digits compare exactly as int64;
            # others fail here and go to frictionless's reader. (Not a null
            # scalar in if_else: pyarrow 22 garbles sliced strings with one.)
            plain = pc.and_(pc.match_substring_regex(v, INTEGER), pc.less_equal(pc.utf8_length(v), 18))
            return pc.and_(plain, compare(pc.cast(pc.if_else(plain, v, "0"), pa.int64()), value))
        return exact
    if kind in ("integer", "number") and name in ("minimum", "maximum"):
        bound = float(value)
        compare = pc.greater_equal if name == "minimum" else pc.less_equal
        # Cells close to the bound are left to exact decimal comparison,
        # except short ones exactly on it ("0", "100.00"), whose float is exact.
        margin = 1e-9 * max(1.0, abs(bound))

        def test(v: pa.Array) -> pa.Array:
            numeric = pc.match_substring_regex(v, NUMBER)
            numbers = pc.cast(pc.if_else(numeric, v, "0"), pa.float64())
            shifted = pc.add(numbers, -margin) if name == "minimum" else pc.add(numbers, margin)
            on_bound = pc.and_(pc.and_(pc.equal(numbers, bound), pc.less_equal(pc.utf8_length(v), 15)),
                               pc.invert(pc.match_substring_regex(v, "[eE]")))
            return pc.or_(compare(shifted, bound), pc.and_(numeric, on_bound))
        return test
    if kind == "date" and name in ("minimum", "maximum"):
        bound = str(value)
        compare = pc.greater_equal if name == "minimum" else pc.less_equal
        return lambda v: compare(v, bound) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", bound) \
            else pa.nulls(len(v), pa.bool_())
    if kind == "integer" and name == "enum" and all(isinstance(x, int) for x in value):
        allowed = pa.array([str(x) for x in value], pa.string())
        return lambda v: pc.is_in(v, value_set=allowed)
    return False


def find_header(path: Path, delimiter: str) -> tuple[int, list[str]]:
    """Frictionless's guess of the header row: among the first 100 records,
    the first one about as wide as the average (records before it, such as
    a budget table's title and unit lines, are skipped). Returns its 0-based
    index and its stripped labels; the DataStore load starts after it too."""
    csv.field_size_limit(BLOCK_SIZE)
    with path.open("r", encoding="utf-8-sig", newline="") as stream:
        rows = csv.reader(stream, delimiter=delimiter, quotechar='"')
        sample = [row for _, row in zip(range(SNIFF_LINES), rows)]
    if not sample:
        return 0, []
    width = round(sum(map(len, sample)) / len(sample))
    drift = max(round(width * 0.1), 1)
    index = next((i for i, row in enumerate(sample) if abs(len(row) - width) <= drift), 0)
    return index, [label.strip() for label in sample[index]]
