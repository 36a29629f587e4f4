"""Who may read, write and publish the yearly report: see access.py."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

from .. import roles
from . import access

__all__ = ["nanjing_annual_report", "nanjing_annual_report_entry_update",
           "nanjing_annual_report_publish", "nanjing_supervision_summary",
           "nanjing_disclosure_overview"]


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


def nanjing_annual_report_entry_update(context: Context, data_dict: dict[str, Any]
                                       ) -> AuthResult:
    """A body's stewards write its report, reviewers any body's and the city's."""
    return nanjing_annual_report(context, data_dict)


def nanjing_annual_report_publish(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    """Who writes the report publishes it (as its body's policy_document)."""
    return nanjing_annual_report(context, data_dict)


def nanjing_supervision_summary(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    if not context.get("user"):
        return {"success": False, "msg": "请先登录"}
    if roles.steward_organizations(context.get("user")) == []:
        return {"success": False, "msg": "只有公开办审核人员和各部门工作人员可以查看监督考核"}
    return {"success": True}


@tk.auth_allow_anonymous_access
def nanjing_disclosure_overview(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return {"success": True}
