"""Plain-Chinese explanations of what the gate found, one per problem,
naming the row, the column and the offending value, and saying how to fix
it where the fix is known."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from .report import MAX_VALUE_CHARS, Problem

__all__ = [
    "EMPTY_FILE", "ROW_TOO_LARGE", "HEAD_TOO_LARGE", "UNREADABLE", "label_problem", "blank_row",
    "missing_cell", "extra_cell", "type_error", "constraint_error", "unique_error",
    "primary_key_error", "renumbered", "from_frictionless", "TYPE_NAMES",
]

EMPTY_FILE = "文件是空的：没有表头，也没有数据行"
TOO_MANY_COLUMNS = ("表格有 {count} 列，超过数据库单表最多 {most} 列的上限，发布后将无法预览、查询和导出；"
                    "请按主题拆分为多个资源（每个资源不超过 {most} 列）后再上传")
ROW_TOO_LARGE = "第 {row} 行过长（单行超过 16 MB），无法作为表格读取；请检查是否缺少引号闭合或文件并非表格"
HEAD_TOO_LARGE = "文件前 100 行中有单个单元格超过 16 MB，无法作为表格读取；请检查是否缺少引号闭合或文件并非表格"
UNREADABLE = "从第 {row} 行起无法按表格读取：{detail}"

TYPE_NAMES = {
    "string": "文本", "integer": "整数", "number": "数值", "boolean": "布尔值（是/否）",
    "date": "日期", "datetime": "日期时间", "time": "时间", "year": "年份",
    "yearmonth": "年月", "duration": "时长", "geopoint": "坐标", "geojson": "GeoJSON",
    "object": "JSON 对象", "array": "JSON 数组", "list": "列表", "any": "任意值",
}
FORMAT_HINTS = {
    ("date", "default"): "应写作 2023-05-01（年-月-日）",
    ("datetime", "default"): "应写作 2023-05-01T08:30:00Z",
    ("time", "default"): "应写作 08:30:00",
    ("integer", "default"): "应为不带小数点和千位分隔符的整数，如 1200",
    ("number", "default"): "应为不带千位分隔符的数字，如 1234.5",
    ("boolean", "default"): "应为 true/false 或 1/0",
    ("year", "default"): "应为四位年份，如 2023",
    ("yearmonth", "default"): "应写作 2023-05",
    ("string", "email"): "应为电子邮箱地址",
    ("string", "uri"): "应为以 http:// 或 https:// 开头的网址",
    ("string", "uuid"): "应为 UUID",
}
LABEL_MESSAGES = {
    "extra-label": "表头第 {number} 列“{label}”在信息项中没有对应字段",
    "missing-label": "信息项的第 {number} 个字段“{name}”在表头中缺失",
    "blank-label": "表头第 {number} 列名称为空（信息项中为“{name}”）",
    "duplicate-label": "表头第 {number} 列“{label}”与前面的列重名",
    "incorrect-label": "表头第 {number} 列是“{label}”，信息项中该位置的字段是“{name}”",
}
CONSTRAINT_MESSAGES = {
    "required": "必填，不能为空",
    "minLength": "长度不能少于 {value} 个字符",
    "maxLength": "长度不能超过 {value} 个字符",
    "minimum": "不能小于 {value}",
    "maximum": "不能大于 {value}",
    "exclusiveMinimum": "必须大于 {value}",
    "exclusiveMaximum": "必须小于 {value}",
    "pattern": "不符合规定格式（{value}）",
    "enum": "只能取以下值之一：{value}",
}


def _shown(cell: Any) -> str | None:
    if cell is None:
        return None
    text = str(cell)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


def _where(row: int, name: str) -> str:
    return f"第 {row} 行“{name}”列"


def label_problem(code: str, number: int, label: str, name: str = "") -> Problem:
    return Problem(code, LABEL_MESSAGES[code].format(number=number, label=label, name=name),
                   row=None, field=number, field_name=name or None, value=_shown(label or None))


def blank_row(row: int) -> Problem:
    return Problem("blank-row", f"第 {row} 行是空行", row=row)


def missing_cell(row: int, number: int, name: str) -> Problem:
    return Problem("missing-cell", f"{_where(row, name)}缺失：该行的列数少于表头", row=row,
                   field=number, field_name=name)


def extra_cell(row: int, number: int, cell: Any) -> Problem:
    return Problem("extra-cell", f"第 {row} 行第 {number} 列多出一个单元格：该行的列数多于表头",
                   row=row, field=number, value=_shown(cell))


def type_error(row: int, number: int, field, cell: Any) -> Problem:
    kind = TYPE_NAMES.get(field.type, field.type)
    hint = FORMAT_HINTS.get((field.type, field.format)) or (
        f"应符合格式 {field.format}" if field.format not in ("default", None) else "")
    message = f"{_where(row, field.name)}的值“{_shown(cell)}”不是有效的{kind}"
    suggestion = _chinese_form_hint(field, cell)
    if hint:
        message += f"，{hint}"
    if suggestion:
        message += f"；{suggestion}"
    return Problem("type-error", message, row=row, field=number, field_name=field.name,
                   value=_shown(cell))


def _chinese_form_hint(field, cell: Any) -> str:
    """Values written the way agencies write them get the exact fix."""
    from . import checks

    if not isinstance(cell, str):
        return ""
    if field.type == "date" and checks.parse_chinese_date(cell):
        return (f"这是常见的中文日期写法，可改为 {checks.parse_chinese_date(cell).isoformat()}，"
                f"或在信息项中为该列声明日期格式（如 format: \"%Y年%m月%d日\"）")
    if field.type in ("number", "integer") and checks.parse_chinese_number(cell) is not None:
        return (f"可改为 {checks.parse_chinese_number(cell)}；若保留千位分隔符，"
                f"请在信息项中为该列声明 groupChar: \",\"")
    return ""


def constraint_error(row: int, number: int, field, cell: Any, constraint: str) -> Problem:
    value = (field.constraints or {}).get(constraint)
    if constraint == "enum":
        value = "、".join(map(str, value))
    rule = CONSTRAINT_MESSAGES.get(constraint, constraint).format(value=value)
    shown = "" if cell is None else f"的值“{_shown(cell)}”"
    return Problem("constraint-error", f"{_where(row, field.name)}{shown}{rule}", row=row,
                   field=number, field_name=field.name, value=_shown(cell))


def unique_error(row: int, number: int, field, cell: Any, first_row: int) -> Problem:
    return Problem("unique-error",
                   f"{_where(row, field.name)}的值“{_shown(cell)}”与第 {first_row} 行重复，该列不允许重复",
                   row=row, field=number, field_name=field.name, value=_shown(cell))


def primary_key_error(row: int, first_row: int | None) -> Problem:
    if first_row is None:
        message = f"第 {row} 行的主键各列全部为空"
    else:
        message = f"第 {row} 行的主键与第 {first_row} 行重复"
    return Problem("primary-key", message, row=row)


def renumbered(problem: Problem, row: int) -> Problem:
    message = problem.message.replace(f"第 {problem.row} 行", f"第 {row} 行", 1)
    return replace(problem, row=row, message=message)


def from_frictionless(error, fields: dict[str, Any]) -> Problem:
    """A frictionless error object in our terms (used by the reference
    engine); `fields` are the schema's frictionless fields by name."""
    code = error.type
    row = getattr(error, "row_number", None)
    number = getattr(error, "field_number", None)
    name = getattr(error, "field_name", None) or None
    cell = getattr(error, "cell", None)
    note = getattr(error, "note", "") or ""
    if code.startswith("nanjing-"):
        return Problem(code, note, row=row, field=number, field_name=name, value=_shown(cell))
    if code in LABEL_MESSAGES:
        return label_problem(code, number, getattr(error, "label", ""), name or "")
    if code == "blank-row":
        return blank_row(row)
    if code == "missing-cell":
        return missing_cell(row, number, name or "")
    if code == "extra-cell":
        return extra_cell(row, number, cell)
    if code == "unique-error":
        first = note.rsplit(" ", 1)[-1]
        return Problem(code, f"{_where(row, name)}的值“{_shown(cell)}”与第 {first} 行重复，该列不允许重复",
                       row=row, field=number, field_name=name, value=_shown(cell))
    if code == "primary-key":
        first = note.rsplit(" ", 1)[-1] if "position" in note else None
        return primary_key_error(row, int(first) if first and first.isdigit() else None)
    field = fields.get(name) if name else None
    if code == "type-error" and field is not None:
        return type_error(row, number, field, cell)
    if code == "constraint-error" and field is not None and '"' in note:
        return constraint_error(row, number, field, cell or None, note.split('"')[1])
    if code == "source-error" and "empty" in note:
        return Problem(code, EMPTY_FILE)
    where = _where(row, name) if row and name else ""
    return Problem(code, f"{where}{error.title}：{note}" if where else f"{error.title}：{note}",
                   row=row, field=number, field_name=name, value=_shown(cell))
