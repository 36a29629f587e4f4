"""Loading a validated file into the DataStore with PostgreSQL COPY.

The table is built the way CKAN's `datastore_create` builds it (its own
`create_table`, full-text trigger and indexes, so `datastore_search`,
`datastore_search_sql`, the data dictionary and the preview treat it as
theirs), with the column names of the Table Schema unchanged and column
types from it. The new table is filled under another name and swapped in
with the old one dropped in the same transaction: readers see the old
table or the new one, never a half-loaded one, and a failed load leaves
the old table as it was.
"""
from __future__ import annotations

import io
import logging
import secrets
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import sqlalchemy as sa
from frictionless import Schema

import ckan.plugins.toolkit as tk
from ckanext.datastore.backend import postgres as backend

from . import engine

__all__ = ["LoadProblem", "load", "pg_type", "drop"]

log = logging.getLogger(__name__)

PG_TYPES = {
    "string": "text", "integer": "int8", "number": "numeric", "boolean": "bool",
    "date": "date", "datetime": "timestamp", "time": "time", "year": "int4",
    "object": "json", "array": "json", "geojson": "json",
}
# Column names CKAN's DataStore reserves or PostgreSQL cannot hold.
MAX_NAME_BYTES = 63


class LoadProblem(Exception):
    """The file passed the gate but cannot go into the DataStore (Chinese message)."""


def pg_type(field) -> str:
    return PG_TYPES.get(field.type, "text")


def _staging(resource_id: str) -> str:
    # A new name each load: index names derive from it and outlive the rename.
    return f"{resource_id}-{secrets.token_hex(4)}"


def load(resource_id: str, path: Path, schema_descriptor: dict[str, Any],
         delimiter: str = ",") -> int:
    """Replaces the DataStore table of `resource_id` with the rows of the
    validated UTF-8 file at `path`; returns the number of rows loaded."""
    schema = Schema.from_descriptor(schema_descriptor)
    fields = [_datastore_field(f) for f in schema.fields]
    staging = _staging(resource_id)
    write_engine = backend.get_write_engine()
    with write_engine.begin() as connection:
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:id))"),
                           {"id": resource_id})
        context = {"connection": connection}
        try:
            backend.create_table(context, {"resource_id": staging, "fields": fields}, {})
        except tk.ValidationError as error:
            raise LoadProblem(f"信息项的列定义无法建表：{error.error_summary}") from error
        backend._create_fulltext_trigger(connection, staging)
        rows = _copy_with_full_text(connection, staging, fields, path, schema, delimiter)
        # The full-text index of a big table builds much faster in memory.
        connection.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
        backend.create_indexes(context, {"resource_id": staging})
        connection.execute(sa.text(
            f"DROP TABLE IF EXISTS {backend.identifier(resource_id)} CASCADE"))
        connection.execute(sa.text(
            f"ALTER TABLE {backend.identifier(staging)} RENAME TO {backend.identifier(resource_id)}"))
        _name_full_text_index(connection, staging, resource_id)
    datastore = backend.DatastorePostgresqlBackend.get_active_backend()
    datastore.clear_table_stats(resource_id)
    datastore.calculate_record_count(resource_id)
    return rows


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
    if not name or name.startswith("_") or '"' in name or name.strip() != name:
        raise LoadProblem(f"列名“{name}”不能用作数据库列名：不能为空、不能以下划线开头、"
                          f"不能含双引号或首尾空格；请在信息项中改名")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise LoadProblem(f"列名“{name}”过长：数据库列名最多 63 字节（约 21 个汉字）；"
                          f"请在信息项中缩短")
    info = {"label": field.title or "", "notes": field.description or ""}
    return {"id": name, "type": pg_type(field), "info": info}


def _copy_with_full_text(connection, table: str, fields: list[dict[str, Any]], path: Path,
                         schema, delimiter: str) -> int:
    """COPY into a temporary table, then one INSERT ... SELECT computing
    `_full_text` as CKAN's trigger would: the trigger goes through
    row_to_json for every row (about 50 s a million rows here), the set
    computation takes about 30 s; the trigger, still on the table for later
    upserts, returns at once for rows that already have it."""
    temporary = backend.identifier(f"load-{table}")
    columns = ", ".join(f"{backend.identifier(f['id'])} {f['type']}" for f in fields)
    connection.execute(sa.text(f"CREATE TEMP TABLE {temporary} ({columns}) ON COMMIT DROP"))
    rows = _copy(connection, f"load-{table}", path, schema, delimiter)
    names = ", ".join(backend.identifier(f["id"]) for f in fields)
    # The text json_each_text(row_to_json(row)) gives each column, in order.
    texts = ", ".join(_as_json_text(f) for f in fields)
    connection.execute(sa.text(
        f"INSERT INTO {backend.identifier(table)} ({names}, _full_text) "
        f"SELECT {names}, to_tsvector(concat_ws(' ', {texts})) FROM {temporary}"))
    return rows


def _as_json_text(field: dict[str, Any]) -> str:
    column = backend.identifier(field["id"])
    if field["type"] == "text":
        return column
    if field["type"] == "json":
        return f"{column}::text"
    return f"to_jsonb({column}) #>> '{{}}'"


def _copy(connection, table: str, path: Path, schema, delimiter: str) -> int:
    columns = ", ".join(backend.identifier(f.name) for f in schema.fields)
    stream = _CanonicalCsv(path, schema, delimiter)
    raw = connection.connection.dbapi_connection
    with raw.cursor() as cursor:
        # COPY reads in 8 KiB calls by default; bigger reads cost less Python.
        cursor.copy_expert(
            f"COPY {backend.identifier(table)} ({columns}) FROM STDIN "
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
        out = io.BytesIO()
        pa_csv.write_csv(pa.RecordBatch.from_arrays(columns, names=batch.schema.names), out,
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
