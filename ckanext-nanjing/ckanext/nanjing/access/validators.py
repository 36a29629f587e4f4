"""A 不予开放 dataset stays private: its data is never the public's, and
CKAN's own rules then keep its page, search hit and API answers to its body."""
from __future__ import annotations

from typing import Any

from ckan.common import asbool

from .rule import NOT_OPEN

__all__ = ["nanjing_not_open_stays_private"]

MESSAGE = "开放属性为“不予开放”的数据集只能设为私有（可见性选“私有”），不能公开"


def nanjing_not_open_stays_private(key: Any, data: dict, errors: dict, context: Any) -> None:
    if data.get(("open_type",)) != NOT_OPEN:
        return
    private = data.get(("private",))
    if not (private is True or (isinstance(private, str) and asbool(private))):
        errors.setdefault(("private",), []).append(MESSAGE)
