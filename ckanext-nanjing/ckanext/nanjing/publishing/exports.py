"""Downloads of a resource's DataStore table as CSV, JSON and XLSX.

CKAN's own dump (`/datastore/dump`) has no XLSX and passes cells such as
`=HYPERLINK(...)` through untouched, which Excel then runs as formulas.
Here text cells that would start a formula are neutralised as in every
spreadsheet the platform writes (`spreadsheets`), and CSV is UTF-8 with a
BOM so that Excel opens Chinese correctly. Rows are streamed from
PostgreSQL with a server-side cursor, so memory does not grow with the table.
"""
from __future__ import annotations

import csv
import datetime
import decimal
import io
import json
import tempfile
from typing import Any, Iterator

import sqlalchemy as sa

from ckanext.datastore.backend import postgres as backend

from ..spreadsheets import FORMATS, neutralise, sheet_title, xlsx_cell
from . import datastore

__all__ = ["FORMATS", "columns_of", "csv_stream", "json_stream", "xlsx_file", "headers_of"]

TEXT_TYPES = {"text", "varchar", "bpchar", "name", "json", "jsonb"}
BATCH = 5000


def columns_of(resource_id: str) -> list[tuple[str, str]]:
    """(name, PostgreSQL type) of the table's data columns, in order."""
    with backend.get_read_engine().connect() as connection:
        fields = backend._get_fields(connection, resource_id)
    return [(f["id"], f["type"]) for f in fields]


def headers_of(resource_id: str, columns: list[tuple[str, str]]) -> list[str]:
    """The header of each column in a download: the steward's own, also
    where a long one was shortened for the database."""
    with backend.get_read_engine().connect() as connection:
        info = backend._get_field_info(connection, resource_id)
    return [datastore.header_of(name, (info.get(name) or {}).get("label")) for name, _ in columns]


def _rows(resource_id: str, columns: list[tuple[str, str]]) -> Iterator[tuple]:
    names = ", ".join(backend.identifier(name) for name, _ in columns)
    query = sa.text(f"SELECT {names} FROM {backend.identifier(resource_id)} ORDER BY _id")
    with backend.get_read_engine().connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=BATCH)\
            .execute(query)
        yield from result


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def csv_stream(resource_id: str) -> Iterator[bytes]:
    columns = columns_of(resource_id)
    text_columns = [kind in TEXT_TYPES for _, kind in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers_of(resource_id, columns))
    yield "\ufeff".encode("utf-8") + buffer.getvalue().encode("utf-8")
    for row in _rows(resource_id, columns):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(_text(v)) if is_text and v is not None else _text(v)
                         for v, is_text in zip(row, text_columns)])
        yield buffer.getvalue().encode("utf-8")


def _json_value(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return value


def json_stream(resource_id: str) -> Iterator[bytes]:
    columns = columns_of(resource_id)
    names = headers_of(resource_id, columns)
    fields = json.dumps([{"id": name, "type": kind} for name, (_, kind) in zip(names, columns)],
                        ensure_ascii=False)
    yield ('{"fields": ' + fields + ', "records": [').encode("utf-8")
    for count, row in enumerate(_rows(resource_id, columns)):
        record = {name: _json_value(value) for name, value in zip(names, row)}
        yield (("," if count else "") + "\n" + json.dumps(record, ensure_ascii=False)
               ).encode("utf-8")
    yield b"\n]}\n"


def xlsx_file(resource_id: str, title: str) -> tempfile.SpooledTemporaryFile:
    """The table as a workbook in a temporary file (openpyxl's write-only
    mode keeps one row in memory at a time)."""
    from openpyxl import Workbook

    columns = columns_of(resource_id)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title(title))
    sheet.append(headers_of(resource_id, columns))
    for row in _rows(resource_id, columns):
        sheet.append([xlsx_cell(sheet, value) for value in row])
    output = tempfile.SpooledTemporaryFile(max_size=32 << 20)
    book.save(output)
    output.seek(0)
    return output
