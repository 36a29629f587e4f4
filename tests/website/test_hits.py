"""浏览量 and 下载量 from nginx's access log: a hand-made log with repeat
visitors, crawlers, errors, private records, hostile and unfinished lines
and a rotation; then the real nginx of the served test portal, visited and
downloaded from over HTTP."""
from __future__ import annotations

import os
import time
import uuid

import pytest
import requests
from click.testing import CliRunner

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ckanext.nanjing.cli import nanjing
from ckanext.nanjing.website import hits

from ..requests.conftest import people  # noqa: F401
from ..supervision.test_indicators import _dataset, _entry

PAGE = {"url": "https://www.nanjing.gov.cn/zwgk/", "format": "HTML", "name": "页面"}
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"


@pytest.fixture(autouse=True)
def forget_visitors():
    redis = connect_to_redis()
    for key in redis.scan_iter(f"{tk.config.get('ckan.site_id')}:nanjing:hits:*"):
        redis.delete(key)


@pytest.fixture
def records(api, people, clean_index):
    shown = _dataset(api, "hits-data", "yearly", dict(PAGE))
    hidden = _dataset(api, "hits-hidden", "yearly", dict(PAGE), private=True)
    _entry(api, "hits-entry", [], "2026-11-02")
    return {"resource": shown["resources"][0]["id"], "hidden": hidden["resources"][0]["id"]}


def _line(path: str, status: int = 200, agent: str = PHONE, address: str = "203.0.113.5",
          method: str = "GET", when: str = "07/Dec/2026:10:00:00 +0800") -> str:
    return (f'{address} - - [{when}] "{method} {path} HTTP/1.1" {status} 5120 '
            f'"https://example.cn/" "{agent}"\n')


def test_a_hand_made_log_is_counted_once_per_visitor_and_day(tmp_path, records):
    resource, hidden = records["resource"], records["hidden"]
    download = f"/open_dataset/hits-data/resource/{resource}/download/page.html"
    log = tmp_path / "access.log"
    log.write_text("".join([
        _line("/open_dataset/hits-data"),
        _line("/open_dataset/hits-data?page=2"),                  # same visitor, same day
        _line("/open_dataset/hits-data", agent=DESKTOP),          # another browser
        _line("/en/open_dataset/hits-data", address="198.51.100.7"),
        _line("/open_dataset/hits-data", agent="Mozilla/5.0 (compatible; Baiduspider/2.0)"),
        _line("/open_dataset/hits-data", status=404, address="198.51.100.8"),
        _line("/open_dataset/hits-data", method="POST", address="198.51.100.9"),
        _line("/open_dataset/hits-hidden", address="198.51.100.10"),   # private
        _line("/open_dataset/new", address="198.51.100.11"),
        _line("/gkml_item/hits-entry", address="198.51.100.12"),
        _line(download, agent="curl/8.5.0"),
        _line(download, agent="curl/8.5.0"),                      # same client again
        _line(download, agent="curl/8.5.0", when="08/Dec/2026:09:00:00 +0800"),
        _line(f"/resource/{resource}/export.csv", address="198.51.100.13"),
        _line(f"/open_dataset/hits-hidden/resource/{hidden}/download/x.html"),
        "\x00\xff<script>alert(1)</script> not a log line\n",
        "A" * (hits.MAX_LINE + 500) + "\n",
        _line("/open_dataset/hits-data", address="192.0.2.77")[:-1],   # nginx still writing it
    ]), encoding="utf-8")
    outcome = hits.count(str(log))
    assert (outcome.views, outcome.downloads, outcome.skipped) == (4, 3, 2)
    data = hits.totals(tk.get_action("package_show")({"ignore_auth": True},
                                                     {"id": "hits-data"})["id"])
    assert data == {"views": 3, "downloads": 3, "resources": {resource: 3}}

    # The next run starts where this one stopped: the unfinished line, now whole.
    with open(log, "a", encoding="utf-8") as stream:
        stream.write("\n")
    again = hits.count(str(log))
    assert (again.lines, again.views, again.downloads) == (1, 1, 0)

    # A rotated log (a new file) is read from its start.
    os.replace(log, tmp_path / "access.log.1")
    log.write_text(_line("/open_dataset/hits-data", address="198.51.100.99"), encoding="utf-8")
    assert hits.count(str(log)).views == 1


def test_the_page_shows_the_counts(app, tmp_path, records):
    log = tmp_path / "access.log"
    resource = records["resource"]
    log.write_text(_line("/open_dataset/hits-data") + _line(
        f"/open_dataset/hits-data/resource/{resource}/download/page.html"), encoding="utf-8")
    hits.count(str(log))
    page = app.get("/open_dataset/hits-data").body
    assert "<dt>浏览量</dt><dd>1</dd>" in page and "<dt>下载量</dt><dd>1</dd>" in page
    assert "下载 1 次" in page and "关注者" not in page


def test_the_command_says_what_is_wrong_in_chinese(tmp_path):
    result = CliRunner().invoke(nanjing, ["count-hits", "--log", str(tmp_path / "missing.log")])
    assert result.exit_code == 1 and "没有可读的访问日志" in result.output


def test_the_served_portal_counts_what_nginx_served(live_server, api, records):
    """The test portal behind its real nginx: a page seen and a file fetched
    are counted from nginx's own log (flushed every 2 s). The log outlives
    the test database: a name of its own keeps earlier runs' lines out."""
    name = f"hits-served-{uuid.uuid4().hex[:8]}"
    created = _dataset(api, name, "yearly", dict(PAGE))
    resource, package_id = created["resources"][0]["id"], created["id"]
    assert requests.get(f"{live_server}/open_dataset/{name}", timeout=30).ok
    requests.get(f"{live_server}/open_dataset/{name}/resource/{resource}/download/page.html",
                 timeout=30, allow_redirects=False)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        hits.count()
        if hits.totals(package_id)["downloads"]:
            break
        time.sleep(1)
    assert hits.totals(package_id) == {"views": 1, "downloads": 1, "resources": {resource: 1}}
