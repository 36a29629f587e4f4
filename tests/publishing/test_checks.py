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

from ckanext.nanjing import credit_code
from ckanext.nanjing.publishing import checks
from ckanext.nanjing.publishing.checks import (
    check_batch, frictionless_checks, is_bank_card, is_credit_code, is_id_number,
    is_masked, is_mobile, is_nanjing_division_code, parse_chinese_date,
    parse_chinese_number, parse_percent, personal_info_kind,
)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17: str) -> str:
    """A made-up ID number: `first17` and its ISO 7064 MOD 11-2 check character."""
    total = sum(int(char) * weight for char, weight in zip(first17, ID_WEIGHTS))
    return first17 + "10X98765432"[total % 11]


def with_luhn(prefix: str) -> str:
    for last in "0123456789":
        digits = [int(d) for d in reversed(prefix + last)]
        if (sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])) % 10 == 0:
            return prefix + last
    raise AssertionError


def organisation_code(body8: str) -> str:
    """A 组织机构代码 (GB 11714): `body8` and its check character."""
    total = sum(int(char, 36) * weight for char, weight in zip(body8, (3, 7, 9, 10, 5, 8, 4, 2)))
    check = 11 - total % 11
    return body8 + {10: "X", 11: "0"}.get(check, str(check))


def credit(first17: str) -> str:
    return first17 + credit_code.check_character(first17)


def failures(table, check):
    """The rows of `table` for which `check(*row)` is false."""
    return [row for row in table if not check(*row)]


XUANWU_1990 = id_number("32010219900307123")
MASKED_ID = XUANWU_1990[:6] + "********" + XUANWU_1990[14:]
ENDING_IN_X = next(number for number in (id_number(f"32011519851231{n:03d}") for n in range(100))
                   if number.endswith("X"))
TODAY = datetime.date.today()
TOMORROW = TODAY + datetime.timedelta(days=1)
# A 事业单位 of 延庆区 (110119) whose first 14 characters read as an ID number
# of Tianjin (12) born on 1985-01-01.
AMBIGUOUS = next(
    code for code in (credit("12110119" + organisation_code(f"850101{n:02d}")) for n in range(100))
    if code[16].isdigit() and is_id_number(code))
# An ID number that passes the GB 32100 check of 统一社会信用代码 by chance
# (one in 31 does) but whose characters 9-17 are no 组织机构代码.
ID_LIKE_A_CREDIT_CODE = next(
    number for number in (id_number(f"12010119850101{n:03d}") for n in range(1000))
    if credit_code.is_valid(number) and organisation_code(number[8:16]) != number[8:17])
# An ID number of Gansu (62...) that is Luhn-valid, like a UnionPay card.
GANSU = next(number for number in (id_number(f"62010219800101{n:03d}") for n in range(1000))
             if with_luhn(number[:17]) == number)
UNIONPAY = with_luhn("622202123456789012")          # 19 digits
VISA = with_luhn("411111111111111")                 # 16 digits
BAD_CARD = UNIONPAY[:-1] + str((int(UNIONPAY[-1]) + 1) % 10)
XUANWU_CREDIT = credit("12320102" + organisation_code("46600012"))


def grouped(number: str) -> str:
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


ID_NUMBERS = [
    (XUANWU_1990, True),
    (ENDING_IN_X, True),
    (ENDING_IN_X.lower(), True),
    (id_number("11010520000229001"), True),                 # leap day
    (XUANWU_1990[:17] + ("1" if XUANWU_1990[17] != "1" else "2"), False),   # check character
    (id_number("32010219900230123"), False),                # 1990-02-30
    (id_number("320102" + TOMORROW.strftime("%Y%m%d") + "123"), False),
    (id_number("320102" + TODAY.strftime("%Y%m%d") + "123"), True),
    (id_number("32010218991231123"), False),                # before 1900
    (id_number("99010219900307123"), False),                # no province 99
    (id_number("20010219900307123"), False),                # no province 20
    (id_number("83000019900307123"), True),                 # Taiwan residents
    ("320102900307123", False),                             # 15-digit old form
    ("32010219900307123", False),
    ("３２０１０２１９９００３０７１２３" + XUANWU_1990[17], False),
    ("", False),
]

CREDIT_CODES = [
    (XUANWU_CREDIT, True),
    (credit("91320100MA1MXY412"), True),
    (AMBIGUOUS, True),
    (XUANWU_CREDIT.lower(), False),
    (XUANWU_CREDIT[:17] + ("0" if XUANWU_CREDIT[17] != "0" else "1"), False),
    (XUANWU_CREDIT[:17], False),
]

MOBILES = [
    ("13812345678", True), ("19912345678", True), ("+8613812345678", True),
    ("+86 13812345678", True), ("0086-13812345678", True), ("86 138 1234 5678", True),
    ("138-1234-5678", True), ("138 1234 5678", True),
    ("12812345678", False), ("1381234567", False), ("138123456789", False),
    ("138-1234 5678", False), ("025-84451234", False), ("１３８１２３４５６７８", False),
]

BANK_CARDS = [
    (UNIONPAY, True),
    (VISA, True),
    (grouped(VISA), True),
    (grouped(UNIONPAY), True),
    (with_luhn("222100000000000"), True),                   # Mastercard 2-series
    (with_luhn("35280000000000000"), True),                 # JCB, 18 digits
    (with_luhn("272100000000000"), False),                  # past 2720
    (with_luhn("900000000000000"), False),                  # no such issuer
    (BAD_CARD, False),                                      # Luhn fails
    (with_luhn("62220212345678"), False),                   # 15 digits
    (GANSU, False),                                         # an ID number of Gansu
]

DIVISION_CODES = [
    ("320100", True), ("320102", True), ("320118", True), ("320114", True),
    ("320102001", True), ("320115101203", True),
    ("320101", False), ("320103", False), ("320119", False), ("320200", False),
    ("320100001", False), ("3201020011", False), ("32010", False), ("32O102", False),
    ("３２０１０２", False),
]

MASKED = [
    ("320102********1234", "id_number", True),
    ("3201**********123X", "id_number", True),
    ("******************", "id_number", True),
    ("32010219900307****", "id_number", False),     # the birth date shows
    ("320102*******123X", "id_number", False),      # 17 characters
    ("138****5678", "mobile", True),
    ("138 **** 5678", "mobile", True),
    ("+86 138****5678", "mobile", True),
    ("1381234****", "mobile", False),
    ("6222 **** **** 1234", "bank_card", True),
    ("622202*********1234", "bank_card", True),
    ("6222021234****1234", "bank_card", False),
    ("13812345678", "mobile", False),
    (XUANWU_1990, "id_number", False),
]

PERSONAL = [
    ("联系人张三，电话13812345678", "mobile"),
    ("电话：138-1234-5678（工作日）", "mobile"),
    ("Tel: +86 139 1234 5678", "mobile"),
    ("电话１３８１２３４５６７８", "mobile"),
    ("13812345678。", "mobile"),
    (f"申请人身份证号{XUANWU_1990}，已审核", "id_number"),
    (f"身份证：{ENDING_IN_X.lower()}", "id_number"),
    (f"卡号 {grouped(UNIONPAY)} 开户行", "bank_card"),
    (f"退款至{UNIONPAY}", "bank_card"),
    (GANSU, "id_number"),
    (ID_LIKE_A_CREDIT_CODE, "id_number"),
    ("138123456789012", None),             # part of a longer number
    ("订单号 2138123456789", None),
    ("13500000000.00 元", None),           # an amount, not a phone
    ("0.13812345678", None),
    ("电话 138****5678", None),
    (f"身份证 {MASKED_ID}", None),
    (f"卡号 {BAD_CARD}", None),
    (f"统一社会信用代码：{AMBIGUOUS}", None),
    (XUANWU_CREDIT, None),
    ("320102900307123", None),             # 15-digit old ID numbers are out of scope
    ("南京市玄武区北京东路41号", None),
    ("2023年预算 1350000 万元", None),
    ("320102199003071234567", None),       # 21 digits
    ("", None),
]

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


def test_id_numbers():
    assert failures(ID_NUMBERS, lambda value, valid: is_id_number(value) is valid) == []


def test_credit_codes():
    assert failures(CREDIT_CODES, lambda value, valid: is_credit_code(value) is valid) == []


def test_credit_codes_that_read_as_id_numbers_are_not_id_numbers():
    assert is_credit_code(AMBIGUOUS) and is_id_number(AMBIGUOUS)
    assert personal_info_kind(AMBIGUOUS) is None
    # Passing the GB 32100 check alone does not make an ID number a credit code.
    assert is_credit_code(ID_LIKE_A_CREDIT_CODE)
    assert personal_info_kind(ID_LIKE_A_CREDIT_CODE) == "id_number"


def test_mobiles():
    assert failures(MOBILES, lambda value, valid: is_mobile(value) is valid) == []


def test_bank_cards():
    assert failures(BANK_CARDS, lambda value, valid: is_bank_card(value) is valid) == []


def test_a_gansu_id_number_is_an_id_number_not_a_bank_card():
    assert GANSU.startswith("62") and with_luhn(GANSU[:17]) == GANSU
    assert personal_info_kind(GANSU) == "id_number"


def test_division_codes():
    assert failures(DIVISION_CODES,
                    lambda value, valid: is_nanjing_division_code(value) is valid) == []
    assert len(checks.NANJING_DISTRICTS) == 11
    assert checks.NANJING_DISTRICTS["320114"] == "雨花台区"


def test_masked():
    assert failures(MASKED, lambda value, kind, masked: is_masked(value, kind) is masked
                    and is_masked(value) is masked) == []


def test_personal_info_kind():
    assert failures(PERSONAL, lambda value, kind: personal_info_kind(value) == kind) == []


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
