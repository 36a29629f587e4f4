"""The Chinese domain checks of the validation gate, in both forms.

The tables are checked in one test each (the suite loads CKAN's plugins
around every test); a failure lists the rows that went wrong."""
from __future__ import annotations

import datetime
import decimal

import frictionless
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest
from frictionless import Schema

from ckanext.nanjing.publishing.checks import (
    check_batch, frictionless_checks, parse_chinese_date, parse_chinese_number, parse_percent,
)

from ..numbers import (
    AMBIGUOUS, GANSU, MASKED_ID, UNIONPAY, XUANWU_1990, XUANWU_CREDIT, failures, id_number,
)

DATES = [
    ("2023-05-01", datetime.date(2023, 5, 1)),
    ("2023/5/1", datetime.date(2023, 5, 1)),
    ("2023.05.01", datetime.date(2023, 5, 1)),
    ("20230501", datetime.date(2023, 5, 1)),
    ("2023年5月1日", datetime.date(2023, 5, 1)),
    ("2023年05月01日", datetime.date(2023, 5, 1)),
    ("  2023-05-01\u3000", datetime.date(2023, 5, 1)),
    ("２０２３年５月１日", datetime.date(2023, 5, 1)),
    ("２０２３－０５－０１", datetime.date(2023, 5, 1)),
    ("2024-02-29", datetime.date(2024, 2, 29)),
    ("2023-02-30", None), ("2023-02-29", None), ("20231301", None),
    ("2023-05/01", None), ("2023年5月", None), ("23-5-1", None), ("", None), ("N/A", None),
]

NUMBERS = [
    ("1234", "1234"), ("-1,234.56", "-1234.56"), ("1，234.5", "1234.5"),
    ("１２３４", "1234"), ("－１２．５", "-12.5"), (" 0.5 ", "0.5"), ("1,234,567", "1234567"),
    ("12.5%", None), ("1.2.3", None), ("", None), ("N/A", None), ("--", None),
    ("1,23", None), ("1e5", None), ("NaN", None), ("1 234", None),
]

PERCENTS = [
    ("12.5%", "0.125"), ("１００％", "1.00"), ("-3%", "-0.03"), (" 1，000% ", "10.00"),
    ("12.5", None), ("%", None), ("abc%", None),
]


def test_parse_chinese_date():
    assert failures(DATES, lambda value, date: parse_chinese_date(value) == date) == []


def test_parse_chinese_number():
    def right(value, expected):
        result = parse_chinese_number(value)
        return result is None if expected is None else str(result) == expected
    assert failures(NUMBERS, right) == []
    assert isinstance(parse_chinese_number("1"), decimal.Decimal)


def test_parse_percent():
    def right(value, expected):
        result = parse_percent(value)
        return result is None if expected is None else str(result) == expected
    assert failures(PERCENTS, right) == []


# Both forms, on files

SCHEMA = {
    "fields": [
        {"name": "备注", "type": "string"},
        {"name": "联系电话", "type": "integer"},
        {"name": "预算金额", "type": "number"},
        {"name": "负责人手机", "type": "string", "personal": "mobile"},
        {"name": "身份证号", "type": "string", "personal": "id_number", "code": "id_number"},
        {"name": "统一社会信用代码", "type": "string", "code": "credit_code"},
        {"name": "区划代码", "type": "string", "code": "division_code"},
        {"name": "证件号码", "type": "string", "code": "id_number"},
    ],
    "missingValues": ["", "-"],
}
PI, IC = "nanjing-personal-info", "nanjing-invalid-code"
# The cells of each row, and the (code, field number) of the problems in it.
ROWS = [
    (["无", "13812345678", "13500000000", "138****5678", MASKED_ID, XUANWU_CREDIT, "320102", ""],
     {(PI, 2)}),
    (["联系人张三，电话13912345678", "", "1", "", "", "", "", ""],
     {(PI, 1)}),
    (["-", "-", "-", "13812345678", XUANWU_1990, AMBIGUOUS, "320115101203", XUANWU_1990],
     {(PI, 4), (PI, 5), (PI, 8)}),
    (["ok", "025-84451234", "1e3", "12345678901", id_number("32010219900230123"),
      XUANWU_CREDIT.lower(), "320200", MASKED_ID],
     {(PI, 4), (PI, 5), (IC, 5), (IC, 6), (IC, 7), (IC, 8)}),
    ([f"卡号 {UNIONPAY}", "", "", "", "", f" {XUANWU_CREDIT}", "", ""],
     {(PI, 1), (IC, 6)}),
    (["多行\n备注 13812345678", "1", "", "", GANSU, "", "", ""],
     {(PI, 1), (PI, 5)}),
    (["电话１３８１２３４５６７８", "", "", "", "", "", "", ""],
     {(PI, 1)}),
]


def write_csv(path, rows):
    def quote(cell):
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n') else cell
    lines = [",".join(f["name"] for f in SCHEMA["fields"])]
    lines += [",".join(quote(cell) for cell in cells) for cells in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def frictionless_errors(path, schema):
    report = frictionless.validate(path.name, basepath=str(path.parent), encoding="utf-8",
                                   schema=Schema.from_descriptor(schema),
                                   checks=frictionless_checks(schema), limit_errors=100_000)
    errors = report.tasks[0].errors
    assert not any(e.type in ("resource-error", "check-error") for e in errors), errors
    return [e for e in errors if e.type.startswith("nanjing-")]


def batch_problems(path, schema, rows_per_batch=None):
    names = [f["name"] for f in schema["fields"]]
    table = pa_csv.read_csv(
        path, parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=True, null_values=[""]))
    problems, first = [], 2
    for batch in table.to_batches(max_chunksize=rows_per_batch):
        problems += check_batch(batch, schema, first)
        first += batch.num_rows
    return problems


def test_both_forms_find_the_same_problems(tmp_path):
    path = tmp_path / "data.csv"
    write_csv(path, [cells for cells, _ in ROWS])
    expected = {(code, row, field) for row, (_, found) in enumerate(ROWS, start=2)
                for code, field in found}
    errors = {(e.type, e.row_number, e.field_number): e for e in frictionless_errors(path, SCHEMA)}
    assert set(errors) == expected
    for rows_per_batch in (None, 2):
        problems = batch_problems(path, SCHEMA, rows_per_batch)
        assert {(p.code, p.row, p.field) for p in problems} == expected
        for problem in problems:
            error = errors[problem.code, problem.row, problem.field]
            assert (error.message, error.cell, error.field_name) == (
                problem.message, problem.value, problem.field_name)


def test_both_forms_agree_on_many_generated_rows(tmp_path):
    """Cells glued from fragments near the edges of the rules."""
    fragments = ["", "-", "13812345678", "138 1234 5678", "0", ".", "，", "X", "电话", " ",
                 "1", "86", UNIONPAY, XUANWU_1990, GANSU, AMBIGUOUS, MASKED_ID, "138****5678",
                 "320102", "12345", XUANWU_CREDIT, "２", "\n", '"']
    rows = [[fragments[(i * 5 + j * 7 + 1) % len(fragments)] if (i + j) % 3 == 0 else
             "".join(fragments[(i * k + j * 7 + k) % len(fragments)] for k in (1, 3, 5))
             for j in range(len(SCHEMA["fields"]))] for i in range(800)]
    path = tmp_path / "generated.csv"
    write_csv(path, rows)
    errors = {(e.type, e.row_number, e.field_number) for e in frictionless_errors(path, SCHEMA)}
    problems = {(p.code, p.row, p.field) for p in batch_problems(path, SCHEMA, 100)}
    assert errors == problems
    assert len({e for e in errors if e[0] == PI}) > 300
    assert len({e for e in errors if e[0] == IC}) > 300


def test_frictionless_errors_carry_cell_field_row_and_a_chinese_note(tmp_path):
    path = tmp_path / "data.csv"
    write_csv(path, [cells for cells, _ in ROWS])
    errors = frictionless_errors(path, SCHEMA)
    error = next(e for e in errors if e.type == PI and e.row_number == 3)
    assert isinstance(error, frictionless.errors.CellError)
    assert (error.field_name, error.field_number) == ("备注", 1)
    assert error.note.startswith("第 3 行“备注”列含未脱敏的手机号码")
    assert error.message == error.note
    assert error.title == "未脱敏的个人信息"
    # Reports are stored: they say where the number is, not what it is.
    assert error.cell == "联系人张三，电话139****5678"
    assert not any("13912345678" in cell for cell in error.cells)
    error = next(e for e in errors if e.type == IC and e.field_number == 7)
    assert error.note == ("第 5 行“区划代码”列的值不是有效的南京市行政区划代码：应为 320100、"
                          "区县代码（如 320102 玄武区）或以区县代码开头的 9 位、12 位统计用区划代码")


def string_batch(schema, rows):
    names = [f["name"] for f in schema["fields"]]
    return pa.RecordBatch.from_pylist([dict(zip(names, row)) for row in rows],
                                      schema=pa.schema([(name, pa.string()) for name in names]))


def test_budget_amounts_in_number_columns_are_not_phone_numbers():
    schema = {"fields": [{"name": "预算金额", "type": "number"},
                         {"name": "amount", "type": "integer"},
                         {"name": "手机", "type": "integer"},
                         {"name": "tel_no", "type": "integer"},
                         {"name": "hotel", "type": "integer"},
                         {"name": "contact", "type": "integer", "title": "联系方式"},
                         {"name": "备注", "type": "string"}]}
    batch = string_batch(schema, [
        ["13500000000"] * 7,
        [XUANWU_1990, UNIONPAY, None, None, None, None, None]])
    found = {(p.row, p.field_name) for p in check_batch(batch, schema, 2)}
    # ID and card numbers have check characters: they are looked for everywhere.
    assert found == {(2, "手机"), (2, "tel_no"), (2, "contact"), (2, "备注"),
                     (3, "预算金额"), (3, "amount")}


def test_masked_values_are_accepted_and_unmasked_refused_in_declared_columns():
    schema = {"fields": [{"name": "身份证", "type": "string", "personal": "id_number"},
                         {"name": "手机", "type": "string", "personal": "mobile"},
                         {"name": "银行卡", "type": "string", "personal": "bank_card"}]}

    def problems(*cells):
        batch = string_batch(schema, [cells])
        return {p.field_name: p.message for p in check_batch(batch, schema, 2)}

    assert problems(MASKED_ID, "138****5678", "6222 **** **** 1234") == {}
    assert problems("不详", "无", "未登记") == {}
    found = problems(XUANWU_1990, "13812345678", UNIONPAY)
    assert set(found) == {"身份证", "手机", "银行卡"}
    assert found["手机"] == ("第 2 行“手机”列已声明为手机号码列，但该值未脱敏；"
                           "请脱敏（如 138****5678）或删除后重新上传")
    # In a declared column a value shaped like its kind is unmasked even when
    # it fails the checks: a mistyped ID number is still someone's.
    assert set(problems(id_number("32010219900230123"), "12345678901", "1234567812345678")) == {
        "身份证", "手机", "银行卡"}
    # Unmasked numbers of another kind are refused too.
    assert set(problems("13812345678", "", "")) == {"身份证"}


def test_field_codes():
    schema = {"fields": [{"name": "代码", "type": "string", "code": "credit_code"},
                         {"name": "身份证", "type": "string", "code": "id_number"},
                         {"name": "区划", "type": "string", "code": "division_code"}]}
    batch = string_batch(schema, [(XUANWU_CREDIT, XUANWU_1990, "320100"),
                                  (XUANWU_CREDIT[:17], MASKED_ID, "320119"),
                                  (None, None, None),
                                  (XUANWU_CREDIT, "320102199003071234", "320102")])
    problems = check_batch(batch, schema, 10)
    assert {(p.code, p.row, p.field) for p in problems} == {
        (PI, 10, 2),                    # valid, but the column is not declared personal
        (IC, 11, 1), (IC, 11, 2), (IC, 11, 3), (IC, 13, 2)}
    messages = {(p.row, p.field): p.message for p in problems if p.code == IC}
    assert messages[11, 1] == "第 11 行“代码”列的值不是有效的统一社会信用代码：应为 18 位，实为 17 位"
    # A masked ID number is only accepted where the column is declared personal.
    assert "声明为个人信息的列" in messages[11, 2]
    assert messages[13, 2].endswith("末位校验码不符，请核对号码是否抄错")
    # The report does not keep the (mistyped) ID number either.
    assert next(p.value for p in problems if (p.row, p.field) == (13, 2)) == "320***********1234"


def test_unknown_schema_properties_are_refused():
    with pytest.raises(ValueError, match="personal"):
        frictionless_checks({"fields": [{"name": "a", "personal": "email"}]})
    with pytest.raises(ValueError, match="code"):
        frictionless_checks({"fields": [{"name": "a", "code": "postcode"}]})
