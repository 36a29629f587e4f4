"""One set of public figures: the home page, 公开情况 (/openness and its
export), 依申请公开 (/requests), the 政务公开目录 and the API give the same
counts for the same things, today's counts even after the daily run, with
private records left out, overdue unanswered requests shown, and every body
listed (a district body that publishes data but received no request too)."""
from __future__ import annotations

import csv
import datetime
import html
import io
import re

import pytest

from ckanext.nanjing import localtime
from ckanext.nanjing.supervision import supervise

from ..requests.conftest import fresh_counters, people  # noqa: F401
from ..supervision.test_indicators import _dataset, _entry, _policy
from ..supervision.test_report import _apply, _reply

TODAY = localtime.today()
PAGE = {"url": "https://www.nanjing.gov.cn/zwgk/", "format": "HTML", "name": "页面"}


def _day(days_ago: int) -> str:
    return (TODAY - datetime.timedelta(days=days_ago)).isoformat()


@pytest.fixture
def published(api, people, clean_index):
    """发改委: 2 open datasets (and a private one), 3 entries (2 proactive),
    1 policy, 3 requests (answered, open within its deadline, overdue).
    玄武区财政局: 1 open dataset and no request. 财政局: nothing."""
    created = api("organization_create", name="xw-czj", title="南京市玄武区财政局")
    assert created["success"], created
    _dataset(api, "fgw-a", "yearly", dict(PAGE))
    _dataset(api, "fgw-hidden", "yearly", dict(PAGE), private=True)
    _entry(api, "fgw-e1", ["fgw-a"], _day(30))
    _entry(api, "fgw-e2", [], _day(30))
    _entry(api, "fgw-e3", [], _day(30), disclosure_method="on-request",
           disclosure_attribute="on-request")
    _policy(api, "fgw-p1")
    answered = _apply(api, _day(40))
    _reply(api, answered, _day(35), "disclose")
    _apply(api, _day(2))                 # open, within its 20 working days
    _apply(api, _day(70))                # open and overdue
    supervise.run(check_links=False)
    # Published after the daily run: every page counts it at once.
    _dataset(api, "fgw-b", "yearly", dict(PAGE))
    _dataset(api, "xw-a", "yearly", dict(PAGE), owner_org="xw-czj")
    received = sum(_day(days)[:4] == str(TODAY.year) for days in (40, 2, 70))
    return {"received": received}


def _cells(row: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]


def _table(body: str, table_id: str) -> dict[str, dict[str, str]]:
    """{first cell: {heading: cell}} of an HTML table."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', body, re.S).group(0)
    rows = [_cells(row) for row in re.findall(r"<tr[^>]*>.*?</tr>", table, re.S)]
    header = rows[0]
    return {row[0]: dict(zip(header, row)) for row in rows[1:]}


def _home(body: str) -> dict[str, int]:
    found = re.findall(r"<strong>(\d+)</strong>\s*([^<]+)</a>", body)
    return {label.strip(): int(number) for number, label in found}


def test_every_page_gives_the_same_figures(app, api, published):
    figures = api("nanjing_public_figures")["result"]
    totals = figures["totals"]
    assert totals["open_dataset"] == 3 and totals["gkml_item"] == 3
    assert totals["gkml_proactive"] == 2 and totals["policy_document"] == 1

    home = _home(app.get("/").body)
    assert home["个开放数据集"] == totals["open_dataset"]
    assert home["项政务公开事项"] == totals["gkml_item"]
    assert home["份政策文件"] == totals["policy_document"]
    assert home["项办事服务"] == totals["service_item"] == 0

    gkml = app.get("/gkml").body
    assert re.search(r'nanjing-gkml-count[^>]*>\s*(\d+)', gkml).group(1) == str(totals["gkml_item"])

    openness_page = app.get("/openness").body
    openness = _table(openness_page, "openness-table")
    city = openness["南京市"]
    assert int(city["开放数据集"]) == totals["open_dataset"]
    assert int(city["公开目录事项"]) == totals["gkml_item"]
    assert int(city["其中主动公开"]) == totals["gkml_proactive"]
    assert int(city["政策文件"]) == totals["policy_document"]
    assert re.search(r"<dt>开放数据集</dt><dd>(\d+)</dd>", openness_page).group(1) == "3"

    requests_page = _table(app.get("/requests").body, "requests-stats-table")
    fgw_requests, fgw = requests_page["南京市发展和改革委员会"], openness["南京市发展和改革委员会"]
    assert int(fgw_requests["收到申请"]) == int(fgw["收到申请（本年）"]) == published["received"]
    assert fgw_requests["已答复"] == fgw["已答复"] == "1"
    assert fgw_requests["逾期未答复"] == fgw["逾期未答复"] == "1"
    assert fgw_requests["按期答复率"] == f'{fgw["申请按期答复率（%）"]}%' == "50.0%"
    total = requests_page["合计"]
    assert total["收到申请"] == city["收到申请（本年）"]
    assert total["逾期未答复"] == city["逾期未答复"] == "1"
    assert re.search(r"<dt>逾期未答复</dt><dd>(\d+)</dd>", openness_page).group(1) == "1"

    # Every body is listed: one that publishes data but received no request,
    # and one that has nothing yet.
    district = openness["南京市玄武区财政局"]
    assert district["开放数据集"] == "1" and district["收到申请（本年）"] == "0"
    assert requests_page["南京市玄武区财政局"]["收到申请"] == "0"
    assert requests_page["南京市财政局"]["收到申请"] == "0"

    exported = app.get("/openness/export.csv").body.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(exported)))
    header = next(row for row in rows if row and row[0] == "部门")
    city_row = dict(zip(header, next(row for row in rows if row and row[0] == "南京市")))
    assert city_row["开放数据集"] == "3" and city_row["逾期未答复"] == "1"


def test_a_signed_in_steward_sees_the_same_public_counts(app, people, published):
    """Private records are never counted, whoever looks."""
    headers = {"Authorization": people.steward["token"]}
    home = _home(app.get("/", headers=headers).body)
    assert home["个开放数据集"] == 3
    openness = _table(app.get("/openness", headers=headers).body, "openness-table")
    assert openness["南京市发展和改革委员会"]["开放数据集"] == "2"


def test_only_the_latest_month_is_counted_live(api, published):
    latest = api("nanjing_disclosure_overview", month=TODAY.strftime("%Y-%m"))["result"]
    fgw = next(b for b in latest["departments"]
               if b["organization"]["name"] == "nanjing-fgw")
    assert latest["live"] is True and fgw["open_datasets"] == 2
    # A month without a daily run has nothing to show, not today's counts.
    past = api("nanjing_disclosure_overview", month="2019-01")["result"]
    assert past["departments"] == [] and past["live"] is False
