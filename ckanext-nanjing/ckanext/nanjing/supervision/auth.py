"""Who may read the yearly report: see access.py."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

from . import access

__all__ = ["nanjing_annual_report"]


def nanjing_annual_report(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    if not context.get("user"):
        return {"success": False, "msg": "请先登录"}
    try:
        access.resolve(context.get("user"), data_dict.get("organization"))
    except tk.NotAuthorized as error:
        return {"success": False, "msg": str(error)}
    except (tk.ObjectNotFound, tk.ValidationError):
        pass  # the action answers these with their own message
    return {"success": True}
