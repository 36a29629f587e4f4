"""What a person does in the portal, in headless Chromium."""
from __future__ import annotations

import pytest

from ckan.tests import factories

pytestmark = pytest.mark.browser

BUS = "南京市公共交通线路数据"


@pytest.fixture
def bus_dataset(clean_db, clean_index):
    org = factories.Organization(name="nanjing-jtysj", title="南京市交通运输局")
    return factories.Dataset(name="nanjing-bus-routes", title=BUS, owner_org=org["id"],
                             notes="主城区常规公交线路的起讫站点与首末班时间。")


def test_search_in_chinese_and_open_the_dataset(live_server, page, bus_dataset):
    page.goto(f"{live_server}/dataset/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans-CN"
    page.fill("input#field-giant-search", "公共交通")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dataset/?q=*")
    result = page.locator(".dataset-list .dataset-heading a", has_text=BUS)
    assert result.count() == 1

    result.click()
    page.wait_for_url("**/dataset/nanjing-bus-routes")
    assert page.locator("h1").first.inner_text().strip() == BUS
    assert "南京市交通运输局" in page.content()

    # The header's box searches the whole site, a tab per kind of record.
    page.fill("#field-sitewide-search", "公共交通")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert page.locator(".dataset-heading a", has_text=BUS).count() == 1
    assert page.locator(".nanjing-search-tabs .nav-link.active").inner_text().startswith("全部")


def test_home_page_speaks_chinese_and_english_is_one_click_away(live_server, page):
    page.goto(f"{live_server}/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans-CN"
    navigation = page.locator("header.masthead").inner_text()
    assert "开放数据" in navigation and "政务公开目录" in navigation
    assert page.locator("header.masthead img").get_attribute("alt") == "南京市政务公开与数据开放平台"
    cards = page.locator(".nanjing-area-card h3").all_inner_texts()
    assert cards[:3] == ["城乡规划", "重大建设项目", "财政预决算"] and len(cards) == 9
    page.fill("#nanjing-home-q", "预算")
    page.keyboard.press("Enter")
    page.wait_for_url("**/open_dataset/?q=*")
    page.goto(f"{live_server}/en/")
    assert "Disclosure catalog" in page.locator("header.masthead").inner_text()
    assert "The nine pilot areas" in page.content() and "Environmental protection" in page.content()
