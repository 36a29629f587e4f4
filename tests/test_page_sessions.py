"""Which pages start a session: an anonymous page without a form carries no
CSRF token and sets no cookie, so nginx's micro-cache can share it
(test_serving.py); forms, signed-in pages and the table preview keep
CKAN's token. The footer switches language with links."""
from __future__ import annotations

import pytest

from ckan.tests import factories

TOKEN_META = '<meta name="_csrf_token" content="'


@pytest.fixture
def signed_in(clean_db):
    return factories.UserWithToken()


@pytest.mark.parametrize("path", ["/", "/dataset/", "/gkml", "/organization/", "/en/dataset/"])
def test_anonymous_pages_without_forms_start_no_session(app, clean_db, path):
    response = app.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers, path
    assert "_csrf_token" not in response.body, path


def test_the_footer_switches_language_with_links(app, clean_db):
    chinese = app.get("/dataset/?q=交通")
    assert 'href="/en/dataset/?q=' in chinese.body and 'hreflang="en"' in chinese.body
    assert 'aria-current="true">中文' in chinese.body
    english = app.get("/en/dataset/")
    assert 'href="/zh_Hans_CN/dataset/"' in english.body
    assert ">Language" in english.body


def test_forms_and_signed_in_pages_keep_the_token(app, signed_in):
    login = app.get("/user/login")
    assert 'name="_csrf_token" value="' in login.body
    assert login.headers["Set-Cookie"].startswith("ckan=")
    page = app.get("/dataset/", headers={"Authorization": signed_in["token"]})
    assert TOKEN_META in page.body
    # A visitor who has a session (here from the login form) keeps the token on every page.
    assert TOKEN_META in app.get("/dataset/").body
