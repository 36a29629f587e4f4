"""Who may read the yearly report: see access.py."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

from ..requests import access as request_access
from . import access

__all__ = ["nanjing_annual_report", "nanjing_supervision_summary", "nanjing_disclosure_overview"]


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


def nanjing_supervision_summary(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    if not context.get("user"):
        return {"success": False, "msg": "请先登录"}
    if request_access.handled_organizations(context.get("user")) == []:
        return {"success": False, "msg": "只有公开办审核人员和各部门工作人员可以查看监督考核"}
    return {"success": True}


@tk.auth_allow_anonymous_access
def nanjing_disclosure_overview(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return {"success": True}
