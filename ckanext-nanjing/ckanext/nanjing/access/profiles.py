"""The real-name profile an applicant gives once: an individual's name, ID
and phone, or an organisation's name, 统一社会信用代码, contact person and
phone. Numbers are sealed (`sealing`) and only their masked forms are ever
shown; the profile is its own table, so none of it reaches the user dict,
Solr or the activity stream."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import validate

from .. import identifiers, personal_data, sealing
from ..formfields import choice, phone, required, text
from .model import Profile

__all__ = ["KINDS", "ID_TYPES", "profile_of", "profile_dict", "checked", "save_profile"]

KINDS = {"individual": "个人", "organisation": "法人或其他组织"}
ID_TYPES = {"id_card": "居民身份证", "passport": "护照",
            "other": "其他有效身份证件", "credit_code": "统一社会信用代码"}
ID_PURPOSE, PHONE_PURPOSE = "nanjing-access/id-number", "nanjing-access/phone"


def _schema() -> dict[str, list]:
    ignore_missing = tk.get_validator("ignore_missing")
    return {
        "kind": [choice(KINDS, "申请主体类型")],
        "real_name": [required("姓名或单位名称"), text(100)],
        "id_type": [choice(ID_TYPES, "证件类型")],
        "id_number": [required("证件号码"), text(40)],
        "contact_person": [ignore_missing, text(50)],
        "phone": [required("联系电话"), text(30), phone],
    }


def _cross_checks(data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    number = str(data.get("id_number") or "").strip().upper()
    if data.get("kind") == "individual":
        if data.get("id_type") == "credit_code":
            errors["id_type"] = ["个人请选择居民身份证、护照或其他有效身份证件"]
        elif data.get("id_type") == "id_card" and number:
            problem = identifiers.id_number_problem(number)
            if problem:
                errors["id_number"] = [f"身份证号码有误：{problem}"]
    elif data.get("kind") == "organisation":
        if data.get("id_type") != "credit_code":
            errors["id_type"] = ["法人或其他组织请填写统一社会信用代码"]
        elif number and not identifiers.is_credit_code(number):
            errors["id_number"] = [
                f"统一社会信用代码有误：{identifiers.credit_code_problem(number)}"]
        if not data.get("contact_person"):
            errors["contact_person"] = ["请填写单位的联系人"]
    return errors


def profile_of(user_id: str | None) -> Profile | None:
    return model.Session.get(Profile, user_id) if user_id else None


def profile_dict(profile: Profile | None) -> dict[str, Any] | None:
    if profile is None:
        return None
    return {"kind": profile.kind, "kind_label": KINDS[profile.kind],
            "real_name": profile.real_name, "id_type": profile.id_type,
            "id_type_label": ID_TYPES.get(profile.id_type, ""),
            "id_number_masked": profile.id_number_masked,
            "contact_person": profile.contact_person, "phone_masked": profile.phone_masked}


def checked(data_dict: dict[str, Any], context) -> dict[str, Any]:
    """The profile's fields, cleaned, or a ValidationError naming every
    problem at once."""
    data, errors = validate(data_dict, _schema(), context)
    errors = {key: value for key, value in errors.items() if value}
    for field, messages in _cross_checks(data).items():
        errors.setdefault(field, messages)
    if errors:
        raise tk.ValidationError(errors)
    return data


def save_profile(user: model.User, data_dict: dict[str, Any], context) -> Profile:
    """Creates or replaces the user's profile (see `checked`)."""
    data = checked(data_dict, context)
    number = data["id_number"].strip().upper()
    number_phone = data["phone"].replace(" ", "")
    profile = profile_of(user.id) or Profile(user_id=user.id)
    profile.kind, profile.real_name, profile.id_type = (data["kind"], data["real_name"],
                                                        data["id_type"])
    profile.id_number_sealed = sealing.seal(number, ID_PURPOSE)
    profile.id_number_masked = personal_data.mask_id(number)
    profile.contact_person = data.get("contact_person") or ""
    profile.phone_sealed = sealing.seal(number_phone, PHONE_PURPOSE)
    profile.phone_masked = personal_data.mask_phone(number_phone)
    model.Session.add(profile)
    return profile
