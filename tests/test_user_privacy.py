"""The platform's accounts are not public (ckan.auth.public_user_details =
false), and the public pages that name users still render."""
from __future__ import annotations

import pytest

from ckan.tests import factories


@pytest.fixture
def published(clean_db, clean_index):
    steward = factories.UserWithToken(fullname="张编辑")
    org = factories.Organization(name="nanjing-czj", title="南京市财政局",
                                 users=[{"name": steward["name"], "capacity": "editor"}])
    dataset = factories.Dataset(owner_org=org["id"], user=steward, title="预算公开")
    return {"steward": steward, "org": org, "dataset": dataset}


def test_anonymous_callers_cannot_list_or_show_accounts(call, published):
    for action, params in (("user_list", {}), ("user_show", {"id": published["steward"]["name"]})):
        answer = call(action, None, **params)
        assert answer["success"] is False, action
        assert answer["error"]["__type"] == "Authorization Error", action


def test_a_logged_in_user_still_sees_other_accounts(call, published):
    other = factories.UserWithToken()
    answer = call("user_show", other, id=published["steward"]["name"])
    assert answer["success"] is True
    assert "email" not in answer["result"] and "apikey" not in answer["result"]


def test_public_pages_that_name_users_still_render(app, published):
    name, org = published["dataset"]["name"], published["org"]["name"]
    for path in ("/", "/dataset", f"/dataset/{name}", f"/dataset/activity/{name}",
                 f"/organization/{org}", f"/organization/activity/{org}",
                 f"/organization/about/{org}", "/requests", "/requests/new",
                 "/requests/lookup", "/harvest"):
        page = app.get(path, status=None)
        assert page.status_code == 200, (path, page.status_code)
    # A person's own page is for logged-in users now.
    assert app.get(f"/user/{published['steward']['name']}", status=None).status_code in (403, 302)
