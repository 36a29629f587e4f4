"""The Chinese domain checks of the validation gate.

Unmasked 身份证号, mobile numbers and bank card numbers may not be published
in any column; a column declared personal in the Table Schema
(`"personal": "id_number" | "mobile" | "bank_card"`) may hold them masked
(`320102********1234`, `138****5678`, `6222 **** **** 1234`). Fields with
`"code": "credit_code" | "id_number" | "division_code"` must hold valid codes.

What counts as a personal number or a valid code is the platform's one
answer (`personal_data`, `identifiers`); this module applies it to the
cells of a table. The checks come in two forms that find exactly the same
problems, because both call the same per-cell functions on the same raw
cell text:
frictionless checks (`frictionless_checks`) and a vectorised pass over Arrow
record batches (`check_batch`) that only hands cells matching a cheap regex
to Python.
"""
from __future__ import annotations

import dataclasses
import datetime
import decimal
import re
from typing import Any, Iterable, Iterator

import attrs
import frictionless
import pyarrow as pa
import pyarrow.compute as pc
from frictionless import errors

from ..identifiers import (CODE_KINDS, CREDIT_ALPHABET, CREDIT_WEIGHTS, FULL_WIDTH, ID_WEIGHTS,
                           credit_code_problem, id_number_problem, is_nanjing_division_code)
from ..personal_data import (CANDIDATE, MASK_EXAMPLES, PERSONAL_KINDS, find_personal, is_masked,
                             redact)
from .report import MAX_VALUE_CHARS, Problem

__all__ = [
    "parse_chinese_date", "parse_chinese_number", "parse_percent",
    "PersonalInfoError", "InvalidCodeError", "PersonalInfoCheck", "CodeCheck",
    "frictionless_checks", "check_batch",
]

PERSONAL_INFO = "nanjing-personal-info"
INVALID_CODE = "nanjing-invalid-code"

# Budget figures such as 13500000000 元 are not phone numbers: cells of number
# and integer fields are checked for mobile numbers only when the field's
# name or title says it holds phone numbers.
PHONE_NAME = re.compile(r"电话|手机|联系方式|phone|mobile|(?<![a-z])tel(?![a-z])", re.IGNORECASE)
NUMERIC_TYPES = frozenset(["number", "integer"])

DATE_FORMS = (
    re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})"),
    re.compile(r"([0-9]{4})()([0-9]{2})([0-9]{2})"),
    re.compile(r"([0-9]{4})年()([0-9]{1,2})月([0-9]{1,2})日"),
)
NUMBER = re.compile(r"([+-]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]+)?")


# Chinese dates and numbers

def parse_chinese_date(value: str) -> datetime.date | None:
    """2023-05-01, 2023/5/1, 2023.05.01, 20230501, 2023年5月1日; None if it is
    none of these or not a real date."""
    text = value.strip().translate(FULL_WIDTH)
    for form in DATE_FORMS:
        match = form.fullmatch(text)
        if match:
            year, _, month, day = match.groups()
            try:
                return datetime.date(int(year), int(month), int(day))
            except ValueError:
                return None
    return None


def parse_chinese_number(value: str) -> decimal.Decimal | None:
    """1234, -1,234.56, 1，234.5 (also in full-width characters); None for
    anything else, percentages included (see `parse_percent`)."""
    match = NUMBER.fullmatch(value.strip().translate(FULL_WIDTH))
    if not match:
        return None
    sign, whole, fraction = match.groups()
    return decimal.Decimal(sign + whole.replace(",", "") + (fraction or ""))


def parse_percent(value: str) -> decimal.Decimal | None:
    """12.5% -> Decimal('0.125')."""
    text = value.strip().translate(FULL_WIDTH)
    if not text.endswith("%"):
        return None
    number = parse_chinese_number(text[:-1])
    return None if number is None else number.scaleb(-2)


# Frictionless form

class PersonalInfoError(errors.CellError):
    type = PERSONAL_INFO
    title = "未脱敏的个人信息"
    description = ("单元格含有未脱敏的身份证号码、手机号码或银行卡号。个人信息不得公开；"
                   "请删除或脱敏（如 138****5678），并在表结构中将该列声明为个人信息列。")
    template = "{note}"


class InvalidCodeError(errors.CellError):
    type = INVALID_CODE
    title = "代码无效"
    description = "表结构要求该列为统一社会信用代码、身份证号码或南京市行政区划代码，但该值不是有效的代码。"
    template = "{note}"


@attrs.define(kw_only=True, repr=False)
class _NanjingCheck(frictionless.Check):
    schema_descriptor: dict = attrs.field(factory=dict)
    _specs: list = attrs.field(init=False, factory=list)

    def __attrs_post_init__(self):
        self._specs = _fields(self.schema_descriptor)
        super().__attrs_post_init__()

    def _problems(self, field: _Field, text: str, row_number: int) -> Iterable[Problem]:
        raise NotImplementedError

    def validate_row(self, row):
        cells = row.cells
        for field in self._specs:
            # Type parsing leaves numbers as numbers and a cell that fails it
            # as None: read the original text, as `check_batch` does, and skip
            # only what the schema calls missing.
            raw = cells[field.number - 1] if field.number <= len(cells) else None
            if raw is None or str(raw) in field.missing:
                continue
            for problem in self._problems(field, _cell_text(raw), row.row_number):
                yield self.Errors[0](
                    note=problem.message, cells=[redact(_cell_text(c)) for c in cells],
                    row_number=row.row_number, cell=problem.value or "",
                    field_name=field.name, field_number=field.number)


@attrs.define(kw_only=True, repr=False)
class PersonalInfoCheck(_NanjingCheck):
    type = PERSONAL_INFO
    Errors = [PersonalInfoError]

    def _problems(self, field, text, row_number):
        problem = _personal_problem(field, text, row_number)
        return [problem] if problem else []


@attrs.define(kw_only=True, repr=False)
class CodeCheck(_NanjingCheck):
    type = INVALID_CODE
    Errors = [InvalidCodeError]

    def _problems(self, field, text, row_number):
        problem = _code_problem(field, text, row_number) if field.code else None
        return [problem] if problem else []


def frictionless_checks(schema_descriptor: dict) -> list[frictionless.Check]:
    """The checks to pass to `frictionless.validate(..., checks=...)`."""
    fields = _fields(schema_descriptor)
    checks: list[frictionless.Check] = [PersonalInfoCheck(schema_descriptor=schema_descriptor)]
    if any(field.code for field in fields):
        checks.append(CodeCheck(schema_descriptor=schema_descriptor))
    return checks


# Arrow form

def check_batch(batch: pa.RecordBatch, schema_descriptor: dict,
                first_row_number: int) -> list[Problem]:
    """The same problems as `frictionless_checks`, for a batch with one string
    column of raw cell text per schema field (null for empty cells)."""
    fields = _fields(schema_descriptor)
    if batch.num_columns < len(fields):
        raise ValueError(f"batch has {batch.num_columns} columns, the schema {len(fields)} fields")
    problems: list[Problem] = []
    for field in fields:
        column = batch.column(field.number - 1)
        for index, text in _candidates(column, plain_numbers_decided=not field.personal):
            if text not in field.missing:
                problem = _personal_problem(field, text, first_row_number + index)
                if problem:
                    problems.append(problem)
        if field.code:
            problems.extend(_code_problems_of_column(field, column, first_row_number))
    problems.sort(key=lambda p: (p.row, p.field, p.code))
    return problems


def _candidates(column: pa.Array, plain_numbers_decided: bool = False
                ) -> Iterator[tuple[int, str]]:
    """(index, text) of the cells that may hold a personal number. Cells that
    do are at least 11 characters long; measuring is ten times cheaper than
    the regex, so only long cells are searched. With `plain_numbers_decided`
    (columns not declared personal), cells of exactly 18 digits that are
    neither ID-check nor Luhn valid are dropped here, in Arrow: all-digit
    credit codes and other long codes fill whole columns."""
    positions = pc.indices_nonzero(pc.greater_equal(pc.utf8_length(column), len("13812345678")))
    if len(positions) < len(column):
        column = column.take(positions)
    hit = pc.match_substring_regex(column, CANDIDATE)
    if plain_numbers_decided:
        hit = pc.and_(hit, pc.invert(_plain_18_digits_not_personal(column)))
        # One run of 16+ digits starting with 9, then letters: no province
        # code (ID numbers) and no card issuer starts with 9; 91... is how
        # most enterprises' credit codes begin.
        hit = pc.and_(hit, pc.invert(pc.match_substring_regex(column, "^9[0-9]{15,18}[A-Z]*$")))
    hits = pc.indices_nonzero(pc.fill_null(hit, False))
    yield from zip(positions.take(hits).to_pylist(), column.take(hits).to_pylist())


def _digits_at(column: pa.Array, positions: range) -> list[pa.Array]:
    return [pc.cast(pc.utf8_slice_codeunits(column, i, i + 1), pa.int64()) for i in positions]


def _plain_18_digits_not_personal(column: pa.Array) -> pa.Array:
    """True for cells of exactly 18 ASCII digits failing both the ID number
    check (GB 11643) and Luhn: no personal number can be in them (18 digits
    is no mobile)."""
    plain = pc.fill_null(pc.match_substring_regex(column, "^[0-9]{18}$"), False)
    if not pc.any(plain).as_py():
        return plain
    # Only the plain cells are sliced: slices of other text need not be digits.
    cells = column.filter(plain)
    digits = _digits_at(cells, range(18))
    total = None
    for digit, weight in zip(digits, ID_WEIGHTS):
        term = pc.multiply(digit, weight)
        total = term if total is None else pc.add(total, term)
    remainder = pc.subtract(total, pc.multiply(pc.divide(total, 11), 11))
    # "10X98765432"[r]: as a number, 12 - r mod 11, with X (r = 2) never a plain digit.
    expected = pc.subtract(12, remainder)
    expected = pc.if_else(pc.greater_equal(expected, 11), pc.subtract(expected, 11), expected)
    id_valid = pc.and_(pc.not_equal(remainder, 2), pc.equal(expected, digits[17]))
    luhn = None
    for index, digit in enumerate(digits):
        value = digit
        if (17 - index) % 2 == 1:  # every second digit from the right is doubled
            doubled = pc.multiply(digit, 2)
            value = pc.if_else(pc.greater(doubled, 9), pc.subtract(doubled, 9), doubled)
        luhn = value if luhn is None else pc.add(luhn, value)
    luhn_valid = pc.equal(pc.subtract(luhn, pc.multiply(pc.divide(luhn, 10), 10)), 0)
    decided = pc.invert(pc.or_(id_valid, luhn_valid))
    return pc.replace_with_mask(plain, plain, decided)


def _credit_codes_valid(column: pa.Array) -> pa.Array:
    """GB 32100's check character computed in Arrow, for columns of a
    million distinct codes; False where Python must say what is wrong."""
    alphabet = pa.array(list(CREDIT_ALPHABET), pa.string())
    # Slices of non-ASCII cells are not text; they are only compared, never
    # read, and such cells are not codes anyway.
    shaped = pc.and_(pc.string_is_ascii(column), pc.equal(pc.binary_length(column), 18))
    total = None
    for position, weight in enumerate(CREDIT_WEIGHTS):
        value = pc.index_in(pc.utf8_slice_codeunits(column, position, position + 1),
                            value_set=alphabet)
        term = pc.multiply(pc.cast(value, pa.int64()), weight)
        total = term if total is None else pc.add(total, term)
    remainder = pc.subtract(total, pc.multiply(pc.divide(total, 31), 31))
    expected = pc.if_else(pc.equal(remainder, 0), 0, pc.subtract(31, remainder))
    last = pc.cast(pc.index_in(pc.utf8_slice_codeunits(column, 17, 18), value_set=alphabet),
                   pa.int64())
    return pc.fill_null(pc.and_(shaped, pc.equal(last, expected)), False)


def _code_problems_of_column(field: _Field, column: pa.Array,
                             first_row_number: int) -> Iterator[Problem]:
    suspects = column
    if field.code == "credit_code":
        suspects = column.filter(pc.invert(_credit_codes_valid(column)))
    # Codes repeat (division codes a lot): validate each distinct value once.
    invalid = [value for value in pc.unique(suspects).to_pylist()
               if value is not None and value not in field.missing
               and _code_problem(field, value, 0)]
    if not invalid:
        return
    indices = pc.indices_nonzero(pc.is_in(column, value_set=pa.array(invalid, pa.string())))
    for index, text in zip(indices.to_pylist(), column.take(indices).to_pylist()):
        yield _code_problem(field, text, first_row_number + index)


# Per-cell checks shared by both forms

@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    number: int
    personal: str | None
    code: str | None
    kinds: frozenset[str]     # the personal numbers looked for
    missing: frozenset[str]   # the schema's missingValues


def _fields(schema_descriptor: dict) -> list[_Field]:
    schema_missing = schema_descriptor.get("missingValues", [""])
    fields = []
    for number, descriptor in enumerate(schema_descriptor.get("fields", []), start=1):
        name = descriptor["name"]
        personal, code = descriptor.get("personal"), descriptor.get("code")
        if personal is not None and personal not in PERSONAL_KINDS:
            raise ValueError(f"字段“{name}”的 personal 属性只能是 id_number、mobile 或 bank_card")
        if code is not None and code not in CODE_KINDS:
            raise ValueError(f"字段“{name}”的 code 属性只能是 credit_code、id_number 或 division_code")
        kinds = set(PERSONAL_KINDS)
        label = f"{name} {descriptor.get('title', '')}"
        if (descriptor.get("type") in NUMERIC_TYPES and personal != "mobile"
                and not PHONE_NAME.search(label)):
            kinds.discard("mobile")
        missing = descriptor.get("missingValues", schema_missing)
        fields.append(_Field(
            name=name, number=number, personal=personal, code=code, kinds=frozenset(kinds),
            missing=frozenset(m["value"] if isinstance(m, dict) else m for m in missing)))
    return fields


def _personal_problem(field: _Field, text: str, row_number: int) -> Problem | None:
    kind = find_personal(text, field.kinds, field.personal)
    if kind is None:
        return None
    label = PERSONAL_KINDS[kind]
    if kind == field.personal:
        what = f"列已声明为{label}列，但该值未脱敏"
    else:
        what = f"列含未脱敏的{label}"
    return Problem(
        code=PERSONAL_INFO, row=row_number, field=field.number, field_name=field.name,
        value=redact(text)[:MAX_VALUE_CHARS],
        message=f"第 {row_number} 行“{field.name}”{what}；请脱敏（如 {MASK_EXAMPLES[kind]}）"
                f"或删除后重新上传")


def _code_problem(field: _Field, text: str, row_number: int) -> Problem | None:
    if field.code == "credit_code":
        reason = credit_code_problem(text)
    elif field.code == "id_number":
        if not is_masked(text, "id_number"):
            reason = id_number_problem(text)
        elif field.personal == "id_number":
            reason = None
        else:
            reason = "已脱敏的号码只能出现在表结构中声明为个人信息的列（personal: id_number）"
        text = redact(text)
    else:
        reason = None if is_nanjing_division_code(text) else (
            "应为 320100、区县代码（如 320102 玄武区）或以区县代码开头的 9 位、12 位统计用区划代码")
    if reason is None:
        return None
    return Problem(
        code=INVALID_CODE, row=row_number, field=field.number, field_name=field.name,
        value=text[:MAX_VALUE_CHARS],
        message=f"第 {row_number} 行“{field.name}”列的值不是有效的{CODE_KINDS[field.code]}：{reason}")


def _cell_text(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, decimal.Decimal):
        return format(raw, "f")
    return str(raw)
