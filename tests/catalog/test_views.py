"""Browsing the catalog as the public and as stewards: the disclosure
catalog tree, facets with Chinese labels, review and interpretation notes."""
from __future__ import annotations

import pytest

from ckan.tests import factories

from .test_review import ENTRY


def _entry(org, **changes):
    data = dict(ENTRY, owner_org=org["id"], disclosure_attribute="proactive",
                disclosure_method="proactive", channels=["gov-website", "notice-board"])
    data.update(changes)
    return factories.Dataset(**data)


@pytest.fixture
def catalog(clean_db, clean_index):
    sthj = factories.Organization(name="jianye-sthj", title="南京市建邺生态环境局")
    czj = factories.Organization(name="jianye-czj", title="南京市建邺区财政局")
    _entry(sthj, name="env-penalty", title="行政处罚决定", level1_item="行政处罚",
           level2_item="行政处罚决定", item_code="GK-05-002")
    _entry(sthj, name="env-eia", title="建设项目环评文件审批", level1_item="行政许可",
           level2_item="环评审批", item_code="GK-05-001")
    _entry(czj, name="gov-budget", title="政府预算", area="budgets", level1_item="财政预决算",
           level2_item="政府预算", item_code="GK-03-001")
    return {"sthj": sthj, "czj": czj}


def test_disclosure_catalog_is_a_tree_of_areas_and_items(app, catalog):
    page = app.get("/gkml").body
    assert "政务公开目录" in page
    # Areas in the order of the code list: 财政预决算 before 环境保护.
    assert page.index("财政预决算") < page.index("环境保护")
    assert page.index("行政处罚") < page.index("行政许可")
    for text in ("行政处罚决定", "建设项目环评文件审批", "政府预算", "政府网站、社区/企事业单位/村公示栏(电子屏)",
                 "南京市建邺区财政局", "GK-05-001", "主动公开"):
        assert text in page


def test_disclosure_catalog_filters_by_area_and_department(app, catalog):
    by_area = app.get("/gkml", query_string={"area": "budgets"}).body
    assert "政府预算" in by_area and "建设项目环评文件审批" not in by_area
    by_org = app.get("/gkml", query_string={"organization": "jianye-sthj"}).body
    assert "建设项目环评文件审批" in by_org and "GK-03-001" not in by_org
    assert "查看完整目录" in by_org


def test_disclosure_catalog_search_level_filter_and_pages(app, catalog, monkeypatch):
    from ckanext.nanjing.catalog import tree

    _entry(catalog["czj"], name="village-budget", title="村级财务收支", area="budgets",
           level1_item="财政预决算", level2_item="村级财务", item_code="GK-03-009",
           disclosure_level="village")
    found = app.get("/gkml", query_string={"q": "环评"}).body
    assert "建设项目环评文件审批" in found and "政府预算" not in found
    assert "1 项" in found and 'value="环评"' in found
    assert "没有符合条件的目录事项" in app.get("/gkml", query_string={"q": "不存在的事项"}).body

    village = app.get("/gkml", query_string={"level": "village"}).body
    assert "村级财务收支" in village and "政府预算" not in village
    assert "村级" in village and 'aria-current="true"' in village
    refused = app.get("/gkml", query_string={"level": "planet"}, status=400).body
    assert "未知的公开层级" in refused

    monkeypatch.setattr(tree, "PAGE_SIZE", 2)
    first, second = (app.get("/gkml", query_string={"page": n}).body for n in (1, 2))
    assert "第 1 页，共 2 页" in first and "第 2 页，共 2 页" in second
    # Tree order across pages: 财政预决算's two entries, then 环境保护's two.
    assert "政府预算" in first and "村级财务收支" in first and "行政处罚决定" not in first
    assert "行政处罚决定" in second and "政府预算" not in second
    assert 'href="/gkml?page=2"' in first and "下一页" in first
    for bad in ("abc", "-1", "²", "99999999999999999999"):
        assert "GK-0" in app.get("/gkml", query_string={"page": bad}).body


def test_disclosure_catalog_entry_links_to_what_was_published(app, catalog):
    factories.Dataset(name="jianye-budget-table", title="建邺区政府预算收支表",
                      owner_org=catalog["czj"]["id"])
    factories.Dataset(name="private-draft", title="未公开的草稿", owner_org=catalog["czj"]["id"],
                      private=True)
    _entry(catalog["czj"], name="gov-final-accounts", title="政府决算", area="budgets",
           level1_item="财政预决算", level2_item="政府决算", item_code="GK-03-002",
           related_content=["jianye-budget-table", "private-draft", "https://czj.example.cn/ysgk"])
    page = app.get("/gkml", query_string={"area": "budgets"}).body
    assert '<a href="/dataset/jianye-budget-table">建邺区政府预算收支表</a>' in page
    assert "https://czj.example.cn/ysgk" in page
    assert "未公开的草稿" not in page and "private-draft" not in page


def test_withheld_entry_waiting_for_review_is_not_in_the_public_catalog(app, catalog):
    steward = factories.User()
    org = factories.Organization(users=[{"name": steward["name"], "capacity": "editor"}])
    factories.Dataset(owner_org=org["id"], name="withheld-files", **{
        k: v for k, v in ENTRY.items() if k != "name"})
    assert "GK-320105-05-009" not in app.get("/gkml").body


def test_facets_have_chinese_titles_and_labels(app, catalog):
    page = app.get("/gkml_item/").body
    assert "领域" in page and "公开方式" in page
    assert "环境保护" in page and "财政预决算" in page
    assert ">environment<" not in page


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_policy_without_interpretation_is_flagged_to_its_steward_only(app):
    steward = factories.UserWithToken()
    org = factories.Organization(users=[{"name": steward["name"], "capacity": "editor"}])
    factories.Dataset(type="policy_document", name="jianye-policy", title="建邺区促进数字经济发展若干政策",
                      notes="为加快数字经济发展，制定本政策。", owner_org=org["id"])
    as_steward = app.get("/policy_document/jianye-policy",
                         headers={"Authorization": steward["token"]}).body
    assert "该政策尚未发布解读" in as_steward
    assert "请尽快发布本政策的解读" in as_steward
    public = app.get("/policy_document/jianye-policy").body
    assert "该政策尚未发布解读" in public and "请尽快发布本政策的解读" not in public

    factories.Dataset(type="policy_interpretation", name="jianye-policy-reading",
                      title="《建邺区促进数字经济发展若干政策》解读", policy="jianye-policy",
                      notes="一图读懂。", owner_org=org["id"])
    linked = app.get("/policy_document/jianye-policy").body
    assert "《建邺区促进数字经济发展若干政策》解读" in linked
    assert "该政策尚未发布解读" not in linked


@pytest.mark.ckan_config("ckanext.nanjing.review_organization", "nanjing-zfbgt")
@pytest.mark.usefixtures("clean_db", "clean_index")
def test_withheld_entry_page_shows_its_review_to_the_steward(app):
    steward = factories.UserWithToken()
    org = factories.Organization(users=[{"name": steward["name"], "capacity": "editor"}])
    created = app.post("/api/3/action/package_create", json=dict(ENTRY, owner_org=org["id"]),
                       headers={"Authorization": steward["token"]}).json
    assert created["success"], created
    page = app.get(f"/gkml_item/{ENTRY['name']}", headers={"Authorization": steward["token"]}).body
    assert "不予公开审核" in page and "已提交审核" in page
    assert app.get(f"/gkml_item/{ENTRY['name']}", status=404)


@pytest.mark.ckan_config("ckanext.nanjing.review_organization", "nanjing-zfbgt")
@pytest.mark.usefixtures("clean_db", "clean_index")
def test_reviewer_decides_on_the_entry_page(app):
    steward, reviewer = factories.UserWithToken(), factories.UserWithToken()
    org = factories.Organization(users=[{"name": steward["name"], "capacity": "editor"}])
    factories.Organization(name="nanjing-zfbgt",
                           users=[{"name": reviewer["name"], "capacity": "editor"}])
    app.post("/api/3/action/package_create", json=dict(ENTRY, owner_org=org["id"]),
             headers={"Authorization": steward["token"]})
    url = f"/gkml_item/{ENTRY['name']}"

    assert "审核意见（退回时必填）" not in app.get(url, headers={"Authorization": steward["token"]}).body
    assert app.post(f"{url}/review", data={"decision": "approve"},
                    headers={"Authorization": steward["token"]}, status=403)

    page = app.get(url, headers={"Authorization": reviewer["token"]}).body
    assert "审核意见（退回时必填）" in page and "退回修改" in page
    returned = app.post(f"{url}/review", data={"decision": "return"},
                        headers={"Authorization": reviewer["token"]}, follow_redirects=True)
    assert "请填写退回理由" in returned.body
    approved = app.post(f"{url}/review", data={"decision": "approve", "comment": "同意。"},
                        headers={"Authorization": reviewer["token"]}, follow_redirects=True)
    assert "审核通过，该条目已公开。" in approved.body
    assert app.get(url).status_code == 200


@pytest.mark.parametrize("query, message", [
    ({"area": "tourism"}, "没有这个领域：tourism"),
    ({"organization": 'x" OR site_id:*'}, "没有这个部门"),
    ({"organization": "a" * 5000}, "没有这个部门"),
])
def test_bad_catalog_filters_get_a_chinese_400(app, catalog, query, message):
    resp = app.get("/gkml", query_string=query, status=400)
    assert message in resp.body


def test_licences_are_named_in_chinese(app, catalog):
    factories.Dataset(name="licensed", title="公交线路", license_id="cc-by",
                      owner_org=catalog["czj"]["id"])
    page = app.get("/dataset/licensed").body
    assert "知识共享署名许可协议（CC BY）" in page and "Creative Commons Attribution" not in page
    english = app.get("/en/dataset/licensed").body
    assert "Creative Commons Attribution" in english
    # The API keeps CKAN's title, in whatever language the record was indexed.
    shown = app.get("/api/3/action/package_show", query_string={"id": "licensed"}).json
    assert shown["result"]["license_title"] == "Creative Commons Attribution"


def test_an_entry_page_hides_empty_fields_and_shows_its_dates(app, catalog):
    page = app.get("/gkml_item/env-eia").body
    table = page[page.index("additional-info"):]
    assert "发布日期" in table and "更新时间" in table
    assert "事项编码" in table and "GK-05-001" in table
    assert "信息形成或变更日期" not in table and "公开内容链接" not in table  # left empty
    assert "关注者" not in page
