"""The Atom feeds of the change log, read back as XML as a feed reader
reads them: Chinese, newest first, withdrawn records marked, HTML in titles
escaped, filters per type, body and 领域, paging links that lead to the
next page; CKAN's own /feeds/ declared Chinese too."""
from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET

import pytest

from ckanext.nanjing.feeds import atom

from .test_change_log import _dataset, body  # noqa: F401

ATOM = "{http://www.w3.org/2005/Atom}"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _feed(app, path="/feeds/changes.atom", **params):
    response = app.get(path, query_string=params)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.data)


def _titles(feed):
    return [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]


def _links(feed):
    return {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}


def test_the_feed_is_chinese_and_marks_withdrawals(app, api, body):
    created = _dataset(api, "atom-a", title="<b>预算</b> & 决算")
    _dataset(api, "atom-b", area="affordable-housing")
    assert api("package_patch", id=created["id"], private=True)["success"]
    feed = _feed(app)
    assert feed.get(LANG) == "zh-CN"
    assert feed.find(f"{ATOM}title").text.endswith("最新变更")
    assert _titles(feed) == ["【撤回（不再公开）】<b>预算</b> & 决算", "【发布】数据集 atom-b",
                             "【发布】<b>预算</b> & 决算"]   # newest first
    # Escaped in the document, read back as text.
    raw = app.get("/feeds/changes.atom").body
    assert "&lt;b&gt;预算&lt;/b&gt; &amp; 决算" in raw and "<b>预算" not in raw
    withdrawn = feed.findall(f"{ATOM}entry")[0]
    assert "已撤回" in (withdrawn.find(f"{ATOM}summary") or withdrawn.find(f"{ATOM}content")).text
    terms = [c.get("term") for c in withdrawn.findall(f"{ATOM}category")]
    assert "撤回（不再公开）" in terms and "开放数据集" in terms
    link = feed.findall(f"{ATOM}entry")[1].find(f"{ATOM}link").get("href")
    assert link.endswith("/open_dataset/atom-b")


def test_filters_per_type_body_and_area(app, api, body):
    _dataset(api, "filter-a")
    _dataset(api, "filter-b", area="affordable-housing")
    assert _titles(_feed(app, area="affordable-housing")) == ["【发布】数据集 filter-b"]
    housing = _feed(app, area="affordable-housing")
    assert "保障性住房" in housing.find(f"{ATOM}title").text
    assert len(_titles(_feed(app, organization="feeds-org"))) == 2
    assert "南京市财政局" in _feed(app, organization="feeds-org").find(f"{ATOM}title").text
    assert _titles(_feed(app, type="gkml_item")) == []


def test_paging_links_lead_to_the_next_page(app, api, body, monkeypatch):
    monkeypatch.setattr(atom, "PAGE_SIZE", 2)
    for number in range(5):
        _dataset(api, f"paged-{number}")
    first = _feed(app)
    links = _links(first)
    assert "prev" not in links and links["last"].endswith("page=3")
    seen, page, pages = _titles(first), first, 1
    while "next" in _links(page):
        target = urllib.parse.urlsplit(_links(page)["next"])
        page = _feed(app, target.path, **dict(urllib.parse.parse_qsl(target.query)))
        seen += _titles(page)
        pages += 1
    assert pages == 3 and seen == [f"【发布】数据集 paged-{n}" for n in (4, 3, 2, 1, 0)]
    # Past the end: the last page, not an error.
    assert _titles(_feed(app, page="99")) == ["【发布】数据集 paged-0"]


@pytest.mark.parametrize("params", [{"page": "abc"}, {"page": "-3"}, {"type": "x" * 101}])
def test_bad_parameters(app, body, params):
    response = app.get("/feeds/changes.atom", query_string=params)
    if "type" in params:
        assert response.status_code == 400 and "过长" in response.body
    else:
        assert response.status_code == 200


def test_ckans_own_feeds_are_declared_chinese(app, api, body):
    _dataset(api, "ckan-feed")
    assert _feed(app, "/feeds/dataset.atom").get(LANG) == "zh-CN"
