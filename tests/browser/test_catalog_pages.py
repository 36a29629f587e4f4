"""A visitor's path through the catalog, in headless Chromium: search in
Chinese, narrow by area, open and download a dataset, browse the
disclosure catalog and open an entry."""
from __future__ import annotations

import shutil

import pytest
import yaml

from ckanext.nanjing import loader
from tests.support import ROOT

pytestmark = pytest.mark.browser

DATASETS = ROOT / "datasets"
PARTS = [
    "packages/budgets/jianye-general-budget-2026.yaml",
    "packages/municipal-services/nanjing-bus-routes.yaml",
    "packages/environment/nanjing-air-quality-daily.yaml",
    "packages/gkml/gkml-jianye-budget-government.yaml",
    "packages/gkml/gkml-jianye-budget-departments.yaml",
]


@pytest.fixture
def demo_part(clean_db, clean_index, tmp_path):
    """Part of the demo catalog, loaded as `make demo` loads all of it."""
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    shutil.copy(DATASETS / "organizations.yaml", catalog)
    for part in PARTS:
        (catalog / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DATASETS / part, catalog / part)
        for resource in yaml.safe_load((DATASETS / part).read_text()).get("resources", []):
            (catalog / resource["file"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(DATASETS / resource["file"], catalog / resource["file"])
    loader.load_catalog(str(catalog))


def test_search_budget_filter_by_area_open_and_download(live_server, page, demo_part):
    page.goto(f"{live_server}/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans-CN"
    page.click("text=开放数据")
    page.fill("input#field-giant-search", "预算")
    page.keyboard.press("Enter")
    page.wait_for_url("**/open_dataset/?q=*")
    results = page.locator(".dataset-list .dataset-heading a")
    assert "建邺区2026年一般公共预算收支表" in results.all_inner_texts()
    assert "南京市环境空气质量监测日报" not in results.all_inner_texts()

    page.goto(f"{live_server}/open_dataset/")
    page.locator("nav[aria-label='领域'] a, section.module-narrow a", has_text="环境保护").first.click()
    page.wait_for_url("**area=environment*")
    assert results.all_inner_texts() == ["南京市环境空气质量监测日报"]

    results.first.click()
    page.wait_for_url("**/open_dataset/nanjing-air-quality-daily")
    assert "信息资源代码" in page.content() and "320100-05-0001" in page.content()
    page.locator(".resource-item a.heading").first.click()
    assert "已通过数据校验" in page.locator(".nanjing-validation-status").inner_text()
    button = page.locator("a.btn-primary.resource-url-analytics", has_text="下载")
    assert button.get_attribute("href").startswith(live_server)
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename.endswith(".csv")
    with open(download.value.path(), encoding="utf-8") as saved:
        header = saved.readline()
    assert "监测日期" in header and "PM2.5" in header

    # The preview: the DataStore table in DataTables, searchable by column.
    preview = page.frame_locator("iframe").first
    preview.locator("table.dataTable thead").get_by_text("监测日期").first.wait_for()
    preview.locator("table.dataTable tbody tr").nth(9).wait_for()  # rows come by ajax

    with page.expect_download() as download:
        page.locator(".nanjing-exports a", has_text="Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_disclosure_catalog_to_an_entry(live_server, page, demo_part):
    page.goto(f"{live_server}/")
    page.click("text=政务公开目录")
    page.wait_for_url("**/gkml")
    assert page.locator("h2", has_text="财政预决算").count() == 1
    page.click("text=建邺区政府预算")
    page.wait_for_url("**/gkml_item/*")
    content = page.content()
    assert "建邺区政府预算" in content
    assert "公开时限" in content and "主动公开" in content


def test_disclosure_catalog_on_a_phone(live_server, page, demo_part):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server}/gkml")
    top = "(selector) => document.querySelector(selector).getBoundingClientRect().top"
    assert page.evaluate(top, "h1") < page.evaluate(top, "#nanjing-gkml-filters")  # content first
    card = page.locator("table.nanjing-gkml-entries tbody tr").first
    assert card.evaluate("(row) => getComputedStyle(row).display") == "block"
    code = card.locator("td").first
    assert code.evaluate("(cell) => getComputedStyle(cell, '::before').content") == '"事项编码："'
    page.get_by_role("searchbox", name="搜索政务公开目录").fill("部门预决算")
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_url("**/gkml?q=*")
    assert page.locator(".nanjing-gkml-title").all_inner_texts()[:1] == ["建邺区部门预决算"]
    page.get_by_role("link", name="筛选条件").click()
    assert page.locator("#nanjing-gkml-filters").is_visible()


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_reviewer_logs_in_and_returns_a_withheld_entry(live_server, page):
    from ckan.tests import factories
    from tests.catalog.test_review import ENTRY

    steward, reviewer = factories.User(), factories.User(password="Reviewer-2026!")
    org = factories.Organization(users=[{"name": steward["name"], "capacity": "editor"}])
    factories.Organization(name="nanjing-zfbgt",
                           users=[{"name": reviewer["name"], "capacity": "editor"}])
    factories.Dataset(owner_org=org["id"], **ENTRY)

    page.goto(f"{live_server}/user/login")
    page.fill("#field-login", reviewer["name"])
    page.fill("#field-password", "Reviewer-2026!")
    page.click("form.form-horizontal button[type=submit], button:has-text('登录')")
    page.goto(f"{live_server}/gkml_item/{ENTRY['name']}")
    assert "已提交审核" in page.content()
    page.fill("#nanjing-review-comment", "请补充案卷材料清单。")
    page.click("button[name=decision][value=return]")
    page.wait_for_selector(".alert")
    content = page.content()
    assert "已连同您的意见退回条目管理员" in content
    assert "请补充案卷材料清单。" in content and "退回修改" in content


def test_steward_edits_the_information_items_and_sees_a_refused_upload(
        live_server, page, tmp_path, clean_db):
    from ckan.tests import factories
    from tests.publishing.conftest import VALID_CSV, dataset_dict

    steward = factories.User(password="Steward-2026!")
    org = factories.Organization(users=[{"name": steward["name"], "capacity": "editor"}])
    factories.Dataset(**dataset_dict(org))

    page.goto(f"{live_server}/user/login")
    page.fill("#field-login", steward["name"])
    page.fill("#field-password", "Steward-2026!")
    page.click("form.form-horizontal button[type=submit], button:has-text('登录')")

    page.goto(f"{live_server}/open_dataset/edit/nanjing-air-quality")
    editor = page.locator("#field-information_items")
    assert "- name: 监测点" in editor.input_value()  # YAML, Chinese as written
    written = yaml.safe_load(editor.input_value())
    written["fields"][4]["description"] = "站点说明"
    editor.fill(yaml.safe_dump(written, allow_unicode=True, sort_keys=False))
    page.click("button[name=save]")
    page.wait_for_url("**/open_dataset/nanjing-air-quality")
    assert "站点说明" in page.locator("table.nanjing-table-schema").inner_text()

    bad = tmp_path / "air.csv"
    bad.write_text(VALID_CSV.replace("2026-11-02", "2026年11月2日"), encoding="utf-8")
    page.goto(f"{live_server}/open_dataset/nanjing-air-quality/resource/new")
    page.set_input_files("input[type=file]", str(bad))
    page.fill("#field-name", "每日监测")
    page.click("button[name=save][value=go-metadata]")
    error = page.locator(".error-explanation, .alert-error, .alert-danger").first.inner_text()
    assert "第 4 行“监测日期”列的值“2026年11月2日”不是有效的日期" in error
