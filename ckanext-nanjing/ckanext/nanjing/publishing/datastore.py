"""Loading a validated file into the DataStore with PostgreSQL COPY, in
two steps.

`load` builds the table the way CKAN's `datastore_create` builds it (its
own `create_table`, and its `zfulltext` trigger running our function, see
`fulltext`), so `datastore_search`, `datastore_search_sql`, the data
dictionary and the preview treat it as theirs. Column names are the Table
Schema's (unchanged where PostgreSQL and the DataStore can hold them, see
`column_id`; the whole header stays the column's label), column types
from it. The new table is filled under another name and swapped in with
the old one dropped in the same transaction: readers see the old table or
the new one, never a half-loaded one, and a failed load leaves the old
table as it was.

`build_full_text` then fills the Chinese full text and builds CKAN's
full-text index on the live table, which stays readable meanwhile. Done
within the COPY, the full text made the load ten times slower than the
COPY alone (make bench-validate).
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import unicodedata
import logging
import queue
import secrets
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import sqlalchemy as sa
from frictionless import Schema

import ckan.plugins.toolkit as tk
from ckanext.datastore.backend import postgres as backend
from ckanext.datastore.helpers import is_valid_field_name

from . import engine, fulltext, fulltext_search, messages

__all__ = ["LoadProblem", "Loaded", "load", "build_full_text", "has_full_text", "pg_type", "drop",
           "column_id", "header_of", "MAX_COLUMNS"]

log = logging.getLogger(__name__)

PG_TYPES = {
    "string": "text", "integer": "int8", "number": "numeric", "boolean": "bool",
    "date": "date", "datetime": "timestamp", "time": "time", "year": "int4",
    "object": "json", "array": "json", "geojson": "json",
}
# PostgreSQL's longest name; longer headers get a shortened column id.
MAX_NAME_BYTES = 63
MAX_COLUMNS = engine.MAX_COLUMNS


class LoadProblem(Exception):
    """The file passed the gate but cannot go into the DataStore (Chinese message)."""


def pg_type(field) -> str:
    return PG_TYPES.get(field.type, "text")


def column_id(name: str) -> str:
    """The DataStore column of the header `name`: the name itself when
    PostgreSQL and CKAN's DataStore take it as it is; otherwise a readable
    form of it (without control characters or surrounding spaces, with a
    full-width ＂ for a double quote and ＿ for a leading underscore, cut to
    fit PostgreSQL's 63 bytes) followed by a hash of the whole header, so no
    two headers meet in one column and the same header always gets the same."""
    if is_valid_field_name(name) and len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    readable = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    readable = readable.strip().replace('"', "\uff02")
    readable = re.sub(r"^_+", lambda run: "\uff3f" * len(run.group()), readable) or "列"
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    head = readable.encode("utf-8")[:MAX_NAME_BYTES - len(digest) - 1]
    return f"{head.decode('utf-8', 'ignore').rstrip()}~{digest}"


def header_of(column: str, label: str | None) -> str:
    """The steward's header of a DataStore column: a shortened column keeps
    the whole header as its data-dictionary label."""
    return label if label and label != column and column_id(label) == column else column


def _staging(resource_id: str) -> str:
    # A new name each load: index names derive from it and outlive the rename.
    return f"{resource_id}-{secrets.token_hex(4)}"


@dataclasses.dataclass(frozen=True)
class Loaded:
    """A table just swapped in: its rows, the PostgreSQL object it is (a
    later load makes another) and the file it holds, from which
    `build_full_text` fills it."""
    rows: int
    table_oid: int
    path: Path
    schema_descriptor: dict[str, Any]
    delimiter: str


def load(resource_id: str, path: Path, schema_descriptor: dict[str, Any],
         delimiter: str = ",", timings: dict[str, float] | None = None) -> Loaded:
    """Replaces the DataStore table of `resource_id` with the rows of the
    validated UTF-8 file at `path`. The table is queryable when this
    returns; its Chinese full text is `build_full_text`'s next step.
    `timings`, when given, gets the seconds of the COPY."""
    timings = {} if timings is None else timings
    schema = Schema.from_descriptor(schema_descriptor)
    if len(schema.fields) > MAX_COLUMNS:
        raise LoadProblem(messages.TOO_MANY_COLUMNS.format(count=len(schema.fields),
                                                           most=MAX_COLUMNS))
    fields = [_datastore_field(f) for f in schema.fields]
    ids = [f["id"] for f in fields]
    if len(set(ids)) != len(ids):
        raise LoadProblem("信息项中有两列的列名在数据库中无法区分；请修改其中一列的列名")
    staging = _staging(resource_id)
    write_engine = backend.get_write_engine()
    fulltext.ensure_functions(write_engine)
    with write_engine.begin() as connection:
        _lock(connection, resource_id)
        context = {"connection": connection}
        try:
            backend.create_table(context, {"resource_id": staging, "fields": fields}, {})
        except tk.ValidationError as error:
            raise LoadProblem(f"信息项的列定义无法建表：{error.error_summary}") from error
        started = time.perf_counter()
        rows = _copy(connection, staging, path, schema, delimiter)
        timings["copy"] = time.perf_counter() - started
        # After the COPY: rows datastore_upsert writes later get their full text from it.
        _create_full_text_trigger(connection, staging)
        connection.execute(sa.text(
            f"DROP TABLE IF EXISTS {backend.identifier(resource_id)} CASCADE"))
        connection.execute(sa.text(
            f"ALTER TABLE {backend.identifier(staging)} RENAME TO {backend.identifier(resource_id)}"))
        oid = _table_oid(connection, resource_id)
    datastore = backend.DatastorePostgresqlBackend.get_active_backend()
    datastore.clear_table_stats(resource_id)
    datastore.calculate_record_count(resource_id)
    return Loaded(rows=rows, table_oid=oid, path=path, schema_descriptor=schema_descriptor,
                  delimiter=delimiter)


def build_full_text(resource_id: str, loaded: Loaded,
                    timings: dict[str, float] | None = None) -> bool:
    """Fills the `_full_text` of the table `load` swapped in, from the file
    it loaded, and builds its full-text index, while the table stays readable.
    Rows written since (datastore_upsert) already have theirs from the
    trigger and keep it. False when the table was replaced meanwhile.
    `timings` gets the seconds of the full text and of the index."""
    timings = {} if timings is None else timings
    schema = Schema.from_descriptor(loaded.schema_descriptor)
    with backend.get_write_engine().begin() as connection:
        _lock(connection, resource_id)
        if _table_oid(connection, resource_id) != loaded.table_oid:
            return False
        started = time.perf_counter()
        lexemes = backend.identifier(f"lexemes-{secrets.token_hex(4)}")
        connection.execute(sa.text(
            f"CREATE TEMP TABLE {lexemes} (_id int4, _full_text tsvector) ON COMMIT DROP"))
        _copy_stream(connection, f"{lexemes} (_id, _full_text)",
                     _CanonicalCsv(loaded.path, schema, loaded.delimiter, lexemes_only=True))
        table = backend.identifier(resource_id)
        connection.execute(sa.text(
            f"UPDATE {table} SET _full_text = l._full_text FROM {lexemes} l "
            f"WHERE {table}._id = l._id AND {table}._full_text IS NULL"))
        timings["full_text"] = time.perf_counter() - started
        started = time.perf_counter()
        # The full-text index of a big table builds much faster in memory.
        connection.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
        backend.create_indexes({"connection": connection}, {"resource_id": resource_id})
        timings["index"] = time.perf_counter() - started
    return True


def has_full_text(resource_id: str) -> bool:
    """Whether the table of `resource_id` has our Chinese full text: our
    trigger (a table loaded before it came has CKAN's) and the full-text
    index, which `build_full_text` makes last, in the transaction that
    fills the full text (without it a crash came between the two steps)."""
    index = backend._generate_index_name(resource_id, backend.identifier("_full_text"))
    with backend.get_read_engine().connect() as connection:
        indexed = connection.execute(sa.text(
            "SELECT 1 FROM pg_indexes WHERE schemaname = 'public' AND tablename = :table "
            "AND indexname = :index"), {"table": resource_id, "index": index}).first()
        return indexed is not None and fulltext_search.splits_chinese(connection, resource_id)


def _lock(connection, resource_id: str) -> None:
    """One load or full-text build of a resource at a time."""
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:id))"),
                       {"id": resource_id})


def _table_oid(connection, resource_id: str) -> int | None:
    return connection.execute(sa.text("SELECT to_regclass(:name)::oid"),
                              {"name": backend.identifier(resource_id)}).scalar()


def _create_full_text_trigger(connection, table: str) -> None:
    """CKAN's trigger (`zfulltext`, which `datastore_create` looks for) with
    our function: rows `datastore_upsert` writes later split Chinese too."""
    connection.execute(sa.text(
        f"CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON {backend.identifier(table)} "
        f"FOR EACH ROW EXECUTE PROCEDURE {fulltext.TRIGGER_FUNCTION}()"))


def drop(resource_id: str) -> None:
    with backend.get_write_engine().begin() as connection:
        connection.execute(sa.text(
            f"DROP TABLE IF EXISTS {backend.identifier(resource_id)} CASCADE"))


def _datastore_field(field) -> dict[str, Any]:
    name = field.name
    column = column_id(name)
    # A renamed column's label is its whole header (exports use it).
    label = name if column != name else field.title or ""
    info = {"label": label, "notes": field.description or ""}
    return {"id": column, "type": pg_type(field), "info": info}


def _copy(connection, table: str, path: Path, schema, delimiter: str) -> int:
    """COPY of the rows, numbered here (`_id`), into the new table; its
    primary key is built after, at once, and its sequence goes on from
    the last row for rows datastore_upsert adds."""
    name = backend.identifier(table)
    columns = ", ".join(backend.identifier(column_id(f.name)) for f in schema.fields)
    primary_key = connection.execute(sa.text(
        "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(:table) "
        "AND contype = 'p'"), {"table": name}).scalar()
    if primary_key:
        connection.execute(sa.text(
            f"ALTER TABLE {name} DROP CONSTRAINT {backend.identifier(primary_key)}"))
    stream = _CanonicalCsv(path, schema, delimiter)
    _copy_stream(connection, f"{name} (_id, {columns})", stream)
    connection.execute(sa.text(f"ALTER TABLE {name} ADD PRIMARY KEY (_id)"))
    connection.execute(sa.text("SELECT setval(pg_get_serial_sequence(:table, '_id'), :rows, :called)"),
                       {"table": name, "rows": max(stream.rows, 1), "called": stream.rows > 0})
    return stream.rows


def _copy_stream(connection, target: str, stream: "_CanonicalCsv") -> None:
    raw = connection.connection.dbapi_connection
    try:
        with raw.cursor() as cursor:
            # COPY reads in 8 KiB calls by default; bigger reads cost less Python.
            cursor.copy_expert(f"COPY {target} FROM STDIN WITH (FORMAT csv, HEADER false)",
                               stream, size=1 << 20)
    finally:
        stream.close()


class _Ahead:
    """The items of an iterator, made by a thread of their own a few items
    ahead of the reader: Arrow and libpq let go of Python's lock, so the
    next batch is encoded while PostgreSQL reads the last one."""

    END = object()

    def __init__(self, items: Iterator[Any], ahead: int = 2):
        self.queue: queue.Queue = queue.Queue(ahead)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(items,), daemon=True)
        self.thread.start()

    def _run(self, items: Iterator[Any]) -> None:
        try:
            for item in items:
                if not self._put(item):
                    return
            self._put(self.END)
        except BaseException as error:  # raised again in the reader's thread
            self._put(error)

    def _put(self, item: Any) -> bool:
        while not self.stopped.is_set():
            try:
                self.queue.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self):
        return self

    def __next__(self) -> Any:
        item = self.queue.get()
        if item is self.END:
            self.stopped.set()
            raise StopIteration
        if isinstance(item, BaseException):
            self.stopped.set()
            raise item
        return item

    def close(self) -> None:
        """Stops the thread (a COPY that failed reads no further)."""
        self.stopped.set()
        self.thread.join()


class _CanonicalCsv(io.RawIOBase):
    """The file as CSV PostgreSQL reads: every cell in the form its column
    type takes (`2023年5月1日` under format `%Y年%m月%d日` becomes
    `2023-05-01`, `1,234` under groupChar becomes `1234`), missing values as
    NULL. Cells already in that form pass through untouched, in Arrow.

    With `lexemes_only`, each row's number (its `_id` in a table the COPY
    filled) and its full text instead: the lexemes of every cell, computed
    here per distinct value of an Arrow column (`fulltext.lexeme_column`)
    while PostgreSQL reads the previous batch."""

    def __init__(self, path: Path, schema, delimiter: str, lexemes_only: bool = False):
        self.rows = 0
        self.lexemes_only = lexemes_only
        self.schema = schema
        self.readers = [f.create_cell_reader() for f in schema.fields]
        self.acceptors = [_canonical_acceptor(f) for f in schema.fields]
        self.lines = _Ahead(self._encode(batch) for batch in self._batches(path, delimiter))
        self.pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.lines.close()
        super().close()

    def readinto(self, buffer) -> int:
        while not len(self.pending):
            lines = next(self.lines, None)
            if lines is None:
                return 0
            self.pending = lines
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]  # a view: no copy of the rest
        return size

    def _batches(self, path: Path, delimiter: str) -> Iterator[pa.RecordBatch]:
        names = [f"c{i}" for i in range(len(self.schema.fields))]
        # Rows up to the header the gate found (title lines above a table too).
        skip = engine.find_header(path, delimiter)[0] + 1
        reader = pa_csv.open_csv(
            path,
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=skip, use_threads=True,
                                            block_size=engine.BLOCK_SIZE),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                quoted_strings_can_be_null=True, null_values=[""]))
        yield from reader

    def _encode(self, batch: pa.RecordBatch) -> memoryview:
        first = self.rows + 1
        self.rows += batch.num_rows
        columns = [self._canonical(i, batch.column(i)) for i in range(batch.num_columns)]
        ids = pc.cast(pa.array(range(first, first + batch.num_rows), pa.int64()), pa.string())
        if self.lexemes_only:
            texts = [fulltext.lexeme_column(column) for column in columns]
            columns = [pc.binary_join_element_wise(*texts, " ", null_handling="skip")]
        return _csv_lines([ids] + columns)

    def _canonical(self, index: int, values: pa.Array) -> pa.Array:
        accept = self.acceptors[index]
        if accept is PASS_THROUGH:
            return values
        if accept is not None:
            accepted = pc.fill_null(accept(values), True)
            if pc.all(accepted).as_py():
                return values
        else:
            accepted = pa.array([False] * len(values))
        read, field = self.readers[index], self.schema.fields[index]
        cells = values.to_pylist()
        for row in pc.indices_nonzero(pc.invert(accepted)).to_pylist():
            value, _ = read(cells[row])
            cells[row] = _pg_text(field, value)
        return pa.array(cells, pa.string())


PASS_THROUGH = object()
# What PostgreSQL's CSV reading only takes quoted (an empty cell is NULL).
NEEDS_QUOTES = '[,"\r\n]|^$'


def _csv_lines(columns: list[pa.Array]) -> memoryview:
    """The rows as CSV lines for COPY, built in Arrow: only cells that need
    it are quoted (Arrow's CSV writer quotes every text cell, which made
    PostgreSQL's reading a fifth slower), a null is an empty cell."""
    cells = []
    for column in columns:
        special = pc.match_substring_regex(column, NEEDS_QUOTES)
        if pc.any(special).as_py():
            quoted = pc.binary_join_element_wise(
                '"', pc.replace_substring(column, '"', '""'), '"', "")
            column = pc.if_else(special, quoted, column)
        cells.append(column)
    lines = pc.binary_join_element_wise(*cells, ",", null_handling="replace",
                                        null_replacement="")
    lines = pc.binary_join_element_wise(lines, "", "\n")
    # The lines' characters are one buffer, in order: sent as they are.
    offsets = memoryview(lines.buffers()[1]).cast("i")
    start, end = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return memoryview(lines.buffers()[2])[start:end]


def _canonical_acceptor(field):
    """Cells PostgreSQL reads as they are; None: convert every cell."""
    defined = set(field.list_defined())
    if field.type in ("string", "any") and not defined & {"missing_values"}:
        return PASS_THROUGH
    if field.type == "integer" and "bare_number" not in defined:
        return lambda v: pc.match_substring_regex(v, engine.INTEGER)
    if field.type == "number" and not defined & {"group_char", "decimal_char", "bare_number"}:
        return lambda v: pc.match_substring_regex(v, engine.NUMBER)
    if field.type == "date" and field.format == "default":
        return lambda v: pc.match_substring_regex(v, engine.ISO_DATE)
    return None


def _pg_text(field, value) -> str | None:
    if value is None:
        return None
    if field.type == "boolean":
        return "true" if value else "false"
    if field.type in ("object", "array", "geojson"):
        import json
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
