"""Checks of the parameters that actions look objects up by. CKAN core and
ckanext-harvest pass an id straight to the database, where a list, an
object or a number fails with a 500; these answer 409 in Chinese first."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["check_text", "require_text"]


def check_text(data_dict: dict[str, Any], *keys: str) -> None:
    """Each of `keys` given in data_dict is text (missing keys are left to
    the action)."""
    errors = {key: [f"应为文本（名称或 ID），收到的是{_kind(data_dict[key])}"]
              for key in keys if key in data_dict and data_dict[key] is not None
              and not isinstance(data_dict[key], str)}
    if errors:
        raise tk.ValidationError(errors)


def require_text(data_dict: dict[str, Any], key: str, what: str) -> str:
    """data_dict[key], which must be given as non-empty text."""
    check_text(data_dict, key)
    value = data_dict.get(key)
    if not value:
        raise tk.ValidationError({key: [f"缺少{what}（{key}）"]})
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "真假值"
    if isinstance(value, (int, float)):
        return "数字"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "对象"
    return type(value).__name__
