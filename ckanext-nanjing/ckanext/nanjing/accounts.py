"""The platform's own sysadmin, created or repaired by the set-up scripts."""
from __future__ import annotations

import os
from pathlib import Path

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import api_token

__all__ = ["ensure_sysadmin"]


def ensure_sysadmin(name: str, password: str, token_file: Path) -> str:
    """Make `name` an active sysadmin with this password and a working API
    token in `token_file`. Returns what was done, in Chinese."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    user = model.User.get(name)
    if user is None:
        tk.get_action("user_create")(
            {"user": site_user, "ignore_auth": True},
            {"name": name, "email": f"{name}@nanjing.invalid", "password": password,
             "fullname": "平台管理员"})
        user = model.User.get(name)
        done = f"已创建系统管理员 {name}"
    else:
        done = f"系统管理员 {name} 已存在，已同步密码"
    # As `ckan user setpass` does: the model hashes the password on assignment.
    user.password = password
    user.sysadmin = True
    user.state = model.State.ACTIVE
    model.repo.commit()

    if not _token_works(token_file, name):
        token = tk.get_action("api_token_create")(
            {"user": site_user, "ignore_auth": True},
            {"user": name, "name": "nanjing-setup"})["token"]
        partial = token_file.with_suffix(".partial")
        partial.write_text(token + "\n", encoding="utf-8")
        os.chmod(partial, 0o600)
        partial.replace(token_file)
        done += f"，新的 API 令牌写入 {token_file}"
    return done


def _token_works(token_file: Path, name: str) -> bool:
    if not token_file.is_file():
        return False
    user = api_token.get_user_from_token(token_file.read_text(encoding="utf-8").strip())
    return user is not None and user.name == name
