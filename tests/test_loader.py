"""`ckan nanjing load`: the demo catalog loads, and loading again changes nothing."""
from __future__ import annotations

import shutil

import pytest
import yaml

import ckan.model as model
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import helpers

from ckanext.nanjing import loader

from .support import ROOT

DATASETS = ROOT / "datasets"
BUS = "packages/municipal-services/nanjing-bus-routes.yaml"
BUDGET = "packages/budgets/jianye-general-budget-2026.yaml"


def _package(name):
    return helpers.call_action("package_show", id=name)


@pytest.fixture
def small_catalog(tmp_path):
    """The organizations and two datasets of the demo catalog, with their files."""
    catalog = tmp_path / "catalog"
    for part in ("organizations.yaml", BUS, BUDGET):
        (catalog / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DATASETS / part, catalog / part)
        for resource in yaml.safe_load((DATASETS / part).read_text()).get("resources", []) \
                if part != "organizations.yaml" else []:
            (catalog / resource["file"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(DATASETS / resource["file"], catalog / resource["file"])
    return catalog


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_demo_catalog_loads_once_and_reloads_as_unchanged(cli):
    organizations = len(yaml.safe_load((DATASETS / "organizations.yaml").read_text()))
    packages = len(list((DATASETS / "packages").rglob("*.yaml")))

    first = cli.invoke(ckan_command, ["nanjing", "load", str(DATASETS)])
    assert first.exit_code == 0, first.output
    assert f"载入完成：新建 {organizations + packages} 个，更新 0 个，未变 0 个" in first.output
    bus = _package("nanjing-bus-routes")
    assert bus["type"] == "open_dataset"
    assert bus["organization"]["title"] == "南京市交通运输局"
    assert bus["resources"][0]["url_type"] == "upload"
    assert bus["resources"][0][loader.SHA_FIELD]

    second = cli.invoke(ckan_command, ["nanjing", "load", str(DATASETS)])
    assert second.exit_code == 0, second.output
    assert (f"载入完成：新建 0 个，更新 0 个，未变 {organizations + packages} 个"
            in second.output)
    assert _package("nanjing-bus-routes")["metadata_modified"] == bus["metadata_modified"]
    active = model.Session.query(model.Package).filter_by(state="active").count()
    assert active == packages


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_a_changed_file_updates_exactly_its_resource(small_catalog):
    loader.load_catalog(str(small_catalog))
    before = _package("nanjing-bus-routes")["resources"][0]
    budget_before = _package("jianye-general-budget-2026")["metadata_modified"]

    csv = small_catalog / "files" / "nanjing-bus-routes-2026-11.csv"
    csv.write_text(csv.read_text(encoding="utf-8")
                   + "200,200路,南京南站,夫子庙,06:00,22:00,2,南京公交集团\n", encoding="utf-8")
    counts = loader.load_catalog(str(small_catalog))

    after = _package("nanjing-bus-routes")["resources"][0]
    assert after["id"] == before["id"]
    assert after[loader.SHA_FIELD] != before[loader.SHA_FIELD]
    organizations = len(yaml.safe_load((small_catalog / "organizations.yaml").read_text()))
    assert counts == {"新建": 0, "更新": 1, "未变": organizations + 1}
    assert _package("jianye-general-budget-2026")["metadata_modified"] == budget_before


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("content, message", [
    ("name: [unclosed", "不是有效的 UTF-8 YAML"),
    ("- just\n- a list\n", "应是一个带 name 字段的数据集"),
    ("type: open_dataset\nname: x\nowner_org: nanjing-jtysj\ntitle: 测试\narea: tourism\n",
     "领域：“tourism”不是允许的取值"),
])
def test_broken_catalog_files_give_a_chinese_error_and_keep_what_is_there(
        small_catalog, cli, content, message):
    loader.load_catalog(str(small_catalog))
    (small_catalog / "packages" / "zz-broken.yaml").write_text(content, encoding="utf-8")

    result = cli.invoke(ckan_command, ["nanjing", "load", str(small_catalog)])
    assert result.exit_code == 1
    assert "载入失败" in result.output and message in result.output
    assert "Traceback" not in result.output
    assert _package("nanjing-bus-routes")["title"] == "南京市公共交通线路数据"


@pytest.mark.usefixtures("clean_db")
def test_missing_resource_file_is_named(small_catalog):
    (small_catalog / "files" / "nanjing-bus-routes-2026-11.csv").unlink()
    with pytest.raises(loader.CatalogError, match="资源文件不存在"):
        loader.load_catalog(str(small_catalog))
