"""What harvest actions answer to callers who may not use them."""
from __future__ import annotations

import pytest

from ckan.tests import factories


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("who", ["anonymous", "steward"])
def test_listing_every_job_without_a_source_is_refused_in_chinese(call, who):
    user = None
    if who == "steward":
        user = factories.UserWithToken()
        factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    answer = call("harvest_job_list", user)
    assert answer["success"] is False
    assert answer["error"]["__type"] == "Authorization Error"
    assert "请指定采集源（source_id）" in answer["error"]["message"]


@pytest.mark.usefixtures("clean_db")
def test_a_sysadmin_still_lists_every_job(api):
    answer = api("harvest_job_list")
    assert answer["success"] is True and answer["result"] == []


@pytest.mark.usefixtures("clean_db")
def test_with_a_source_the_harvest_rules_still_apply(call):
    answer = call("harvest_job_list", None, source_id="no-such-source")
    assert answer["success"] is False
    assert answer["error"]["__type"] in ("Authorization Error", "Not Found Error")
