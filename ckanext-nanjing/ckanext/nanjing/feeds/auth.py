from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

from . import subscription_actions, webhook_actions

__all__ = ["nanjing_changes", "functions"]

ONLY_SYSADMINS = {"success": False, "msg": "只有系统管理员可以管理 Webhook 接收地址"}


@tk.auth_allow_anonymous_access
def nanjing_changes(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return {"success": True}  # only what the public may see is in the log


def _sysadmins_only(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return ONLY_SYSADMINS   # sysadmins pass every check before it is asked


def _signed_in(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    if context.get("auth_user_obj") is None and not context.get("user"):
        return {"success": False, "msg": "请先登录，再订阅更新邮件"}
    return {"success": True}   # each acts only on the caller's own subscriptions


def functions() -> dict:
    return {"nanjing_changes": nanjing_changes,
            **{name: _sysadmins_only for name in webhook_actions.__all__},
            **{name: _signed_in for name in subscription_actions.__all__}}
