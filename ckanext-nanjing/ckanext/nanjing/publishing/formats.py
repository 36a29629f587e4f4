"""Which tabular format a file really is, and its conversion to the one form
the gate reads: UTF-8 CSV (or TSV) without BOM.

The declared format (resource format or file extension) is checked against
the file's first bytes (`sniffing`, the platform's one reading of them): a
renamed file is refused with a plain explanation rather than read as
something it is not. Workbooks are opened only after
their zip directory shows they unpack to a sane size (a zip bomb renamed
.xlsx is refused before a byte is inflated).
"""
from __future__ import annotations

import contextlib
import csv
import datetime
import json
import zipfile
from decimal import Decimal
from pathlib import Path

from ..files import sha256_of
from ..sniffing import foreign, sniff
from . import encoding as encodings

__all__ = ["FormatProblem", "TABULAR", "tabular_format", "to_text_table",
           "workbook_sheets", "sheet_to_csv"]

TABULAR = ("csv", "tsv", "xlsx", "xls", "json")
NAMES = {"csv": "CSV", "tsv": "TSV", "xlsx": "Excel（.xlsx）", "xls": "Excel 97-2003（.xls）",
         "json": "JSON", "zip": "ZIP 压缩包", "text": "文本"}
MAX_UNPACKED_BYTES = 1 << 30
MAX_COMPRESSION_RATIO = 200


class FormatProblem(Exception):
    """The file is not what it says, or cannot be read as a table (Chinese message)."""


def tabular_format(resource: dict) -> str | None:
    """The gate's format for a resource dict, or None when it is not tabular."""
    declared = (resource.get("format") or "").strip().lower().lstrip(".")
    if declared in TABULAR:
        return declared
    if declared:
        return None
    suffix = Path((resource.get("url") or "").split("?")[0]).suffix.lower().lstrip(".")
    return suffix if suffix in TABULAR else None


def to_text_table(path: Path, declared: str, target: Path) -> tuple[str, str, str]:
    """Converts `path` (declared `declared`) to UTF-8 text at `target`.

    Returns (format of target: "csv" or "tsv", original encoding, SHA-256 of
    the original bytes)."""
    kind = foreign(path)
    if kind:
        raise FormatProblem(
            f"文件内容是{kind}，不是表格数据（无论文件名或声明格式如何），不能作为数据资源发布；"
            f"请上传 CSV、TSV、Excel 或 JSON 表格，文档类文件请作为附件上传")
    actual = sniff(path)
    expected = {"csv": "text", "tsv": "text", "xlsx": "zip", "xls": "xls", "json": "json"}[declared]
    if actual != expected and not (declared in ("csv", "tsv") and actual == "json"):
        raise FormatProblem(
            f"文件声明为 {NAMES[declared]}，但内容是 {NAMES[actual]}；"
            f"请上传真正的 {NAMES[declared]} 文件，或把资源格式改为实际格式")
    if declared in ("csv", "tsv"):
        encoding = encodings.detect(path)
        return declared, encoding, encodings.normalise(path, encoding, target)
    sha = sha256_of(path)
    if declared == "xlsx":
        _refuse_zip_bomb(path)
        _xlsx_to_csv(path, target)
    elif declared == "xls":
        _xls_to_csv(path, target)
    else:
        _json_to_csv(path, target)
    return "csv", "binary" if declared != "json" else "utf-8", sha


def _refuse_zip_bomb(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as error:
        raise FormatProblem("Excel 文件已损坏，无法打开；请重新导出后上传") from error
    unpacked = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_COMPRESSION_RATIO:
        raise FormatProblem(
            f"Excel 文件解压后达 {unpacked / (1 << 20):,.0f} MB（压缩比 {unpacked / packed:,.0f} 倍），"
            f"超出安全上限，疑似压缩炸弹，已拒绝；请导出为 CSV 后上传")
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise FormatProblem("文件是 ZIP 压缩包，但不是 Excel 工作簿（.xlsx）")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _write_rows(rows, target: Path) -> None:
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for row in rows:
            writer.writerow([_cell_text(value) for value in row])


def _xlsx_to_csv(path: Path, target: Path, sheet: str | None = None, skip: int = 0) -> None:
    with _open_xlsx(path) as book:
        _write_rows(_trim_trailing_empty(_skip(
            _xlsx_sheet(book, sheet).iter_rows(values_only=True), skip)), target)


@contextlib.contextmanager
def _open_xlsx(path: Path):
    import openpyxl

    # A file object: openpyxl judges a path by its extension, and stored
    # uploads have none.
    with path.open("rb") as stream:
        try:
            book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds on a broken workbook
            raise FormatProblem(f"Excel 文件无法读取：{error}") from error
        try:
            yield book
        finally:
            book.close()


def _xlsx_sheet(book, sheet: str | None):
    if sheet is None:
        return book.worksheets[0]
    if sheet not in book.sheetnames:
        raise _no_such_sheet(sheet, book.sheetnames)
    return book[sheet]


def _no_such_sheet(sheet: str, names: list[str]) -> FormatProblem:
    return FormatProblem(f"工作簿中没有名为“{sheet}”的工作表；现有工作表：{'、'.join(names)}")


def _xls_to_csv(path: Path, target: Path, sheet: str | None = None, skip: int = 0) -> None:
    import xlrd

    book = _open_xls(path)
    if sheet is None:
        table = book.sheet_by_index(0)
    elif sheet in book.sheet_names():
        table = book.sheet_by_name(sheet)
    else:
        raise _no_such_sheet(sheet, book.sheet_names())

    def rows():
        for index in range(table.nrows):
            row = []
            for cell in table.row(index):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                else:
                    row.append(cell.value if cell.value != "" else None)
            yield row

    _write_rows(_trim_trailing_empty(_skip(rows(), skip)), target)


def _open_xls(path: Path):
    import xlrd

    try:
        return xlrd.open_workbook(str(path), on_demand=True)
    except xlrd.XLRDError as error:
        raise FormatProblem(f"Excel 97-2003 文件无法读取：{error}") from error


def _skip(rows, count: int):
    """Rows after the first `count` (budget tables carry a title and a unit
    line above the header)."""
    for index, row in enumerate(rows):
        if index >= count:
            yield row


def workbook_sheets(path: Path, declared: str) -> list[str]:
    """The names of a workbook's sheets, in order."""
    if declared == "xlsx":
        _refuse_zip_bomb(path)
        with _open_xlsx(path) as book:
            return list(book.sheetnames)
    return list(_open_xls(path).sheet_names())


def sheet_to_csv(path: Path, declared: str, sheet: str, target: Path, header_row: int = 1) -> None:
    """One sheet of a workbook as UTF-8 CSV, starting at its header row (1-based)."""
    if declared == "xlsx":
        _refuse_zip_bomb(path)
        _xlsx_to_csv(path, target, sheet, header_row - 1)
    else:
        _xls_to_csv(path, target, sheet, header_row - 1)


def _trim_trailing_empty(rows):
    """Excel sheets often carry formatted but empty cells to the right of
    the table: rows are cut to the header's width where those cells are
    empty, and padded to it where the sheet stops early."""
    width = None
    for row in rows:
        row = list(row)
        if width is None:
            while row and row[-1] in (None, ""):
                row.pop()
            width = len(row)
        else:
            while len(row) > width and row[-1] in (None, ""):
                row.pop()
            row += [None] * (width - len(row))
        yield row


def _json_to_csv(path: Path, target: Path) -> None:
    try:
        data = json.loads(path.read_text(encoding=encodings.detect(path)))
    except (ValueError, encodings.EncodingProblem) as error:
        raise FormatProblem(f"JSON 文件无法解析：{error}") from error
    if isinstance(data, dict):
        data = data.get("data") or data.get("records") or data.get("result")
    if not isinstance(data, list) or not data:
        raise FormatProblem("JSON 文件应为数组：每个元素是一行（对象或数组）")
    if all(isinstance(item, dict) for item in data):
        header: list[str] = []
        for item in data:
            header.extend(key for key in item if key not in header)
        rows = [header] + [[_json_cell(item.get(key)) for key in header] for item in data]
    elif all(isinstance(item, list) for item in data):
        rows = [[_json_cell(value) for value in item] for item in data]
    else:
        raise FormatProblem("JSON 数组的元素应全部是对象，或全部是数组")
    _write_rows(rows, target)


def _json_cell(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value
