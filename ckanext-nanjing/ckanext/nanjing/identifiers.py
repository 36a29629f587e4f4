"""Identifiers of people, organisations and places, checked as the
national standards define them: 居民身份证号 (GB 11643-1999), 统一社会信用代码
(GB 32100-2015, with its 组织机构代码 part, GB 11714) and Nanjing's
administrative division codes (GB/T 2260 and the statistical codes built on
them). Each check has a yes/no form and a form that says in Chinese what is
wrong, for forms, API payloads and the gate's table checks alike. Also the
two ways a record names another: a CKAN name and a web address.
"""
from __future__ import annotations

import datetime
import re
from types import MappingProxyType

from . import localtime

__all__ = [
    "NANJING_CITY", "NANJING_DISTRICTS", "CODE_KINDS", "FULL_WIDTH",
    "CREDIT_ALPHABET", "CREDIT_WEIGHTS", "ID_WEIGHTS",
    "check_character", "org_check_character", "id_check_character", "is_credit_code", "credit_code_problem", "is_registered_credit_code",
    "is_id_number", "id_number_problem", "is_nanjing_division_code", "CKAN_NAME", "is_web_link",
]

# A name CKAN allows for a dataset, an organization or a user (its URL
# part): match with fullmatch.
CKAN_NAME = re.compile(r"[a-z0-9_-]{2,100}")


def is_web_link(value: str) -> bool:
    """An http(s) address (any other scheme is not fetched or linked)."""
    return value.lower().startswith(("http://", "https://"))

NANJING_CITY = "320100"
# GB/T 2260 codes of Nanjing's districts.
NANJING_DISTRICTS = MappingProxyType({
    "320102": "玄武区", "320104": "秦淮区", "320105": "建邺区", "320106": "鼓楼区",
    "320111": "浦口区", "320113": "栖霞区", "320114": "雨花台区", "320115": "江宁区",
    "320116": "六合区", "320117": "溧水区", "320118": "高淳区",
})
CODE_KINDS = MappingProxyType({
    "credit_code": "统一社会信用代码", "id_number": "身份证号码",
    "division_code": "南京市行政区划代码"})

# Numbers typed with a Chinese input method come in full-width characters.
FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ－−／．，＋％", "0123456789Xx--/.,+%")

# 统一社会信用代码: 31 characters, digits and capitals without I, O, S, V, Z.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# 组织机构代码 (GB 11714), characters 9-17 of a 统一社会信用代码.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# First two digits of the region code of a 居民身份证号 (GB/T 2260 provinces;
# 81/82/83 are the residence permits of Hong Kong, Macao and Taiwan residents).
PROVINCES = frozenset(
    [str(n) for n in (*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47),
                      *range(50, 55), *range(61, 66))] + ["71", "81", "82", "83"])
ID_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
ID_CHECK = "10X98765432"
EARLIEST_BIRTH = datetime.date(1900, 1, 1)


# 统一社会信用代码

def check_character(first17: str) -> str:
    """The 18th character of the credit code that begins with `first17`."""
    total = sum(CREDIT_ALPHABET.index(char) * weight
                for char, weight in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def is_credit_code(code: str) -> bool:
    """A 统一社会信用代码 (GB 32100-2015)."""
    return (len(code) == 18 and all(char in CREDIT_ALPHABET for char in code)
            and check_character(code[:17]) == code[17])


def credit_code_problem(value: str) -> str | None:
    """Why `value` is not a 统一社会信用代码, in Chinese; None if it is one."""
    if is_credit_code(value):
        return None
    if is_credit_code(value.strip()):
        return "前后有多余的空格"
    if is_credit_code(value.upper()):
        return "字母应为大写"
    if len(value) != 18:
        return f"应为 18 位，实为 {len(value)} 位"
    if not all(char in CREDIT_ALPHABET for char in value):
        return "只能由数字和大写字母组成（不使用 I、O、S、V、Z）"
    return "末位校验码不符，请核对代码是否抄错"


def org_check_character(body8: str) -> str:
    """The 9th character of the 组织机构代码 whose first eight are `body8`."""
    total = sum(int(char, 36) * weight for char, weight in zip(body8, ORG_WEIGHTS))
    return {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))


def is_registered_credit_code(value: str) -> bool:
    """A 统一社会信用代码 whose characters 9-17 are a valid 组织机构代码 as
    well: one in 31 ID numbers passes the GB 32100 check alone, one in 341
    passes both."""
    if not is_credit_code(value):
        return False
    return value[16] == org_check_character(value[8:16])


# 居民身份证号

def id_check_character(first17: str) -> str:
    """The 18th character of the ID number that begins with `first17`."""
    total = sum(int(char) * weight for char, weight in zip(first17, ID_WEIGHTS))
    return ID_CHECK[total % 11]


def is_id_number(value: str) -> bool:
    """An 18-character 居民身份证号 (GB 11643-1999)."""
    return id_number_problem(value) is None


def id_number_problem(value: str) -> str | None:
    """Why `value` is not a 居民身份证号, in Chinese; None if it is one."""
    if len(value) != 18:
        return f"应为 18 位，实为 {len(value)} 位"
    if not (value[:17].isascii() and value[:17].isdigit() and value[17] in "0123456789Xx"):
        return "前 17 位应为数字，末位为数字或 X"
    if value[:2] not in PROVINCES:
        return "前两位不是省级行政区划代码"
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "第 7–14 位不是有效的出生日期"
    if not EARLIEST_BIRTH <= birth <= localtime.today():
        return "第 7–14 位的出生日期不在 1900 年至今天之间"
    if id_check_character(value[:17]) != value[17].upper():
        return "末位校验码不符，请核对号码是否抄错"
    return None


# Division codes

def is_nanjing_division_code(value: str) -> bool:
    """320100, a district code, or a 9/12-digit statistical code of a district."""
    if value == NANJING_CITY:
        return True
    return (len(value) in (6, 9, 12) and value.isascii() and value.isdigit()
            and value[:6] in NANJING_DISTRICTS)
