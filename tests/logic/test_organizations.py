"""Departments carry their 统一社会信用代码, checked by its check character."""
from __future__ import annotations

import pytest

from ckanext.nanjing import identifiers

BODY = "11320100MB1234567"


@pytest.mark.usefixtures("clean_db")
def test_a_department_with_a_valid_credit_code_is_created(api):
    code = BODY + identifiers.check_character(BODY)
    result = api("organization_create", name="nanjing-czj", title="南京市财政局",
                 extras=[{"key": "credit_code", "value": code}])
    assert result["success"], result
    shown = api("organization_show", id="nanjing-czj")["result"]
    assert {"key": "credit_code", "value": code} in shown["extras"]


@pytest.mark.usefixtures("clean_db")
def test_a_wrong_check_character_is_refused_in_chinese(api):
    wrong = BODY + ("0" if identifiers.check_character(BODY) != "0" else "1")
    result = api("organization_create", name="nanjing-czj", title="南京市财政局",
                 extras=[{"key": "credit_code", "value": wrong}])
    assert result["success"] is False
    assert "末位为 GB 32100 校验码" in result["error"]["credit_code"][0]
    assert api("organization_show", id="nanjing-czj")["success"] is False

    good = api("organization_create", name="nanjing-czj", title="南京市财政局")["result"]
    patched = api("organization_patch", id=good["id"],
                  extras=[{"key": "credit_code", "value": "91320100123456789X"}])
    assert patched["success"] is False
