"""The platform answers: API, Chinese UI, dataset creation and its page."""
from __future__ import annotations

import pytest

from ckan.tests import factories

OUR_PLUGINS = {"activity", "datastore", "scheming_datasets", "harvest", "dcat", "nanjing"}


def test_status_show_reports_ckan_2_12_and_our_plugins(app):
    result = app.get("/api/3/action/status_show").json["result"]
    assert result["ckan_version"] == "2.12.0"
    assert OUR_PLUGINS <= set(result["extensions"])


def test_chinese_is_the_default_language_and_english_is_offered(app):
    chinese = app.get("/dataset/")
    assert chinese.status_code == 200
    assert '<html lang="zh-Hans-CN"' in chinese.body or 'lang="zh_Hans_CN"' in chinese.body
    assert "数据集" in chinese.body
    english = app.get("/en/dataset/")
    assert english.status_code == 200
    assert "Datasets" in english.body
    assert "数据集" not in english.body


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_dataset_created_through_the_api_is_shown_on_its_chinese_page(app):
    sysadmin = factories.SysadminWithToken()
    org = factories.Organization(name="nanjing-jtysj", title="南京市交通运输局")
    created = app.post(
        "/api/3/action/package_create",
        json={"name": "nanjing-bus-routes", "title": "南京市公共交通线路数据",
              "notes": "主城区常规公交线路的起讫站点与首末班时间。", "owner_org": org["id"]},
        headers={"Authorization": sysadmin["token"]},
    ).json
    assert created["success"], created

    page = app.get("/dataset/nanjing-bus-routes")
    assert page.status_code == 200
    assert "南京市公共交通线路数据" in page.body
    assert "南京市交通运输局" in page.body
    assert "主城区常规公交线路" in page.body

    shown = app.get("/api/3/action/package_show", query_string={"id": "nanjing-bus-routes"})
    assert shown.json["result"]["title"] == "南京市公共交通线路数据"
