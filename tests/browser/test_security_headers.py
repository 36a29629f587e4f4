"""The Content-Security-Policy lets CKAN's pages and the DataTables preview
work: no violation reported in the console while a visitor browses."""
from __future__ import annotations

import pytest

from .test_catalog_pages import demo_part  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def test_pages_and_preview_run_without_csp_violations(live_server, page, demo_part):  # noqa: F811
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text
            and violations.append(message.text))
    response = page.goto(f"{live_server}/")
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    page.goto(f"{live_server}/gkml")
    page.goto(f"{live_server}/open_dataset/?q=空气")
    page.goto(f"{live_server}/open_dataset/nanjing-air-quality-daily")
    page.locator(".resource-item a.heading").first.click()
    preview = page.frame_locator("iframe").first
    preview.locator("table.dataTable tbody tr").nth(9).wait_for()  # scripts ran, rows by ajax
    page.goto(f"{live_server}/user/login")
    assert violations == []
