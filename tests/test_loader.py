"""`ckan nanjing load`: the demo catalog loads, and loading again changes nothing."""
from __future__ import annotations

import shutil

import pytest

from ckan.cli.cli import ckan as ckan_command
from ckan.tests import helpers

from ckanext.nanjing import loader

from .support import ROOT

DATASETS = ROOT / "datasets"


def _package(name):
    return helpers.call_action("package_show", id=name)


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_demo_catalog_loads_once_and_reloads_as_unchanged(cli):
    first = cli.invoke(ckan_command, ["nanjing", "load", str(DATASETS)])
    assert first.exit_code == 0, first.output
    bus = _package("nanjing-bus-routes")
    assert bus["title"] == "南京市公共交通线路数据"
    assert bus["organization"]["title"] == "南京市交通运输局"
    [resource] = bus["resources"]
    assert resource["url_type"] == "upload"
    assert resource[loader.SHA_FIELD]

    second = cli.invoke(ckan_command, ["nanjing", "load", str(DATASETS)])
    assert second.exit_code == 0, second.output
    assert "载入完成：新建 0 个，更新 0 个，未变 4 个" in second.output
    again = _package("nanjing-bus-routes")
    assert again["metadata_modified"] == bus["metadata_modified"]
    assert len(again["resources"]) == 1
    total = helpers.call_action("package_search", q="*:*")["count"]
    assert total == len(list((DATASETS / "packages").glob("*.yaml")))


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_changed_file_updates_exactly_its_resource(tmp_path):
    catalog = tmp_path / "catalog"
    shutil.copytree(DATASETS, catalog)
    loader.load_catalog(str(catalog))
    before = _package("nanjing-bus-routes")["resources"][0]
    budget_before = _package("jianye-general-budget-2026")["metadata_modified"]

    csv = catalog / "files" / "nanjing-bus-routes-2026-11.csv"
    csv.write_text(csv.read_text(encoding="utf-8") + "200,200路,南京南站,夫子庙,06:00,22:00,2,南京公交集团\n",
                   encoding="utf-8")
    counts = loader.load_catalog(str(catalog))

    after = _package("nanjing-bus-routes")["resources"][0]
    assert after["id"] == before["id"]
    assert after[loader.SHA_FIELD] != before[loader.SHA_FIELD]
    # Two organizations and the budget unchanged, the bus dataset updated.
    assert counts == {"新建": 0, "更新": 1, "未变": 3}
    assert _package("jianye-general-budget-2026")["metadata_modified"] == budget_before


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("content, message", [
    ("name: [unclosed", "不是有效的 UTF-8 YAML"),
    ("- just\n- a list\n", "应是一个带 name 字段的数据集"),
    ("name: x\nowner_org: no-such-org\ntitle: 测试\n", "package_create x"),
])
def test_broken_catalog_files_give_a_chinese_error_and_keep_what_is_there(
        tmp_path, cli, content, message):
    catalog = tmp_path / "catalog"
    shutil.copytree(DATASETS, catalog)
    loader.load_catalog(str(catalog))
    (catalog / "packages" / "zz-broken.yaml").write_text(content, encoding="utf-8")

    result = cli.invoke(ckan_command, ["nanjing", "load", str(catalog)])
    assert result.exit_code == 1
    assert "载入失败" in result.output and message in result.output
    assert "Traceback" not in result.output
    assert _package("nanjing-bus-routes")["title"] == "南京市公共交通线路数据"


@pytest.mark.usefixtures("clean_db")
def test_missing_resource_file_is_named(tmp_path):
    catalog = tmp_path / "catalog"
    shutil.copytree(DATASETS, catalog)
    (catalog / "files" / "nanjing-bus-routes-2026-11.csv").unlink()
    with pytest.raises(loader.CatalogError, match="资源文件不存在"):
        loader.load_catalog(str(catalog))
