"""Loading a validated file into the DataStore with PostgreSQL COPY.

The table is built the way CKAN's `datastore_create` builds it (its own
`create_table` and indexes, and its `zfulltext` trigger running our
function: `_full_text` splits Chinese, see `fulltext`; so `datastore_search`,
`datastore_search_sql`, the data dictionary and the preview treat it as
theirs), with the column names of the Table Schema (unchanged where
PostgreSQL and the DataStore can hold them, see `column_id`; the whole
header stays the column's label) and column types from it. The new table is filled under another name and swapped in
with the old one dropped in the same transaction: readers see the old
table or the new one, never a half-loaded one, and a failed load leaves
the old table as it was.
"""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import logging
import secrets
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

from . import engine, fulltext, messages

__all__ = ["LoadProblem", "load", "pg_type", "drop", "column_id", "header_of", "MAX_COLUMNS"]

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


def load(resource_id: str, path: Path, schema_descriptor: dict[str, Any],
         delimiter: str = ",", timings: dict[str, float] | None = None) -> int:
    """Replaces the DataStore table of `resource_id` with the rows of the
    validated UTF-8 file at `path`; returns the number of rows loaded.
    `timings`, when given, gets the seconds of the COPY and of the index."""
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
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:id))"),
                           {"id": resource_id})
        context = {"connection": connection}
        try:
            backend.create_table(context, {"resource_id": staging, "fields": fields}, {})
        except tk.ValidationError as error:
            raise LoadProblem(f"信息项的列定义无法建表：{error.error_summary}") from error
        started = time.perf_counter()
        rows = _copy(connection, staging, path, schema, delimiter)
        timings["copy"] = time.perf_counter() - started
        _create_full_text_trigger(connection, staging)
        # The full-text index of a big table builds much faster in memory.
        connection.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
        started = time.perf_counter()
        backend.create_indexes(context, {"resource_id": staging})
        timings["index"] = time.perf_counter() - started
        connection.execute(sa.text(
            f"DROP TABLE IF EXISTS {backend.identifier(resource_id)} CASCADE"))
        connection.execute(sa.text(
            f"ALTER TABLE {backend.identifier(staging)} RENAME TO {backend.identifier(resource_id)}"))
        _name_full_text_index(connection, staging, resource_id)
    datastore = backend.DatastorePostgresqlBackend.get_active_backend()
    datastore.clear_table_stats(resource_id)
    datastore.calculate_record_count(resource_id)
    return rows


def _create_full_text_trigger(connection, table: str) -> None:
    """CKAN's trigger (`zfulltext`, which `datastore_create` looks for) with
    our function: rows `datastore_upsert` writes later split Chinese too."""
    connection.execute(sa.text(
        f"CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON {backend.identifier(table)} "
        f"FOR EACH ROW EXECUTE PROCEDURE {fulltext.TRIGGER_FUNCTION}()"))


def _name_full_text_index(connection, staging: str, resource_id: str) -> None:
    """Gives the full-text index the name CKAN's own create_indexes would
    give it on this table, so a later datastore_create finds it."""
    full_text = backend.identifier("_full_text")
    old = backend._generate_index_name(staging, full_text)
    new = backend._generate_index_name(resource_id, full_text)
    connection.execute(sa.text(f'ALTER INDEX IF EXISTS "{old}" RENAME TO "{new}"'))


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
    """COPY of the rows with their `_full_text`, computed here from the
    Arrow batches (`fulltext.lexeme_column`) while PostgreSQL reads the
    previous ones: a to_tsvector per row in the database took ten times
    the COPY itself."""
    columns = ", ".join(backend.identifier(column_id(f.name)) for f in schema.fields)
    stream = _CanonicalCsv(path, schema, delimiter)
    raw = connection.connection.dbapi_connection
    with raw.cursor() as cursor:
        # COPY reads in 8 KiB calls by default; bigger reads cost less Python.
        cursor.copy_expert(
            f"COPY {backend.identifier(table)} ({columns}, _full_text) FROM STDIN "
            f"WITH (FORMAT csv, HEADER false)", stream, size=1 << 20)
    return stream.rows


class _CanonicalCsv(io.RawIOBase):
    """The file as CSV PostgreSQL reads: every cell in the form its column
    type takes (`2023年5月1日` under format `%Y年%m月%d日` becomes
    `2023-05-01`, `1,234` under groupChar becomes `1234`), missing values as
    NULL. Cells already in that form pass through untouched, in Arrow."""

    def __init__(self, path: Path, schema, delimiter: str):
        self.rows = 0
        self.schema = schema
        self.readers = [f.create_cell_reader() for f in schema.fields]
        self.acceptors = [_canonical_acceptor(f) for f in schema.fields]
        self.batches = self._batches(path, delimiter)
        self.pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not len(self.pending):
            batch = next(self.batches, None)
            if batch is None:
                return 0
            self.pending = memoryview(self._encode(batch))
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

    def _encode(self, batch: pa.RecordBatch) -> bytes:
        self.rows += batch.num_rows
        columns = [self._canonical(i, batch.column(i)) for i in range(batch.num_columns)]
        texts = [fulltext.lexeme_column(column) for column in columns]
        full_text = pc.binary_join_element_wise(*texts, " ", null_handling="skip")
        out = io.BytesIO()
        pa_csv.write_csv(pa.RecordBatch.from_arrays(columns + [full_text],
                                                    names=batch.schema.names + ["_full_text"]),
                         out,
                         write_options=pa_csv.WriteOptions(include_header=False,
                                                           quoting_style="needed"))
        # Arrow writes a null as nothing and an empty text as "": COPY's own CSV reading.
        return out.getvalue()

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
