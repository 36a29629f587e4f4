"""Who may call the actions of 互动交流. The public send, read, rate (the
sender, proved in the action) and vote; the open-data office reviews and
routes; stewards of a body handle what is assigned to it (the action
checks it is theirs)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

from .. import roles
from . import actions

__all__ = ["functions"]

PUBLIC = ("nanjing_interaction_challenge", "nanjing_interaction_create",
          "nanjing_interaction_show", "nanjing_interaction_list", "nanjing_interaction_rate",
          "nanjing_interaction_vote")
OFFICE = ("nanjing_interaction_moderate", "nanjing_interaction_merge",
          "nanjing_interaction_assign")


@tk.auth_allow_anonymous_access
def _anyone(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return {"success": True}


def _office(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    if roles.is_reviewer(context.get("user")):
        return {"success": True}
    return {"success": False, "msg": "只有政务公开办（平台审看人员）可以审看和分办留言"}


def _stewards(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    name = context.get("user")
    if roles.is_reviewer(name) or roles.steward_organizations(name):
        return {"success": True}
    return {"success": False, "msg": "只有部门的数据管理人员和政务公开办可以办理留言"}


def functions() -> dict:
    found = {}
    for name in actions.__all__:
        found[name] = _anyone if name in PUBLIC else _office if name in OFFICE else _stewards
    return found
