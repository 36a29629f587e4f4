"""The personal-data detector of the shared floor (personal_data.py):
mobiles, bank cards and ID numbers in free text, masked forms, and the
masking and starring the platform shows instead."""
from __future__ import annotations

from ckanext.nanjing.personal_data import (
    is_bank_card, is_masked, is_mobile, mask_id, mask_phone, mask_text, personal_info_kind,
    redact,
)

from .numbers import (
    AMBIGUOUS, BAD_CARD, ENDING_IN_X, GANSU, ID_LIKE_A_CREDIT_CODE, MASKED_ID, UNIONPAY, VISA,
    XUANWU_1990, XUANWU_CREDIT, failures, grouped, with_luhn,
)

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


def test_mobiles():
    assert failures(MOBILES, lambda value, valid: is_mobile(value) is valid) == []


def test_bank_cards():
    assert failures(BANK_CARDS, lambda value, valid: is_bank_card(value) is valid) == []


def test_a_gansu_id_number_is_an_id_number_not_a_bank_card():
    assert GANSU.startswith("62") and with_luhn(GANSU[:17]) == GANSU
    assert personal_info_kind(GANSU) == "id_number"


def test_masked():
    assert failures(MASKED, lambda value, kind, masked: is_masked(value, kind) is masked
                    and is_masked(value) is masked) == []


def test_personal_info_kind():
    assert failures(PERSONAL, lambda value, kind: personal_info_kind(value) == kind) == []




def test_masking_and_starring_keep_only_the_ends():
    assert mask_id(XUANWU_1990) == XUANWU_1990[:4] + "*" * 10 + XUANWU_1990[-4:]
    assert mask_id(" 12345678 ") == "******78"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("12345") == "*****"
    starred = redact(f"申请人 {XUANWU_1990}，电话 138 1234 5678，邮编 210000")
    assert XUANWU_1990 not in starred and "1234 5678" not in starred
    assert starred.startswith("申请人 " + XUANWU_1990[:3] + "*") and "邮编 210000" in starred
    assert personal_info_kind(starred) is None


def test_a_message_is_masked_for_the_public():
    masked, found = mask_text("住鼓楼区中山路100号3栋502室，电话025-83456789，手机13912345678，"
                              "联系电话：83456789，邮箱wang.xm@example.cn，证件320102199003071234")
    for hidden in ("100号", "83456789", "13912345678", "wang.xm@example.cn", "19900307"):
        assert hidden not in masked
    assert "中山路**号" in masked and "w***@***" in masked
    assert set(found) == {"address", "phone", "number", "email"}
    # Amounts, years and document numbers are not personal data.
    text = "2026年预算12345678元，见宁政发〔2026〕第3号文件"
    assert mask_text(text) == (text, [])
