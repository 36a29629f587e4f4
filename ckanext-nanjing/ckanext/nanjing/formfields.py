"""The fields of the platform's forms and action payloads: validators
whose messages read well in Chinese next to a field (required, text with a
length limit and no control characters, a choice, phone, email, yes/no),
and an action's ValidationError turned into messages per field."""
from __future__ import annotations

import re
from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Invalid, missing

__all__ = ["PHONE", "EMAIL", "CONTROL", "required", "text", "choice", "phone", "email",
           "boolean", "text_value", "errors", "joined"]

PHONE = re.compile(r"(\+?86[ -]?)?1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?")
# ASCII only: the mailer sends without SMTPUTF8 (a Chinese domain is written
# in its xn-- form).
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.([A-Za-z]{2,}|xn--[A-Za-z0-9-]+)")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def required(label: str) -> Callable:
    def validator(value: Any, context) -> Any:
        if value is missing or value is None or not str(value).strip():
            raise Invalid(f"请填写{label}")
        return value
    return validator


def text(limit: int) -> Callable:
    def validator(value: Any, context) -> Any:
        if value is missing or value is None:
            return ""
        if isinstance(value, (list, dict)):
            raise Invalid("应为文本")
        value = str(value).strip()
        if len(value) > limit:
            raise Invalid(f"不能超过 {limit} 字（现有 {len(value)} 字）")
        if CONTROL.search(value):
            raise Invalid("含有无法显示的控制字符，请删除后重新提交")
        return value
    return validator


def choice(options: dict[str, str], label: str) -> Callable:
    def validator(value: Any, context) -> Any:
        if value is missing or value in (None, ""):
            raise Invalid(f"请选择{label}")
        if not isinstance(value, str) or value not in options:
            raise Invalid(f"{label}应为：{'、'.join(options.values())}")
        return value
    return validator


def phone(value: Any, context) -> Any:
    if value and not (isinstance(value, str) and PHONE.fullmatch(value.replace(" ", ""))):
        raise Invalid("不是有效的手机号码或固定电话（如 13912345678 或 025-83631234）")
    return value


def email(value: Any, context) -> Any:
    if value and not (isinstance(value, str) and EMAIL.fullmatch(value)):
        raise Invalid("不是有效的电子邮箱地址")
    return value


def boolean(value: Any, context) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "on", "yes", "y", "是")


def text_value(data_dict: dict[str, Any], name: str, label: str, limit: int,
               needed: bool) -> str:
    """One text field of an action's payload, checked as `text(limit)`
    checks it (and present when `needed`), or a ValidationError on `name`."""
    try:
        value = text(limit)(data_dict.get(name), {})
    except Invalid as invalid:
        raise tk.ValidationError({name: [str(invalid.error)]})
    if needed and not value:
        raise tk.ValidationError({name: [f"请填写{label}"]})
    return value


def errors(error: tk.ValidationError) -> dict[str, list[str]]:
    """An action's ValidationError as {field: [Chinese messages]}."""
    flat: dict[str, list[str]] = {}

    def add(key: str, value: Any) -> None:
        if isinstance(value, dict):
            for sub, inner in value.items():
                add(str(sub), inner)
        elif isinstance(value, (list, tuple)):
            for inner in value:
                add(key, inner)
        elif value not in (None, ""):
            flat.setdefault(key, []).append(str(value))

    for key, value in (error.error_dict or {}).items():
        add(str(key), value)
    if not flat:
        flat["__all__"] = [str(error) or "提交的内容有误，请检查后重试"]
    return flat


def joined(error: tk.ValidationError) -> str:
    """All of an error's messages in one line (for a page without the fields)."""
    return "；".join(message for messages in errors(error).values() for message in messages)
