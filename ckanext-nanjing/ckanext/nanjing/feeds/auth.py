from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

__all__ = ["nanjing_changes"]


@tk.auth_allow_anonymous_access
def nanjing_changes(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return {"success": True}  # only what the public may see is in the log
