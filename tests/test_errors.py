"""What the public sees when the search service is down."""
from __future__ import annotations

import pytest

from ckan.tests import factories

from .support import free_port

DEAD_SOLR = f"http://127.0.0.1:{free_port()}/solr/ckan"


@pytest.mark.ckan_config("solr_url", DEAD_SOLR)
@pytest.mark.parametrize("url", ["/", "/dataset/", "/dataset/?q=预算", "/organization/"])
def test_pages_that_need_search_answer_503_in_chinese(app, url):
    resp = app.get(url)
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] == "60"
    assert "搜索服务暂时不可用" in resp.body
    assert "请几分钟后再试" in resp.body
    assert "Traceback" not in resp.body
    # Only sysadmins see how to fix it.
    assert "解决办法" not in resp.body


@pytest.mark.ckan_config("solr_url", DEAD_SOLR)
def test_sysadmin_is_told_what_is_wrong_and_how_to_fix_it(app):
    sysadmin = factories.SysadminWithToken()
    resp = app.get("/dataset/", headers={"Authorization": sysadmin["token"]})
    assert resp.status_code == 503
    assert "Solr 搜索服务" in resp.body and "解决办法" in resp.body


@pytest.mark.ckan_config("solr_url", DEAD_SOLR)
def test_english_visitors_get_the_same_page_in_english(app):
    resp = app.get("/en/dataset/")
    assert resp.status_code == 503
    assert "Search is temporarily unavailable" in resp.body


@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.parametrize("query", ['"', "title:(", "{!xmlparser v='x'}"])
def test_unparsable_search_on_a_department_page_is_a_chinese_400(app, query):
    factories.Organization(name="jianye-gov")
    resp = app.get("/organization/jianye-gov", query_string={"q": query}, status=None)
    assert resp.status_code == 400, resp.status_code
    assert "无法理解该搜索" in resp.body
    assert app.get("/organization/jianye-gov", query_string={"q": "预算"}).status_code == 200
