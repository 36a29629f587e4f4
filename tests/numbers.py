"""Made-up personal numbers and codes, each built with its real check
character, for the tests of the identifier checks, the personal-data
detector and the gate's table checks."""
from __future__ import annotations

import datetime

from ckanext.nanjing import identifiers, localtime

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
    return first17 + identifiers.check_character(first17)


def failures(table, check):
    """The rows of `table` for which `check(*row)` is false."""
    return [row for row in table if not check(*row)]


def grouped(number: str) -> str:
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


XUANWU_1990 = id_number("32010219900307123")
MASKED_ID = XUANWU_1990[:6] + "********" + XUANWU_1990[14:]
ENDING_IN_X = next(number for number in (id_number(f"32011519851231{n:03d}") for n in range(100))
                   if number.endswith("X"))
# The platform's date: birth dates are checked against Nanjing's today.
TODAY = localtime.today()
TOMORROW = TODAY + datetime.timedelta(days=1)
# A 事业单位 of 延庆区 (110119) whose first 14 characters read as an ID number
# of Tianjin (12) born on 1985-01-01.
AMBIGUOUS = next(
    code for code in (credit("12110119" + organisation_code(f"850101{n:02d}")) for n in range(100))
    if code[16].isdigit() and identifiers.is_id_number(code))
# An ID number that passes the GB 32100 check of 统一社会信用代码 by chance
# (one in 31 does) but whose characters 9-17 are no 组织机构代码.
ID_LIKE_A_CREDIT_CODE = next(
    number for number in (id_number(f"12010119850101{n:03d}") for n in range(1000))
    if identifiers.is_credit_code(number) and organisation_code(number[8:16]) != number[8:17])
# An ID number of Gansu (62...) that is Luhn-valid, like a UnionPay card.
GANSU = next(number for number in (id_number(f"62010219800101{n:03d}") for n in range(1000))
             if with_luhn(number[:17]) == number)
UNIONPAY = with_luhn("622202123456789012")          # 19 digits
VISA = with_luhn("411111111111111")                 # 16 digits
BAD_CARD = UNIONPAY[:-1] + str((int(UNIONPAY[-1]) + 1) % 10)
XUANWU_CREDIT = credit("12320102" + organisation_code("46600012"))


