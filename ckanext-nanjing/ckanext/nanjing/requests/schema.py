"""Navl schemas of the request actions, with validators whose messages
read well in Chinese (they are shown next to the form's fields)."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Invalid, missing

from .. import identifiers, localtime
from ..actionkit import bounded_int as integer
from ..formfields import boolean, choice, email, phone, required, text

__all__ = ["APPLICANT_TYPES", "CATEGORIES", "ID_TYPES", "PROVISIONS", "DELIVERIES",
           "CHANNELS", "integer", "create_schema", "applicant_problems"]

APPLICANT_TYPES = {"natural": "自然人", "legal": "法人或其他组织"}
# The columns of the annual report's table 三.
CATEGORIES = {"natural": "自然人", "business": "商业企业", "research": "科研机构",
              "nonprofit": "社会公益组织", "legal_service": "法律服务机构", "other": "其他"}
ID_TYPES = {"id_card": "居民身份证", "passport": "护照",
            "other": "其他有效身份证件（港澳台居民居住证、外国人永久居留身份证等）",
            "credit_code": "统一社会信用代码"}
PROVISIONS = {"paper": "纸质", "email": "电子邮件", "disc": "光盘/U盘", "onsite": "当场查阅"}
DELIVERIES = {"pickup": "自行领取", "post": "邮寄", "email": "电子邮件"}
CHANNELS = {"online": "网上申请", "letter": "信函", "in_person": "当面", "fax": "传真"}

# 条例第二十九条: the applicant gives 联系方式, any one of these.
CONTACT_FIELDS = ("phone", "email", "address")
CONTACT_MISSING = "请至少填写一种联系方式：联系电话、电子邮箱或通信地址（条例第二十九条）"


def date(value: Any, context) -> Any:
    if value is missing or value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        day = datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise Invalid("日期格式应为 YYYY-MM-DD，如 2026-12-03")
    if day > localtime.today():
        raise Invalid("日期不能晚于今天")
    return day


def create_schema() -> dict[str, list]:
    ignore_missing = tk.get_validator("ignore_missing")
    return {
        "organization": [required("申请对象（受理机关）"), text(100)],
        "applicant_type": [choice(APPLICANT_TYPES, "申请人类型")],
        "applicant_category": [ignore_missing, text(20)],
        "name": [required("申请人姓名或名称"), text(100)],
        "id_type": [choice(ID_TYPES, "证件类型")],
        "id_number": [required("证件号码"), text(40)],
        "phone": [ignore_missing, text(30), phone],
        "email": [ignore_missing, text(200), email],
        "address": [ignore_missing, text(200)],
        "description": [required("所需信息的内容描述"), text(5000)],
        "doc_number": [ignore_missing, text(200)],
        "purpose": [ignore_missing, text(1000)],
        "provision": [choice(PROVISIONS, "信息的提供方式")],
        "delivery": [choice(DELIVERIES, "信息的获取方式")],
        "fee_waiver": [ignore_missing, boolean],
        "fee_waiver_reason": [ignore_missing, text(1000)],
        "undertaking": [ignore_missing, boolean],
        "received": [ignore_missing, date],
        "channel": [ignore_missing, text(20)],
    }


def applicant_problems(data: dict[str, Any]) -> dict[str, list[str]]:
    """The checks across fields: the ID matching the applicant type, one way
    to reach the applicant (Art. 29 asks for 联系方式, not for each kind),
    the contact the chosen delivery needs. Only what the law asks for is
    required."""
    errors: dict[str, list[str]] = {}
    kind, id_type = data.get("applicant_type"), data.get("id_type")
    number = str(data.get("id_number") or "").strip()
    if kind == "natural":
        data["applicant_category"] = "natural"
        if id_type == "credit_code":
            errors["id_type"] = ["自然人请选择居民身份证、护照或其他有效身份证件"]
        elif id_type == "id_card" and number:
            problem = identifiers.id_number_problem(number)
            if problem:
                errors["id_number"] = [f"身份证号码有误：{problem}"]
    elif kind == "legal":
        category = data.get("applicant_category")
        if not isinstance(category, str) or category not in set(CATEGORIES) - {"natural"}:
            errors["applicant_category"] = ["请选择法人或其他组织的类别：商业企业、科研机构、"
                                            "社会公益组织、法律服务机构或其他"]
        if id_type != "credit_code":
            errors["id_type"] = ["法人或其他组织请填写统一社会信用代码"]
        elif number and not identifiers.is_credit_code(number):
            problem = identifiers.credit_code_problem(number)
            errors["id_number"] = [f"统一社会信用代码有误：{problem}"]
    if (data.get("delivery") == "email" or data.get("provision") == "email") \
            and not data.get("email"):
        errors["email"] = ["选择以电子邮件提供或获取信息时，请填写电子邮箱"]
    if data.get("delivery") == "post" and not data.get("address"):
        errors["address"] = ["选择邮寄时，请填写通讯地址"]
    if not any(str(data.get(field) or "").strip() for field in CONTACT_FIELDS):
        errors["phone"] = [CONTACT_MISSING]
    if data.get("channel") and (not isinstance(data["channel"], str)
                                or data["channel"] not in CHANNELS):
        errors["channel"] = [f"申请方式应为：{'、'.join(CHANNELS.values())}"]
    return errors
