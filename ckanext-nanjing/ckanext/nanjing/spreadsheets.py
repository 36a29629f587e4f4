"""Tables written as spreadsheets people open in Excel: CSV in UTF-8 with a
BOM (so Excel reads the Chinese), and XLSX. Text cells that begin with
`=`, `+`, `-`, `@` (or a tab or carriage return, which Excel skips before
them) would run as formulas (`=HYPERLINK(...)`): they are prefixed with `'`
in CSV and stored as plain text, never a formula, in XLSX. DataStore
downloads, the supervision tables and the yearly report's exports all
write through here."""
from __future__ import annotations

import csv
import decimal
import io
import json
from typing import Any

__all__ = ["FORMATS", "neutralise", "text_cell", "xlsx_cell", "excel_safe", "sheet_title",
           "table_csv", "table_xlsx"]

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def text_cell(sheet, value: str):
    """A cell that stays plain text even when it looks like a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=excel_safe(value))
    cell.data_type = "s"
    return cell


def xlsx_cell(sheet, value: Any) -> Any:
    """What a write-only sheet is given for `value`: text as text (a
    formula-like one as a plain-text cell), JSON as its text, decimals as
    numbers, anything else as it is."""
    if isinstance(value, str):
        return text_cell(sheet, value) if value.startswith(FORMULA_STARTS) else excel_safe(value)
    if isinstance(value, (dict, list)):
        return excel_safe(json.dumps(value, ensure_ascii=False))
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def excel_safe(value: str) -> str:
    # XML 1.0 cannot hold most control characters; openpyxl refuses them.
    cleaned = "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 32)
    return cleaned[:32767]  # Excel's cell limit


def sheet_title(title: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip() or "data"
    return cleaned[:31]


def table_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    """A small table (a report, a ranking) as CSV with a BOM, so Excel opens
    its Chinese; cells that would start a formula are neutralised."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(value) if isinstance(value, str) else
                         "" if value is None else value for value in row])
    return ("\ufeff" + output.getvalue()).encode("utf-8")


def table_xlsx(title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    """The same table as a workbook; text stays text even when it looks like a formula."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title(title))
    sheet.append(header)
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
