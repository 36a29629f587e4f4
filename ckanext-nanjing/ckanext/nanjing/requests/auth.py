"""Who may call the request actions. Lookups by number and 查询码 are open
to anyone (the code is the key); everything else is for handlers of the
addressed organization, reviewers and the applicant's own account."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

from . import access

__all__ = [
    "nanjing_request_create", "nanjing_request_show", "nanjing_request_list",
    "nanjing_request_transition", "nanjing_request_letter_show", "nanjing_request_file_show",
    "nanjing_request_results", "nanjing_request_stats", "nanjing_request_publish",
    "nanjing_request_appeal_record",
]


def _allowed() -> AuthResult:
    return {"success": True}


def _resolved(context: Context, data_dict: dict[str, Any], *, handlers_only: bool = False
              ) -> AuthResult:
    try:
        _request, role = access.resolve(context, data_dict)
    except tk.NotAuthorized as error:
        return {"success": False, "msg": str(error)}
    if handlers_only and role not in ("handler",):
        return {"success": False, "msg": "只有办理机关的工作人员可以执行此操作"}
    return {"success": True}


@tk.auth_allow_anonymous_access
def nanjing_request_create(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _allowed()  # 条例 Art. 29: anyone may apply; bulk submission is limited in the action


@tk.auth_allow_anonymous_access
def nanjing_request_show(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _resolved(context, data_dict)


def nanjing_request_list(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    if not context.get("user"):
        return {"success": False, "msg": "请先登录"}
    return _allowed()  # the action lists only what the user handles or applied for


@tk.auth_allow_anonymous_access
def nanjing_request_transition(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _resolved(context, data_dict)  # each step's actors are checked in the action


@tk.auth_allow_anonymous_access
def nanjing_request_letter_show(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _resolved(context, data_dict)


@tk.auth_allow_anonymous_access
def nanjing_request_file_show(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _resolved(context, data_dict)


@tk.auth_allow_anonymous_access
def nanjing_request_results(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _allowed()


@tk.auth_allow_anonymous_access
def nanjing_request_stats(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _allowed()  # counts only


def nanjing_request_publish(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _resolved(context, data_dict, handlers_only=True)


def nanjing_request_appeal_record(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _resolved(context, data_dict, handlers_only=True)
