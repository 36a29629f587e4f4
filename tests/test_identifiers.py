"""The identifier checks of the shared floor (identifiers.py): 身份证号,
统一社会信用代码 and Nanjing's division codes, yes/no and in words."""
from __future__ import annotations

from ckanext.nanjing.identifiers import (
    NANJING_DISTRICTS, credit_code_problem, id_number_problem, is_credit_code, is_id_number,
    is_nanjing_division_code,
)
from ckanext.nanjing.personal_data import personal_info_kind

from .numbers import (
    AMBIGUOUS, ENDING_IN_X, ID_LIKE_A_CREDIT_CODE, TODAY, TOMORROW, XUANWU_1990, XUANWU_CREDIT,
    credit, failures, id_number,
)

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

DIVISION_CODES = [
    ("320100", True), ("320102", True), ("320118", True), ("320114", True),
    ("320102001", True), ("320115101203", True),
    ("320101", False), ("320103", False), ("320119", False), ("320200", False),
    ("320100001", False), ("3201020011", False), ("32010", False), ("32O102", False),
    ("３２０１０２", False),
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


def test_division_codes():
    assert failures(DIVISION_CODES,
                    lambda value, valid: is_nanjing_division_code(value) is valid) == []
    assert len(NANJING_DISTRICTS) == 11
    assert NANJING_DISTRICTS["320114"] == "雨花台区"




def test_the_problems_are_told_in_chinese():
    assert credit_code_problem(XUANWU_CREDIT) is None
    assert credit_code_problem(" " + XUANWU_CREDIT) == "前后有多余的空格"
    assert credit_code_problem(XUANWU_CREDIT.lower()) == "字母应为大写"
    assert credit_code_problem(XUANWU_CREDIT[:17]) == "应为 18 位，实为 17 位"
    assert credit_code_problem(XUANWU_CREDIT[:17] + "I") == "只能由数字和大写字母组成（不使用 I、O、S、V、Z）"
    assert id_number_problem(XUANWU_1990) is None
    assert id_number_problem(XUANWU_1990[:17]) == "应为 18 位，实为 17 位"
    assert id_number_problem(id_number("32010219900230123")) == "第 7–14 位不是有效的出生日期"
    assert "1900 年至今天" in id_number_problem(id_number("320102" + TOMORROW.strftime("%Y%m%d") + "123"))
