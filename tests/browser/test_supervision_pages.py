"""A reviewer of the openness office uses the 监督考核 dashboard in
headless Chromium: the charts draw, the ranking sorts, an overdue request
opens, a table downloads; the public reads 公开情况."""
from __future__ import annotations

import csv
import io

import pytest

from tests.requests.conftest import fresh_counters, people  # noqa: F401
from tests.supervision.conftest import link_server  # noqa: F401
from tests.supervision.test_indicators import catalog  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("people")]


CLIPPED_TEXT = """() => {
  const clipped = [];
  document.querySelectorAll(".supervision-chart").forEach((chart) => {
    const box = chart.getBoundingClientRect();
    chart.querySelectorAll("svg text").forEach((text) => {
      // A scrolling legend pages its entries inside a clip path, with arrows.
      if (text.closest("[clip-path]")) { return; }
      const r = text.getBoundingClientRect();
      if (r.width && (r.left < box.left - 1 || r.right > box.right + 1
                      || r.top < box.top - 1 || r.bottom > box.bottom + 1)) {
        clipped.push(chart.id + ": " + text.textContent);
      }
    });
  });
  return clipped;
}"""


def _clipped_chart_text(page) -> list[str]:
    """Chart labels drawn outside their chart, which the page cuts off."""
    return page.evaluate(CLIPPED_TEXT)


@pytest.fixture
def downloads(browser):
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def test_reviewer_sorts_the_ranking_opens_an_overdue_request_and_exports(
        live_server, downloads, people, catalog):
    from ckan.tests import factories
    import ckan.plugins.toolkit as tk

    reviewer = factories.User(password="Reviewer-2026!")
    tk.get_action("organization_member_create")(
        {"ignore_auth": True}, {"id": "nanjing-zfbgt", "username": reviewer["name"],
                                "role": "editor"})
    page = downloads
    page.goto(f"{live_server}/user/login")
    page.fill("#field-login", reviewer["name"])
    page.fill("#field-password", "Reviewer-2026!")
    page.click("form.form-horizontal button[type=submit], button:has-text('登录')")
    page.goto(f"{live_server}/supervision")
    page.wait_for_selector("#chart-scores[data-rendered=true] svg")
    page.wait_for_selector("#chart-trend[data-rendered=true] svg")
    assert "南京市发展和改革委员会" in page.locator("#chart-scores").inner_text() or \
        page.locator("#chart-scores svg text", has_text="南京市发展和改革委员会").count()

    assert _clipped_chart_text(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)   # the charts redraw on resize
    assert _clipped_chart_text(page) == []
    page.set_viewport_size({"width": 1280, "height": 800})

    def first_body():
        return page.locator("#supervision-ranking tbody tr").first.locator("td").nth(1).inner_text()

    assert first_body() == "南京市发展和改革委员会"  # rank 1; 财政局 has no score
    score = page.locator("#supervision-ranking thead th").nth(2)
    score.locator("button").click()   # ascending: lowest first, no score last
    assert score.get_attribute("aria-sort") == "ascending"
    assert first_body() == "南京市发展和改革委员会"
    assert page.locator("#supervision-ranking tbody tr").last.locator("td").nth(1).inner_text() \
        in ("南京市财政局", "南京市人民政府办公厅")
    page.locator("#supervision-ranking thead th").nth(1).locator("button").click()
    names = page.locator("#supervision-ranking tbody tr td:nth-child(2)").all_inner_texts()
    assert names == sorted(names, key=lambda n: n.encode("gb18030"))  # by pinyin order

    with page.expect_download() as download:
        page.click("#list-request_timeliness .supervision-export a:has-text('CSV')")
    text = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][1] == "名称或编号" and len(rows) == 3
    assert any("已逾期" in row[3] for row in rows[1:])

    page.locator("#list-request_timeliness tbody a").first.click()
    page.wait_for_url("**/requests/*")
    assert "南京市发展和改革委员会" in page.content()

    page.goto(f"{live_server}/openness")
    assert page.locator("#openness-table").inner_text().count("南京市发展和改革委员会") == 1
