"""`/datastore/dump/<id>` in every format CKAN documents (csv, tsv, json,
xml, xlsx), with the steward's headers.

CKAN 2.12's own dump knows no xlsx, writes the column ids as headers (a
long header cut for PostgreSQL would reach the public cut), writes CSV
without a BOM (Excel then misreads the Chinese) and passes formula-like
cells through. This view takes the same parameters (`q`, `filters`,
`fields`, `sort`, `distinct`, `plain`, `language`, `offset`, `limit`, `bom`)
and pages through `datastore_search` the way CKAN's does, so access rules,
aliases and the Chinese full text hold; memory stays one page of rows
(XLSX: one row, written to a temporary file by openpyxl).
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import tempfile
import unicodedata
from typing import Any, Iterator
from urllib.parse import quote

from flask import Response, send_file, stream_with_context
from xml.etree.ElementTree import Element, ElementTree

import ckan.lib.navl.dictization_functions as dict_fns
import ckan.plugins.toolkit as tk
from ckanext.datastore.backend import DatastoreBackend
from ckanext.datastore.blueprint import dump_schema
from ckanext.datastore.writer import XMLWriter, xml_element_name_rules

from ..spreadsheets import neutralise, sheet_title, xlsx_cell
from . import datastore

__all__ = ["FORMATS", "dump", "register", "stream", "XLSX_MAX_ROWS"]

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Rows a page (CKAN's dump reads 32,000): a page is held as Python objects,
# about 4 MB per 1,000 rows of a dozen columns.
PAGE = 10_000
# A worksheet holds 1,048,576 rows, the header among them.
XLSX_MAX_ROWS = 1_048_575
BOM = "\ufeff"
PARAMETER_NAMES = {"offset": "起始行（offset）", "limit": "行数（limit）", "format": "格式（format）",
                   "bom": "BOM", "filters": "筛选条件（filters）", "q": "检索词（q）",
                   "distinct": "去重（distinct）", "plain": "plain", "language": "language",
                   "fields": "字段（fields）", "sort": "排序（sort）"}


def register(app) -> None:
    """CKAN's endpoint keeps its URL and name (url_for still finds it);
    the view behind it is this one."""
    app.view_functions["datastore.dump"] = dump


def _schema() -> dict[str, Any]:
    schema = dump_schema()
    schema["format"] = [tk.get_validator("default")("csv"),
                        tk.get_validator("one_of")(list(FORMATS))]
    schema["bom"] = [tk.get_validator("ignore_missing"), tk.get_validator("boolean_validator")]
    return schema


def _refuse(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def dump(resource_id: str):
    data, errors = dict_fns.validate(tk.request.args.to_dict(), _schema())
    if errors:
        if "format" in errors:
            return _refuse(400, "不支持的下载格式：可选 " + "、".join(FORMATS))
        return _refuse(400, "；".join(f"参数{PARAMETER_NAMES.get(key, key)}有误：{' '.join(value)}"
                                     for key, value in errors.items()))
    resource_id = _real_id(resource_id)
    if resource_id is None:
        return _refuse(404, "数据库中没有该资源的数据表")
    user = tk.current_user.name if tk.current_user.is_authenticated else ""
    search = {key: data[key] for key in ("filters", "q", "distinct", "plain", "language", "fields")
              if key in data}
    pages = _Pages(resource_id, user, search, data["sort"], data["offset"], data.get("limit"))
    try:
        first = pages.first(total=data["format"] == "xlsx")
    except tk.ValidationError as error:
        return _refuse(400, "查询条件有误：" + _summary(error))
    except (tk.ObjectNotFound, tk.NotAuthorized):  # as CKAN's dump: a private table is not found
        return _refuse(404, "数据库中没有该资源的数据表")
    fmt = data["format"]
    headers = _headers(first)
    filename = f"{resource_id}.{fmt}"
    disposition = f"attachment; filename={filename}; filename*=UTF-8''{quote(filename)}"
    if fmt == "xlsx":
        rows = first.get("total", 0) - data["offset"]
        if data.get("limit") is not None:
            rows = min(rows, data["limit"])
        if rows > XLSX_MAX_ROWS:
            return _refuse(400, f"XLSX 工作表最多 {XLSX_MAX_ROWS:,} 行，本次下载有 {rows:,} 行："
                                f"请改用 CSV（format=csv），或以 limit、filters 分批下载")
        return send_file(_xlsx(first, headers, pages), mimetype=FORMATS[fmt],
                         as_attachment=True, download_name=filename)
    body = WRITERS[fmt](first, headers, pages, data.get("bom", fmt in ("csv", "tsv")))
    return Response(stream_with_context(body), content_type=FORMATS[fmt],
                    headers={"Content-Disposition": disposition})


def stream(resource_id: str, fmt: str, user: str, search: dict[str, Any] | None = None,
           sort: Any = "_id", offset: int = 0, limit: int | None = None,
           bom: bool | None = None) -> Iterator[bytes]:
    """The dump of a table in `fmt` (not xlsx) as `user` may see it, chunk
    by chunk; the first page is read (and refused) before this returns."""
    pages = _Pages(resource_id, user, search or {}, sort, offset, limit)
    first = pages.first()
    return WRITERS[fmt](first, _headers(first), pages,
                        fmt in ("csv", "tsv") if bom is None else bom)


def _headers(first: dict[str, Any]) -> list[str]:
    return [datastore.header_of(field["id"], (field.get("info") or {}).get("label"))
            for field in first["fields"]]


def _summary(error: tk.ValidationError) -> str:
    parts = []
    for key, messages in (error.error_dict or {}).items():
        if isinstance(messages, list):
            messages = " ".join(str(message) for message in messages)
        parts.append(f"{PARAMETER_NAMES.get(key, key)}：{messages}")
    return "；".join(parts) or str(error)


def _real_id(resource_id: str) -> str | None:
    """The table behind an alias, as CKAN's dump resolves it."""
    if resource_id in tk.config.get("ckan.datastore.public_table_search"):
        return resource_id
    exists, real_id = DatastoreBackend.get_active_backend().resource_id_from_alias(resource_id)
    if not exists:
        return None
    return real_id or resource_id


class _Pages:
    """The rows of one dump, page by page, through `datastore_search` (keyset
    pages on _id as CKAN's dump does, offsets otherwise)."""

    def __init__(self, resource_id: str, user: str, search: dict[str, Any], sort: Any,
                 offset: int, limit: int | None):
        self.resource_id, self.user, self.search = resource_id, user, search
        self.sort, self.offset, self.limit = sort, offset, limit
        self.page_size = PAGE

    def _search(self, offset: int, limit: int | None, keyset: dict[str, Any],
                total: bool = False) -> dict[str, Any]:
        search = dict(self.search)
        if keyset:
            search["filters"] = dict(search.get("filters") or {}, **keyset)
        return tk.get_action("datastore_search")({"user": self.user}, dict(
            resource_id=self.resource_id, records_format="lists", sort=self.sort,
            limit=self.page_size if limit is None else min(self.page_size, limit),
            offset=0 if keyset else offset, include_total=total, include_next_page=True,
            **search))

    def first(self, total: bool = False) -> dict[str, Any]:
        result = self._search(self.offset, self.limit, {}, total)
        # datastore_search answers at most ckan.datastore.search.rows_max rows.
        self.page_size = min(self.page_size, result["limit"])
        return result

    def records(self, first: dict[str, Any]) -> Iterator[list[list[Any]]]:
        result, offset, limit = first, self.offset, self.limit
        while True:
            records = result["records"]
            yield records
            if len(records) < self.page_size:
                return
            offset += self.page_size
            if limit is not None:
                limit -= self.page_size
                if limit <= 0:
                    return
            result = self._search(offset, limit, result.get("next_page") or {})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _delimited(delimiter: str):
    def write(first, headers, pages: _Pages, bom: bool) -> Iterator[bytes]:
        buffer = io.StringIO()
        out = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
        out.writerow(headers)
        yield ((BOM if bom else "") + buffer.getvalue()).encode("utf-8")
        for records in pages.records(first):
            buffer.seek(0)
            buffer.truncate()
            for record in records:
                out.writerow([neutralise(value) if isinstance(value, str) else _text(value)
                              for value in record])
            yield buffer.getvalue().encode("utf-8")
    return write


def _json(first, headers, pages: _Pages, bom: bool) -> Iterator[bytes]:
    """CKAN's JSON dump, its fields also carrying the steward's header."""
    fields = [dict(field, label=header) for field, header in zip(first["fields"], headers)]
    yield ((BOM if bom else "") + '{\n  "fields": '
           + json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
           + ',\n  "records": [').encode("utf-8")
    separator = "\n    "
    for records in pages.records(first):
        parts = []
        for record in records:
            parts.append(separator + json.dumps(record, ensure_ascii=False,
                                                separators=(",", ":")))
            separator = ",\n    "
        yield "".join(parts).encode("utf-8")
    yield b"\n]}\n"


def _element_names(headers: list[str]) -> list[str]:
    """An XML element name for each header, by CKAN's rules, one per column
    even where two headers read alike."""
    names: list[str] = []
    for header in headers:
        name = unicodedata.normalize("NFC", header)
        for rule, replacement in xml_element_name_rules:
            name = rule.sub(replacement, name)
        unique, suffix = name or "column", 0
        while unique in names:
            unique, suffix = f"{name or 'column'}_{suffix}", suffix + 1
        names.append(unique)
    return names


def _xml(first, headers, pages: _Pages, bom: bool) -> Iterator[bytes]:
    """CKAN's XML dump, its element names made from the steward's headers."""
    with_id = bool(first["fields"]) and first["fields"][0]["id"] == "_id"
    names = _element_names(headers[1:] if with_id else headers)
    # CKAN's writer for the cells: nil for null, nested values for JSON.
    cells = XMLWriter(io.BytesIO(), ["x"])
    output = io.BytesIO()
    yield (b"\xef\xbb\xbf" if bom else b"") + \
        b'<data xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    for records in pages.records(first):
        for record in records:
            root = Element("row")
            values = list(record)
            if with_id:
                root.attrib["_id"] = str(values.pop(0))
            for name, value in zip(names, values):
                cells._insert_node(root, name, value)
            ElementTree(root).write(output, encoding="utf-8")
            output.write(b"\n")
        yield output.getvalue()
        output.seek(0)
        output.truncate()
    yield b"</data>\n"


def _xlsx(first, headers, pages: _Pages) -> tempfile.SpooledTemporaryFile:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title(pages.resource_id))
    sheet.append(headers)
    for records in pages.records(first):
        for record in records:
            sheet.append([xlsx_cell(sheet, value) for value in record])
    output = tempfile.SpooledTemporaryFile(max_size=32 << 20)
    with contextlib.closing(book):
        book.save(output)
    output.seek(0)
    return output


WRITERS = {"csv": _delimited(","), "tsv": _delimited("\t"), "json": _json, "xml": _xml}
