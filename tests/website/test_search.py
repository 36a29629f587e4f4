"""One site search: the header's box searches every kind of record the
portal publishes, with a tab per kind and its count."""
from __future__ import annotations

import re

import pytest

from ckan.tests import factories

from ckanext.nanjing.website import search
from tests.catalog.test_review import ENTRY

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@pytest.fixture
def records():
    org = factories.Organization(name="jianye-czj", title="南京市建邺区财政局")
    factories.Dataset(type="policy_document", name="budget-policy", title="建邺区预算管理办法",
                      notes="规范预算编制和执行。", owner_org=org["id"])
    for number in range(3):
        factories.Dataset(owner_org=org["id"], **dict(
            ENTRY, name=f"budget-entry-{number}", title=f"部门预算公开{number}",
            item_code=f"GK-03-00{number}", disclosure_attribute="proactive",
            disclosure_method="proactive", channels=["gov-website"]))
    factories.Dataset(name="budget-ckan-default", title="预算（CKAN 默认类型）", owner_org=org["id"])


def _tabs(body: str) -> dict[str, str]:
    return dict(re.findall(r'class="nav-link[^"]*" href="[^"]*"[^>]*>\s*(\S+) <span class="badge">(\d+)<',
                           body))


def test_the_header_searches_every_kind_with_a_tab_each(app, records):
    home = app.get("/").body
    assert 'action="/search"' in home
    body = app.get("/search", query_string={"q": "预算"}).body
    tabs = _tabs(body)
    assert tabs["全部"] == "5" and tabs["公开事项"] == "3" and tabs["政策文件"] == "1"
    assert tabs["开放数据集"] == "0" and tabs["数据集"] == "1"  # CKAN's own type too
    assert "建邺区预算管理办法" in body and "部门预算公开1" in body
    assert "预算（CKAN 默认类型）" in body
    assert 'href="/policy_document/budget-policy"' in body

    policies = app.get("/search", query_string={"q": "预算", "type": "policy_document"}).body
    assert "建邺区预算管理办法" in policies and "部门预算公开1" not in policies
    assert 'aria-current="page"' in policies and _tabs(policies)["全部"] == "5"


def test_pages_keep_the_search_and_bad_input_is_answered_in_chinese(app, records, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    first = app.get("/search", query_string={"q": "预算", "type": "gkml_item"}).body
    assert len(re.findall(r'class="dataset-item"', first)) == 2
    next_links = re.findall(r'class="page-link" href="(/search\?[^"]*page=2[^"]*)"', first)
    assert next_links and all("q=%E9%A2%84%E7%AE%97" in link and "type=gkml_item" in link
                              for link in next_links)
    second = app.get("/search", query_string={"q": "预算", "type": "gkml_item", "page": "2"}).body
    assert len(re.findall(r'class="dataset-item"', second)) == 1
    refused = app.get("/search", query_string={"type": "user"}, status=400).body
    assert "未知的信息类别" in refused
    for page in ("abc", "-1", "²", "99999999999999999999"):  # the nearest page there is
        assert 'class="dataset-item"' in app.get("/search", query_string={"q": "预算", "page": page}).body
    assert "没有找到结果" in app.get("/search", query_string={"q": "x" * 5000}).body
