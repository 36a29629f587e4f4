"""Website health (国办秘函〔2019〕19号, what a machine can check), on
hand-made cases: a stale and a fresh column, an empty one, broken and good
links to the portal itself, policies and interpretations that do and do
not link both ways, service guides with and without their elements; the
link check telling a broken target from a checker without a network, and
metadata quality counting placeholders as missing. Shown per body on the
dashboard with the failing items, and exported."""
from __future__ import annotations

import csv
import datetime
import io

import pytest

import ckan.model as model

from ckanext.nanjing import codelists, localtime
from ckanext.nanjing.supervision import links, supervise
from ckanext.nanjing.supervision.model import LinkCheck

from .test_indicators import _dataset, _entry, _policy

pytestmark = pytest.mark.usefixtures("people")

TODAY = localtime.today()
PAGE = {"url": "https://www.nanjing.gov.cn/zwgk/", "format": "HTML", "name": "页面"}
GUIDE = {"legal_basis": "《中华人民共和国行政许可法》", "applicant_scope": "企业",
         "acceptance_conditions": "材料齐全", "materials": ["申请表"], "handling_agency": "政务服务中心",
         "process": "受理、审查、决定", "time_limit_legal": 20, "fee": "不收费",
         "complaint_phone": "025-12345"}


def _ago(days: int) -> str:
    return (TODAY - datetime.timedelta(days=days)).isoformat()


def _create(api, **data):
    answer = api("package_create", private=False, **data)
    assert answer["success"], answer
    return answer["result"]


@pytest.fixture
def site(api, clean_index):
    """发改委: a stale 政策文件 column, a fresh 开放数据 one, catalog entries;
    links to the portal itself; policy/interpretation pairs; two guides.
    财政局: nothing public (its 政务公开目录 is empty)."""
    _policy(api, "old-policy", issued_date=_ago(300),
            notes="见[数据](/open_dataset/fresh-data)、[不存在的页](/no/such/page)、[又一个](/en/nosuch)、"
                  "[未公开的数据](/open_dataset/hidden-data)和[目录](/gkml)。")
    _dataset(api, "fresh-data", "yearly", dict(PAGE), release_date=_ago(3))
    _dataset(api, "hidden-data", "yearly", dict(PAGE), private=True)
    _entry(api, "entry-1", ["fresh-data"], _ago(5))
    # Two ways of pointing: the interpretation names its policy, and the
    # policy names an interpretation that points elsewhere.
    _policy(api, "paired-policy", interpretation="paired-reading", issued_date=_ago(300))
    _create(api, type="policy_interpretation", name="paired-reading", title="解读 paired",
            owner_org="nanjing-fgw", policy="paired-policy", interpretation_type="text",
            notes="解读。")
    _policy(api, "misled-policy", interpretation="stray-reading", issued_date=_ago(300))
    _create(api, type="policy_interpretation", name="stray-reading", title="解读 stray",
            owner_org="nanjing-fgw", policy="paired-policy", interpretation_type="text",
            notes="解读。")
    _create(api, type="policy_interpretation", name="orphan-reading", title="解读 orphan",
            owner_org="nanjing-fgw", policy="no-such-policy", interpretation_type="text",
            notes="解读。")
    _create(api, type="service_item", name="full-guide", title="完整的办事指南",
            owner_org="nanjing-fgw", item_code="FW-001", **GUIDE)
    _create(api, type="service_item", name="thin-guide", title="缺要素的办事指南",
            owner_org="nanjing-fgw", item_code="FW-002",
            **{**GUIDE, "fee": "无", "materials": [], "complaint_phone": ""})
    supervise.run(check_links=False)


def _detail(api, organization="nanjing-fgw"):
    answer = api("nanjing_supervision_summary", organization=organization)
    assert answer["success"], answer
    return answer["result"]["detail"]["indicators"]


def _reasons(indicator) -> dict[str, str]:
    return {item.get("link") or item["name"]: item["reason"] for item in indicator["items"]}


def test_stale_and_empty_columns(api, site):
    ind = _detail(api)
    stale = _reasons(ind["column_freshness"])
    assert list(stale) == ["policies"]
    assert stale["policies"].startswith(f"最近一次发布于 {_ago(300)}，已 300 天未更新")
    assert "应在 183 天内更新" in stale["policies"]
    # 政策文件, 政策解读, 政务公开目录, 开放数据 and 办事服务 were checked; the
    # other columns are fresh.
    assert (ind["column_freshness"]["missed"], ind["column_freshness"]["measured"]) == (1, 5)
    assert ind["empty_columns"]["missed"] == 0
    empty = _detail(api, "nanjing-czj")["empty_columns"]
    assert (empty["missed"], empty["measured"]) == (1, 1)
    assert empty["items"][0]["title"] == "政务公开目录"


@pytest.mark.ckan_config("ckanext.nanjing.health.notice_days", "400")
def test_the_limits_come_from_config(api, site):
    assert _detail(api)["column_freshness"]["missed"] == 0


def test_links_to_the_portal_itself(api, site):
    broken = _reasons(_detail(api)["internal_links"])
    # /no/… is CKAN's redirect from a locale (Norwegian) to the rest of the path.
    assert broken == {"/no/such/page": "站内页面不存在（404）", "/en/nosuch": "站内页面不存在（404）",
                      "/open_dataset/hidden-data": "链接的记录不存在或未公开"}
    assert _detail(api)["internal_links"]["measured"] == 5


def test_policies_and_interpretations_link_both_ways(api, site):
    found = _reasons(_detail(api)["interpretation_links"])
    assert found == {"misled-policy": "关联的政策解读“解读 stray”没有指回本文件",
                     "orphan-reading": "所解读的政策文件“no-such-policy”不存在或未公开"}


def test_service_guides_have_every_element(api, site):
    guides = _detail(api)["service_guides"]
    assert (guides["missed"], guides["measured"]) == (1, 2)
    assert _reasons(guides) == {"thin-guide": "缺少申请材料、收费标准、咨询监督电话"}


def test_the_dashboard_shows_and_exports_the_checks(app, people, site):
    headers = {"Authorization": people.reviewer["token"]}
    page = app.get("/supervision", headers=headers).body
    assert "网站检查" in page and "栏目未按时更新" in page
    detail = app.get("/supervision", headers=headers,
                     query_string={"organization": "nanjing-fgw"}).body
    assert "未按时更新的栏目（1）" in detail and "要素不全的办事指南（1）" in detail
    exported = app.get("/supervision/export/health.csv", headers=headers).body.lstrip("\ufeff")
    rows = [row for row in csv.reader(io.StringIO(exported)) if row]
    header = next(row for row in rows if row[0] == "部门")
    fgw = dict(zip(header, next(row for row in rows if row[0] == "南京市发展和改革委员会")))
    assert fgw["栏目未按时更新"] == "1 / 5" and fgw["办事指南要素不全"] == "1 / 2"
    assert fgw["站内链接失效"] == "3 / 5"
    czj = dict(zip(header, next(row for row in rows if row[0] == "南京市财政局")))
    assert czj["空白栏目"] == "1 / 1" and czj["站内链接失效"] == "—"


def _checked(url: str, ok: bool, status: int | None, message: str) -> None:
    model.Session.add(LinkCheck(url=url, ok=ok, status_code=status, message=message,
                                elapsed_ms=1, checked=datetime.datetime.utcnow()))
    model.Session.commit()


def test_a_checker_without_network_breaks_nothing(api, clean_db, clean_index, people):
    """No server on the internet answered: the entry's page cannot be
    judged, so the entry is neither incomplete nor late, nor its link broken."""
    outside = "https://www.nanjing.gov.cn/zwgk/notice.html"
    _entry(api, "offline-entry", [outside], _ago(60))
    # Published 45 days ago, in time (20 working days from forming).
    model.Package.get("offline-entry").metadata_created = datetime.datetime.utcnow() \
        - datetime.timedelta(days=45)
    model.Session.commit()
    _checked(outside, False, None, "无法连接服务器")
    _checked("https://www.jiangsu.gov.cn/", False, None, "10 秒内没有响应")
    outcome = supervise.run(check_links=False)
    assert (outcome.links_broken, outcome.links_unknown) == (0, 2)
    ind = _detail(api)
    assert ind["completeness"]["missed"] == 0 and ind["proactive_timeliness"]["missed"] == 0
    assert ind["links"]["measured"] == 0
    page = api("nanjing_supervision_summary")["result"]["city"]["link_check"]
    assert page == {"offline": True, "unknown": 2, "broken": 0}


def test_with_a_network_an_unanswered_target_is_broken():
    rows = {"https://a.example.cn/": LinkCheck(url="https://a.example.cn/", ok=False,
                                               status_code=None, message="无法连接服务器"),
            "https://b.example.cn/": LinkCheck(url="https://b.example.cn/", ok=False,
                                               status_code=404, message="服务器返回 HTTP 404"),
            "https://c.example.cn/": LinkCheck(url="https://c.example.cn/", ok=True,
                                               status_code=200, message="可以访问")}
    found = links.verdicts(rows)
    assert found.offline is False
    assert found.by_url == {"https://a.example.cn/": False, "https://b.example.cn/": False,
                            "https://c.example.cn/": True}
    # Only a local server answered: the internet was out of reach.
    rows["https://c.example.cn/"] = LinkCheck(url="http://127.0.0.1:8800/", ok=True,
                                              status_code=200, message="可以访问")
    rows = {row.url: row for row in rows.values()}
    found = links.verdicts(rows)
    assert found.offline is False  # b answered 404: a verdict from the internet
    del rows["https://b.example.cn/"]
    found = links.verdicts(rows)
    assert found.offline is True and found.get("https://a.example.cn/") is None
    assert found.get("http://127.0.0.1:8800/") is True


def test_placeholders_count_as_missing_metadata(api, clean_db, clean_index, people):
    for value in ("无", " - ", "[]", "", None, "N/A"):
        assert codelists.is_filled(value) is False
    assert codelists.is_filled("320100-03-0001") and codelists.is_filled(0)
    _dataset(api, "placeholder-code", "yearly", dict(PAGE), resource_code="无")
    supervise.run(check_links=False)
    item = _detail(api)["quality"]["items"][0]
    assert item["name"] == "placeholder-code" and "有信息资源代码（可联系提供方）（-20）" in item["reason"]
