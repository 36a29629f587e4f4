"""Chained auth functions of ckanext-harvest's actions that fail with an
exception instead of an answer on parameters they expect."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthFunction, AuthResult, Context

__all__ = ["harvest_job_list"]


@tk.chained_auth_function
def harvest_job_list(next_auth: AuthFunction, context: Context,
                     data_dict: dict[str, Any]) -> AuthResult:
    # ckanext-harvest reads data_dict["source_id"] and raises KeyError (a 500)
    # without it. Listing every source's jobs is for sysadmins, who do not
    # reach auth functions.
    if not (data_dict or {}).get("source_id"):
        return {"success": False,
                "msg": "只有系统管理员可以列出全部采集任务；其他用户请指定采集源（source_id）"}
    return next_auth(context, data_dict)
