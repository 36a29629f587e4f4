"""Small broken CSV and TSV files, as Python literals, with the Table Schema
each is checked against and the errors frictionless 5.21 reports for it.

`expected` lists (type, rowNumber, fieldNumber) as `report.flatten()` gives
them: label errors have no row number, row errors (blank-row, primary-key)
no field number. The header is row 1; rows are CSV records, so a quoted
newline does not start a new row. The comments state the rule of
frictionless each case pins down.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Error = tuple[str, int | None, int | None]


@dataclass(frozen=True)
class Case:
    name: str
    content: str | bytes  # str is written as UTF-8
    schema: dict[str, Any]
    format: str = "csv"  # also the file's extension, from which frictionless takes it
    expected: tuple[Error, ...] = ()

    @property
    def file_name(self) -> str:
        return f"{self.name}.{self.format}"


def table(*fields: Any, **schema: Any) -> dict[str, Any]:
    """A Table Schema; a field given as a bare name is a string field."""
    return {"fields": [{"name": f, "type": "string"} if isinstance(f, str) else f
                       for f in fields], **schema}


def field(name: str, type: str = "string", **properties: Any) -> dict[str, Any]:
    return {"name": name, "type": type, **properties}


def column(values: list[str]) -> str:
    """A two-column CSV: 值 holds the values (one per row, written as given,
    quotes included), 序号 keeps each row from being blank."""
    return "序号,值\n" + "".join(f"{n},{v}\n" for n, v in enumerate(values, start=1))


def column_schema(type: str, **properties: Any) -> dict[str, Any]:
    return table(field("序号", "integer"), field("值", type, **properties))


def type_errors(*rows: int) -> tuple[Error, ...]:
    return tuple(("type-error", row, 2) for row in rows)


def constraint_errors(*rows: int) -> tuple[Error, ...]:
    return tuple(("constraint-error", row, 2) for row in rows)


def typed(name: str, type: str, values: list[str], bad_rows: tuple[int, ...],
          **properties: Any) -> Case:
    """Values of one type, the rows (header = 1, first value = 2) that fail."""
    return Case(name, column(values), column_schema(type, **properties),
                expected=type_errors(*bad_rows))


TYPES = [
    typed("string_email", "string", [
        "a@b.com", "a@b", "a.b.com", "张@例子.中国",
    ], (3, 4, 5), format="email"),
    typed("string_uri", "string", [
        "http://example.com", "example.com", "mailto:a@b.com", "urn:isbn:1",
    ], (3,), format="uri"),
    typed("string_uuid", "string", [
        "f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "F81D4FAE7DEC11D0A76500A0C91E6BF6", "x",
    ], (4,), format="uuid"),
    # int() after strip(): sign, zeros, underscores, Unicode digits pass;
    # decimals, exponents, group separators and whitespace-only cells fail.
    typed("integer_forms", "integer", [
        "1", "+1", " 1 ", "-0", "01", "1_000", "１２", "1.0", "1e3", '"1,000"', "0x10", "  ",
        "", "99999999999999999999",
    ], (9, 10, 11, 12, 13)),
    # bareNumber false strips leading non-digits (but "-") and trailing non-digits.
    typed("integer_bare_number_false", "integer", [
        "$1", "1%", "a1b", "€-1", '"1,000"', "1 000",
    ], (6, 7), bareNumber=False),
    # Decimal() after strip().
    typed("number_forms", "number", [
        "1.5", "+1.5", "-.5", ".5", "5.", "1e3", "1E-3", "NaN", "inf", "-Infinity", "1_000",
        " 2 ", "１２", '"1,5"', '"1,000"', "0x10", "  ",
    ], (15, 16, 17, 18)),
    typed("number_decimal_char", "number", [
        '"1,5"', "1000", "1.5", '"1.000,5"',
    ], (4, 5), decimalChar=","),
    typed("number_group_char", "number", [
        '"1,000"', '"1,000.5"', '"1,0,0"', "1.5", "1 000",
    ], (6,), groupChar=","),
    typed("boolean_defaults", "boolean", [
        "true", "True", "TRUE", "1", "false", "False", "FALSE", "0", "yes", "t", " true", "tRue",
    ], (10, 11, 12, 13)),
    typed("boolean_custom_values", "boolean", [
        "是", "否", "true", "1",
    ], (4, 5), trueValues=["是"], falseValues=["否"]),
    # strptime("%Y-%m-%d"): one-digit month/day pass, no whitespace, no time.
    typed("date_default", "date", [
        "2023-05-01", "2023-5-1", "２０２３-05-01", "20230501", "2023/05/01", "2023-02-30",
        " 2023-05-01", "2023-05-01 ", "2023-05-01T00:00:00", "23-05-01",
    ], (5, 6, 7, 8, 9, 10, 11)),
    typed("date_format_pattern", "date", [
        "2023/05/01", "2023/5/1", "2023-05-01",
    ], (4,), format="%Y/%m/%d"),
    typed("date_format_any", "date", [
        "2023-05-01", "May 1 2023", "20230501", "2023年5月1日", "x",
    ], (5, 6), format="any"),
    # char 17 must be ":" and length >= 19, then dateutil's isoparse.
    typed("datetime_default", "datetime", [
        "2023-05-01T10:00:00", "2023-05-01T10:00:00Z", "2023-05-01T10:00:00+08:00",
        "2023-05-01 10:00:00", "2023-05-01T10:00:00.123", "2023-05-01T10:00",
        "20230501T100000", "2023-05-01T10:00:00 ", "2023-05-01",
    ], (7, 8, 9, 10)),
    typed("time_default", "time", [
        "10:00:00", "10:00:00Z", "10:00:00+08:00", "10:00:00.5", "10:00", "1:00:00",
        "10:00:60",
    ], (6, 7, 8)),
    typed("year", "year", [
        "2023", "0999", " 202", "+202", "999", "20230", "-202",
    ], (6, 7, 8)),
    typed("yearmonth", "yearmonth", [
        "2023-05", "2023-5", " 2023-05", "2023-13", "2023-00", "202305", "2023/05",
    ], (5, 6, 7, 8)),
    typed("duration", "duration", [
        "P1D", "PT1H", "P1Y2M3DT4H5M6S", "P1W", "-P1D", "1D", "P",
    ], (7, 8)),
    typed("geopoint", "geopoint", [
        '"118.8,32.0"', '"118.8, 32.0"', '"181,0"', '"0,91"', "118.8", '"1,2,3"',
    ], (4, 5, 6, 7)),
    typed("object", "object", [
        '"{""区"": ""玄武区""}"', "{}", "[1]", "null", "x",
    ], (4, 5, 6)),
    typed("array", "array", [
        "[]", '"[1,2]"', '"{""a"": 1}"', '"""s"""',
    ], (4, 5)),
    typed("any", "any", ["x", "1", "2023-05-01", "  "], ()),
]


CONSTRAINTS = [
    # "required": a missing value fails it, a whitespace-only string does not.
    Case("constraint_required", "名称,备注\n玄武区,\n,无\n ,无\n",
         table(field("名称", constraints={"required": True}),
               field("备注", constraints={"required": True})),
         expected=(("constraint-error", 2, 2), ("constraint-error", 3, 1))),
    # A missing cell is also checked against the constraints.
    Case("constraint_required_missing_cell", "名称,区,人数\n甲\n乙,玄武区\n",
         table("名称", field("区", constraints={"required": True}),
               field("人数", "integer", constraints={"required": True})),
         expected=(("constraint-error", 2, 2), ("constraint-error", 2, 3),
                   ("constraint-error", 3, 3), ("missing-cell", 2, 2),
                   ("missing-cell", 2, 3), ("missing-cell", 3, 3))),
    # Lengths count characters, not bytes.
    Case("constraint_length", "序号,值\n1,南\n2,南京\n3,南京市\n4,南京市区\n5,\n6,abcd\n",
         column_schema("string", constraints={"minLength": 2, "maxLength": 3}),
         expected=constraint_errors(2, 5, 7)),
    # re.match("^(pattern)$") without the group: "$" also matches before a
    # final newline, "\d" matches any Unicode digit, "a|b" is "^a" or "b$".
    Case("constraint_pattern",
         '序号,值\n1,123\n2,1234\n3,"123\n"\n4,１２３\n5, 123\n6,\n',
         column_schema("string", constraints={"pattern": r"\d{3}"}),
         expected=constraint_errors(3, 6)),
    Case("constraint_pattern_alternation", "序号,值\n1,a\n2,ab\n3,ba\n4,xa\n",
         column_schema("string", constraints={"pattern": "a|b"}),
         expected=constraint_errors(4, 5)),
    # Enum entries are cast like the cells: "01" is the integer 1.
    Case("constraint_enum", "区,等级\n玄武区,1\n玄武区 ,01\n鼓楼,3\n,\n",
         table(field("区", constraints={"enum": ["玄武区", "秦淮区"]}),
               field("等级", "integer", constraints={"enum": [1, 2]})),
         expected=(("constraint-error", 3, 1), ("constraint-error", 4, 1),
                   ("constraint-error", 4, 2), ("blank-row", 5, None))),
    # Bounds compare cast values; numbers are Decimals: NaN fails both bounds,
    # 0.50000000000000001 is above 0.5.
    Case("constraint_minimum_maximum",
         "人数,比例,日期\n0,0.5,2023-01-01\n-1,0.4,2022-12-31\n11,NaN,2024-01-01\n"
         "10,0.50000000000000001,2023-12-31\nx,y,z\n",
         table(field("人数", "integer", constraints={"minimum": 0, "maximum": 10}),
               field("比例", "number", constraints={"minimum": 0.3, "maximum": 0.5}),
               field("日期", "date", constraints={"minimum": "2023-01-01",
                                                 "maximum": "2023-12-31"})),
         expected=(("constraint-error", 3, 1), ("constraint-error", 3, 3),
                   ("constraint-error", 4, 1), ("constraint-error", 4, 2),
                   ("constraint-error", 4, 2), ("constraint-error", 4, 3),
                   ("constraint-error", 5, 2),
                   ("type-error", 6, 1), ("type-error", 6, 2), ("type-error", 6, 3))),
    # Every failing constraint is reported; a type error skips them all.
    Case("constraint_several_and_type_error", "编码,数量\nab1,x\nabcd,-1\nABCD,5\n",
         table(field("编码", constraints={"minLength": 3, "pattern": "[a-z]+",
                                        "enum": ["abcd"]}),
               field("数量", "integer", constraints={"minimum": 0, "enum": [5]})),
         expected=(("constraint-error", 2, 1), ("constraint-error", 2, 1),
                   ("type-error", 2, 2), ("constraint-error", 3, 2),
                   ("constraint-error", 3, 2), ("constraint-error", 4, 1),
                   ("constraint-error", 4, 1))),
    # missingValues replace [""]: "" is then a value ("integer" rejects it).
    Case("missing_values_field", "序号,值\n1,-\n2,NA\n3,\n4,7\n",
         column_schema("integer", missingValues=["-", "NA"], constraints={"required": True}),
         expected=(("constraint-error", 2, 2), ("constraint-error", 3, 2),
                   ("type-error", 4, 2))),
    Case("missing_values_schema", "序号,值\n1,NA\n2,\n",
         table(field("序号", "integer"), field("值", "integer"), missingValues=["NA"]),
         expected=type_errors(3)),
    Case("whitespace_cells", "名称,数量\n 玄武区 , 1 \n ,  \n\t,\u3000２\u3000\n",
         table(field("名称", constraints={"maxLength": 3}), field("数量", "integer")),
         expected=(("constraint-error", 2, 1), ("type-error", 3, 2))),
]


ROWS = [
    # An empty line is a row of no cells: blank, as is a row of empty cells.
    # Blank lines at the end count too, bar the final newline.
    Case("blank_rows", '名称,数量\n玄武区,1\n\n,\n"",\n秦淮区,2\n\n\n',
         table("名称", field("数量", "integer")),
         expected=(("blank-row", 3, None), ("blank-row", 4, None), ("blank-row", 5, None),
                   ("blank-row", 7, None), ("blank-row", 8, None))),
    # blank-row replaces every other error of its row.
    Case("blank_row_replaces_row_errors", "名称,数量\n玄武区,1\n,,x\n,\n",
         table(field("名称", constraints={"required": True}),
               field("数量", "integer", constraints={"required": True})),
         expected=(("blank-row", 3, None), ("blank-row", 4, None))),
    Case("ragged_rows", "名称,数量,备注\n玄武区,1,甲,乙,丙\n秦淮区\n鼓楼区,2,\n建邺区,3\n",
         table("名称", field("数量", "integer"), "备注"),
         expected=(("extra-cell", 2, 4), ("extra-cell", 2, 5), ("missing-cell", 3, 2),
                   ("missing-cell", 3, 3), ("missing-cell", 5, 3))),
    # Row numbers count records: a quoted newline does not start a row.
    Case("quoted_fields",
         '名称,备注,数量\n"玄武区,新街口","他说""好""",1\n"秦淮区","第一行\n第二行",x\n'
         '鼓楼区,"a,b",2,3\n',
         table("名称", field("备注", constraints={"maxLength": 5}), field("数量", "integer")),
         expected=(("constraint-error", 3, 2), ("type-error", 3, 3), ("extra-cell", 4, 4))),
    # A quote inside a field is literal; one after a closing quote is glued on.
    Case("quote_oddities", '名称,备注\nx"y,"ab"cd\n"a" ,b\n',
         table("名称", field("备注", constraints={"maxLength": 3})),
         expected=(("constraint-error", 2, 2),)),
    # An unterminated quote swallows the rest of the file into one cell.
    Case("unterminated_quote", '名称,数量\n"玄武区,1\n秦淮区,2\n',
         table("名称", field("数量", "integer")),
         expected=(("missing-cell", 2, 2),)),
    Case("no_trailing_newline", "名称,数量\n玄武区,1\n秦淮区",
         table("名称", field("数量", "integer")),
         expected=(("missing-cell", 3, 2),)),
    Case("crlf_line_endings", "名称,数量\r\n玄武区,1\r\n秦淮区\r\n\r\n鼓楼区,x\r\n",
         table("名称", field("数量", "integer")),
         expected=(("missing-cell", 3, 2), ("blank-row", 4, None), ("type-error", 5, 2))),
    Case("cr_line_endings", "名称,数量\r玄武区,1\r秦淮区\r",
         table("名称", field("数量", "integer")),
         expected=(("missing-cell", 3, 2),)),
    # Fields over the csv module's default 131072-character limit are read.
    Case("huge_field", "名称,备注\n玄武区," + "长" * 200_000 + "\n秦淮区,短\n",
         table("名称", field("备注", constraints={"maxLength": 100_000})),
         expected=(("constraint-error", 2, 2),)),
]


LABELS = [
    Case("label_blank", "名称,,备注\n玄武区,1,x\n",
         table("名称", "数量", "备注"),
         expected=(("blank-label", None, 2),)),
    # A repeated label is duplicate-label, never also incorrect-label.
    Case("label_duplicate", "名称,名称,名称\n玄武区,1,x\n",
         table("名称", "数量", "备注"),
         expected=(("duplicate-label", None, 2), ("duplicate-label", None, 3))),
    # Labels pair with fields by position; the rows are still cast by position.
    Case("label_incorrect_order", "数量,名称\n1,玄武区\n",
         table("名称", field("数量", "integer")),
         expected=(("incorrect-label", None, 1), ("incorrect-label", None, 2),
                   ("type-error", 2, 2))),
    Case("label_incorrect_case_and_spaces", " 名称 ,Count\n玄武区,1\n",
         table("名称", field("count", "integer")),
         expected=(("incorrect-label", None, 2),)),
    # A label beyond the schema gets an untyped field: its cells are not
    # checked and are not extra cells.
    Case("label_extra", "名称,数量,备注,\n玄武区,1,x,y\n秦淮区,2\n",
         table("名称", field("数量", "integer")),
         expected=(("extra-label", None, 3), ("extra-label", None, 4),
                   ("missing-cell", 3, 3), ("missing-cell", 3, 4))),
    # Fields beyond the labels are dropped from the rows: no missing cells.
    Case("label_missing", "名称\n玄武区\n秦淮区,1\n",
         table("名称", field("数量", "integer", constraints={"required": True})),
         expected=(("missing-label", None, 2), ("extra-cell", 3, 2))),
]


KEYS = [
    # Later occurrences are reported, compared as cast values; missing and
    # badly typed cells are never duplicates.
    Case("unique", "编号,名称\n1,甲\n2,乙\n1,丙\n01,丁\n,戊\n,己\nx,庚\nx,辛\n",
         table(field("编号", "integer", constraints={"unique": True}), "名称"),
         expected=(("unique-error", 4, 1), ("unique-error", 5, 1),
                   ("type-error", 8, 1), ("type-error", 9, 1))),
    # Decimal equality: 1 = 1.0 = 1e0, -0 = 0, NaN is unique, 0.3 is not
    # 0.30000000000000001; strings compare exactly.
    Case("unique_number_and_string",
         "数值,名称\n1,甲\n1.0,甲\n1e0,乙\n-0,乙 \nNaN,丙\nNaN,丙\n0,甲\n"
         "0.3,丁\n0.30000000000000001,戊\n",
         table(field("数值", "number", constraints={"unique": True}),
               field("名称", constraints={"unique": True})),
         expected=(("unique-error", 3, 1), ("unique-error", 3, 2), ("unique-error", 4, 1),
                   ("unique-error", 7, 2), ("unique-error", 8, 1), ("unique-error", 8, 2))),
    # An all-missing key is an error too; a blank row keeps its key error.
    Case("primary_key", "编号,名称\n1,甲\n2,乙\n1,丙\n,丁\nx,戊\n,\n",
         table(field("编号", "integer"), "名称", primaryKey=["编号"]),
         expected=(("primary-key", 4, None), ("primary-key", 5, None),
                   ("type-error", 6, 1), ("primary-key", 6, None),
                   ("blank-row", 7, None), ("primary-key", 7, None))),
    Case("primary_key_composite", "区,年份,数量\n玄武区,2023,1\n玄武区,2024,2\n玄武区,2023,3\n"
         ",2024,4\n,2024,5\n",
         table("区", field("年份", "year"), field("数量", "integer"),
               primaryKey=["区", "年份"]),
         expected=(("primary-key", 4, None), ("primary-key", 6, None))),
]


CHINESE_SCHEMA = table(
    field("行政处罚决定书文号", constraints={"required": True}),
    field("统一社会信用代码", constraints={
        "required": True, "pattern": r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"}),
    field("所在区", constraints={"enum": ["玄武区", "秦淮区", "建邺区", "鼓楼区"]}),
    field("罚款金额（万元）", "number", constraints={"minimum": 0}),
    field("处罚日期", "date"),
    primaryKey=["行政处罚决定书文号"],
)
CHINESE_ROWS = (
    "宁应急罚〔2026〕1号,91320105MA1XYWAB12,玄武区,1.5,2026-03-01\n"
    "宁应急罚〔2026〕2号,91320105MA1XYWAB1,江宁区,-2,2026年3月2日\n"
    "宁应急罚〔2026〕1号,,秦淮区,３,2026-03-03\n"
)
CHINESE_ERRORS = (
    ("constraint-error", 3, 2), ("constraint-error", 3, 3), ("constraint-error", 3, 4),
    ("type-error", 3, 5), ("constraint-error", 4, 2), ("primary-key", 4, None),
)

SOURCES = [
    Case("chinese_headers_and_values",
         ",".join(f["name"] for f in CHINESE_SCHEMA["fields"]) + "\n" + CHINESE_ROWS,
         CHINESE_SCHEMA, expected=CHINESE_ERRORS),
    # The BOM is dropped (utf-8-sig), not read into the first label.
    Case("bom", "\ufeff" + ",".join(f["name"] for f in CHINESE_SCHEMA["fields"]) + "\n"
         + CHINESE_ROWS, CHINESE_SCHEMA, expected=CHINESE_ERRORS),
    Case("tsv", "名称\t备注\t数量\n玄武区\ta,b\t1\n秦淮区\t\"x\ty\"\n鼓楼区\t\tx\n",
         table("名称", "备注", field("数量", "integer")), format="tsv",
         expected=(("missing-cell", 3, 3), ("type-error", 4, 3))),
    # A .csv's delimiter is sniffed from its first 100 lines among , \t ; |.
    Case("csv_sniffed_semicolon", "名称;数量\n玄武区;1,5\n秦淮区;x\n鼓楼区;2\n",
         table("名称", field("数量", "number")),
         expected=(("type-error", 2, 2), ("type-error", 3, 2))),
    Case("csv_sniffed_tab", "名称\t数量\n玄武区\t1\n秦淮区\tx\n",
         table("名称", field("数量", "integer")),
         expected=(("type-error", 3, 2),)),
    # The sniffer turns on skipinitialspace when every delimiter of the first
    # line is followed by a space: the spaces after delimiters are dropped.
    Case("csv_sniffed_initial_space", "名称, 编码\n玄武区, 001\n秦淮区,  002\n",
         table("名称", field("编码", constraints={"pattern": r"\d{3}"})),
         expected=()),
    Case("empty_file", "", table("名称", "数量"),
         expected=(("source-error", None, None),)),
    Case("header_only", "名称,数量\n", table("名称", field("数量", "integer")), expected=()),
    # The header is the first of the first 100 records whose width is within
    # max(1, round(10% of their mean width)) of that mean; earlier records are
    # skipped.
    # Here the mean width rounds to 2: the header is record 2.
    Case("header_after_blank_line", "\n名称,数量\n玄武区,1\n秦淮区,2\n鼓楼区,x\n",
         table("名称", field("数量", "integer")),
         expected=(("type-error", 5, 2),)),
    # Here it rounds to 1: the blank record 1 is the header (no labels, so no
    # label errors) and the real header is read as data.
    Case("header_blank_first_line", "\n名称,数量\n玄武区,x\n",
         table("名称", field("数量", "integer")),
         expected=(("type-error", 2, 2), ("type-error", 3, 2))),
    # Mean width 4 (3.5 rounds to even): record 2 is the header.
    Case("header_narrower_than_rows", "名称,数量\n" + "玄武区,1,甲,乙\n" * 3,
         table("名称", field("数量", "integer")),
         expected=(("extra-label", None, 3), ("extra-label", None, 4),
                   ("incorrect-label", None, 1), ("incorrect-label", None, 2))),
    # One column: an empty value makes the row blank, whatever the constraints.
    Case("single_column", '名称\n玄武区\n""\n \n',
         table(field("名称", constraints={"required": True})),
         expected=(("blank-row", 3, None),)),
    # Errors stop at 1000 (limit_errors), counted after each whole row.
    Case("error_limit", "名称,数量\n" + "玄武区\n" * 1200,
         table("名称", field("数量", "integer")),
         expected=tuple(("missing-cell", row, 2) for row in range(2, 1002))),
]


CASES: list[Case] = TYPES + CONSTRAINTS + ROWS + LABELS + KEYS + SOURCES
