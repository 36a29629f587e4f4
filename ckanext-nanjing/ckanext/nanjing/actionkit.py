"""What the Action API of every feature shares: all or nothing (an action
that fails leaves the tables as they were), the signed-in caller, and
paging numbers, each refusal in Chinese."""
from __future__ import annotations

import functools
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

__all__ = ["rollback_on_error", "signed_in", "bounded_int"]


def rollback_on_error(function):
    """Nothing half-written: an action that fails leaves the tables as they were."""
    @functools.wraps(function)   # keeps the module: the API document finds its action
    def wrapper(context: Context, data_dict: dict[str, Any]):
        try:
            return function(context, data_dict)
        except Exception:
            model.Session.rollback()
            raise
    return wrapper


def signed_in(context: Context) -> model.User:
    """The caller's active account, or NotAuthorized."""
    user = model.User.get(context.get("user") or "")
    if user is None or user.state != "active":
        raise tk.NotAuthorized("请先登录")
    return user


def bounded_int(value: Any, default: int, field: str, high: int = 10000) -> int:
    """A paging or count parameter, or a Chinese ValidationError on `field`."""
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise tk.ValidationError({field: ["应为整数"]})
    if not 0 <= number <= high:
        raise tk.ValidationError({field: [f"应在 0 至 {high} 之间"]})
    return number
