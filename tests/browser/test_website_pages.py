"""The site as a government website, in headless Chromium: its main pages
fit a phone's screen (360 and 390 px) without sliding sideways, it loads
nothing from another site (avatars included), its footer is readable
(WCAG 2.1 AA contrast, as GB/T 37668 asks), axe-core finds nothing serious
on the main pages, and 大字版 stays on from page to page."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.support import LOCAL

from .test_catalog_pages import demo_part  # noqa: F401,F811 - the fixture

pytestmark = pytest.mark.browser

PAGES = ("/", "/open_dataset/?q=预算", "/open_dataset/nanjing-air-quality-daily", "/gkml",
         "/requests/new", "/openness", "/user/login", "/about", "/sitemap")

# The main pages: home, search, dataset, entry, request form,
# /openness, /gkml, login (and the header's other catalog search).
AXE_PAGES = ("/", "/open_dataset/?q=预算", "/dataset/", "/open_dataset/nanjing-air-quality-daily",
             "/gkml_item/gkml-jianye-budget-government", "/requests/new", "/openness", "/gkml",
             "/user/login")
# axe-core from npm (config/frontend), installed by scripts/install.sh.
AXE = LOCAL / "npm" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
  return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact))
    .map((v) => [v.id, v.nodes.map((n) => n.target.join(' ')).slice(0, 3)]);
}"""

# Contrast of each piece of footer text against the colour behind it (WCAG 2.1).
FOOTER_CONTRASTS = """() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const behind = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll('footer *')]
    .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
                    && el.getClientRects().length && !el.closest('.visually-hidden'))
    .map((el) => {
      const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(behind(el))];
      return [el.textContent.trim().slice(0, 20), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
    });
}"""


def test_pages_fit_a_phone_and_load_nothing_from_another_site(live_server, page, demo_part):  # noqa: F811
    from ckan.tests import factories

    site = urlsplit(live_server).netloc
    outside = []
    page.on("request", lambda request: outside.append(request.url)
            if urlsplit(request.url).scheme in ("http", "https")
            and urlsplit(request.url).netloc != site else None)
    for path in PAGES:
        page.goto(f"{live_server}{path}")
        assert "南京市人民政府办公厅" in page.inner_text("footer"), path
    wider = []
    for width in (360, 390):
        page.set_viewport_size({"width": width, "height": 800})
        for path in PAGES:
            page.goto(f"{live_server}{path}")
            if page.evaluate("document.documentElement.scrollWidth") > width:
                wider.append((width, path, page.evaluate("document.documentElement.scrollWidth")))
    assert wider == []  # no page slides sideways on a phone
    page.set_viewport_size({"width": 1280, "height": 800})
    user = factories.User(password="Visitor-2026!", email="wang@example.cn")
    page.goto(f"{live_server}/user/login")
    page.fill("#field-login", user["name"])
    page.fill("#field-password", "Visitor-2026!")
    page.click("form.form-horizontal button[type=submit], button:has-text('登录')")
    for path in ("/dashboard/datasets", f"/user/{user['name']}"):
        page.goto(f"{live_server}{path}")
        page.wait_for_load_state("networkidle")
    assert page.locator("header .account img, header .account .user-image, .user-image").count()
    assert outside == []


def test_footer_text_meets_aa_contrast(live_server, page):
    page.goto(f"{live_server}/about")
    contrasts = page.evaluate(FOOTER_CONTRASTS)
    texts = [text for text, _ in contrasts]
    assert "主办单位" in texts and "English" in texts, texts
    assert [(text, round(ratio, 2)) for text, ratio in contrasts if ratio < 4.5] == []

# What sticks out to the right of the screen, for the failure message.
WIDER = """() => [...document.querySelectorAll('body *')]
  .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .slice(-5).map((el) => [el.tagName, el.className, el.textContent.trim().slice(0, 30)])"""


def serious_violations(page) -> list:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN)


def test_main_pages_have_no_serious_accessibility_violations(live_server, page, demo_part):  # noqa: F811
    found = {}
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for path in AXE_PAGES:
            page.goto(f"{live_server}{path}")
            if violations := serious_violations(page):
                found[(width, path)] = violations
    assert found == {}


def test_large_text_is_offered_and_kept_across_pages(live_server, page):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server}/")
    body_size = "parseFloat(getComputedStyle(document.querySelector('main, [role=main], body')).fontSize)"
    normal = page.evaluate(body_size)
    toggle = page.get_by_role("button", name="大字版")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    large = page.evaluate(body_size)
    assert large >= normal * 1.2, (normal, large)

    for path in ("/gkml", "/requests/new", "/open_dataset/?q=预算"):
        page.goto(f"{live_server}{path}")
        assert page.evaluate(body_size) == large, path  # kept on the next page
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, (path, page.evaluate(WIDER))
        assert page.get_by_role("button", name="大字版").get_attribute("aria-pressed") == "true"
    assert serious_violations(page) == []

    page.get_by_role("button", name="大字版").click()
    page.goto(f"{live_server}/about")
    assert page.evaluate(body_size) == normal
