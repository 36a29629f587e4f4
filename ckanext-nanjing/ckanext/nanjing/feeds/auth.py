from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

from . import webhook_actions

__all__ = ["nanjing_changes", "functions"]

ONLY_SYSADMINS = {"success": False, "msg": "只有系统管理员可以管理 Webhook 接收地址"}


@tk.auth_allow_anonymous_access
def nanjing_changes(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return {"success": True}  # only what the public may see is in the log


def _sysadmins_only(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return ONLY_SYSADMINS   # sysadmins pass every check before it is asked


def functions() -> dict:
    return {"nanjing_changes": nanjing_changes,
            **{name: _sysadmins_only for name in webhook_actions.__all__}}
