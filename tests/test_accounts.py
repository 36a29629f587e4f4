"""`ckan nanjing ensure-admin`: idempotent sysadmin and API token."""
from __future__ import annotations

import pytest

from ckan.cli.cli import ckan as ckan_command
from ckan.lib import api_token
import ckan.model as model


@pytest.mark.usefixtures("clean_db")
def test_admin_is_created_then_repaired_and_its_token_kept(cli, tmp_path):
    token_file = tmp_path / "admin-token"
    args = ["nanjing", "ensure-admin", "nanjing_admin", "--token-file", str(token_file)]

    first = cli.invoke(ckan_command, args, env={"NANJING_ADMIN_PASSWORD": "first-pass-123"})
    assert first.exit_code == 0, first.output
    assert "已创建系统管理员" in first.output
    token = token_file.read_text().strip()
    assert api_token.get_user_from_token(token).name == "nanjing_admin"

    # Someone demotes the account and changes its password: a re-run repairs both.
    user = model.User.get("nanjing_admin")
    user.sysadmin = False
    model.repo.commit()
    second = cli.invoke(ckan_command, args, env={"NANJING_ADMIN_PASSWORD": "second-pass-456"})
    assert second.exit_code == 0, second.output
    assert "已存在" in second.output
    assert token_file.read_text().strip() == token
    model.Session.expire_all()
    user = model.User.get("nanjing_admin")
    assert user.sysadmin
    assert user.validate_password("second-pass-456")


@pytest.mark.usefixtures("clean_db")
def test_too_short_password_is_refused_in_chinese(cli, tmp_path):
    result = cli.invoke(
        ckan_command,
        ["nanjing", "ensure-admin", "nanjing_admin", "--token-file", str(tmp_path / "t")],
        env={"NANJING_ADMIN_PASSWORD": "short"})
    assert result.exit_code == 1
    assert "无法创建系统管理员" in result.output
