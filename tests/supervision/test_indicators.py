"""The supervision indicators and the per-department score, on a catalog of
records made through the Action API whose every figure was worked out by
hand: which entries are complete and on time, which dataset is stale, the
metadata points of each dataset, the requests answered on time, and the
score from the shipped weights. Links are checked against a real local web
server."""
from __future__ import annotations

import datetime

import pytest

from ckanext.nanjing import localtime, workdays
from ckanext.nanjing.supervision import supervise

from .test_report import _apply, _reply

pytestmark = pytest.mark.usefixtures("people")

TODAY = localtime.today()


def _entry(api, name, related, formed, deadline="自信息形成之日起20个工作日内", **extra):
    data = {"type": "gkml_item", "name": name, "title": f"事项 {name}", "owner_org": "nanjing-fgw",
            "area": "major-projects", "level1_item": "重大建设项目", "level2_item": "批准服务信息",
            "item_code": f"GK-{name}", "disclosure_content": "批准结果", "audience": "public",
            "disclosure_method": "proactive", "disclosure_level": "city",
            "disclosure_attribute": "proactive", "disclosure_deadline": deadline,
            "formed_date": formed, "related_content": related, "private": False, **extra}
    answer = api("package_create", **data)
    assert answer["success"], answer
    return answer["result"]


def _dataset(api, name, frequency, resource, **extra):
    data = {"type": "open_dataset", "name": name, "title": f"数据集 {name}", "notes": "说明。",
            "owner_org": "nanjing-fgw", "resource_code": "320100-03-0001", "area": "major-projects",
            "resource_format": "document", "share_type": "unconditional",
            "open_type": "unconditional", "update_frequency": frequency, "private": False,
            "resources": [resource], **extra}
    answer = api("package_create", **data)
    assert answer["success"], answer
    return answer["result"]


def _policy(api, name, **extra):
    data = {"type": "policy_document", "name": name, "title": f"政策 {name}",
            "owner_org": "nanjing-fgw", "document_kind": "normative", "issued_date": "2026-03-01",
            "notes": "正文。", "private": False, **extra}
    answer = api("package_create", **data)
    assert answer["success"], answer


@pytest.fixture
def catalog(api, link_server, clean_index):
    """发改委's records; 财政局 has none."""
    _dataset(api, "fresh", "monthly", {"url": f"{link_server}/ok", "format": "HTML", "name": "页面"},
             tag_string="重大项目", provider_credit_code="11320100014131079C",
             license_id="cc-by", release_date="2026-11-03")
    _dataset(api, "stale", "daily", {"url": f"{link_server}/missing", "format": "PDF",
                                     "name": "文件", "last_modified": "2026-01-01T00:00:00"})
    _entry(api, "e1-dataset", ["fresh"], "2026-10-20")          # complete, on time
    _entry(api, "e2-nothing", [], "2026-01-05")                 # missing, late
    _entry(api, "e3-stale", ["stale"], "2026-01-05")            # missing (stale), late
    _entry(api, "e4-page", [f"{link_server}/ok"], TODAY.isoformat(),
           deadline="自形成之日起7个工作日内")                    # complete, on time
    _entry(api, "e5-broken", [f"{link_server}/missing"], TODAY.isoformat())  # missing, not due
    _entry(api, "e6-request", [], "2026-01-05", disclosure_method="on-request",
           disclosure_attribute="on-request")                   # not proactive: not counted
    _entry(api, "e7-draft", [], "2026-01-05", private=True)     # not public: not counted
    _policy(api, "p1-read")
    _policy(api, "p2-unread")
    answer = api("package_create", type="policy_interpretation", name="p1-reading",
                 title="解读 p1", owner_org="nanjing-fgw", policy="p1-read",
                 interpretation_type="text", notes="解读。", private=False)
    assert answer["success"], answer
    on_time = _apply(api, "2026-11-02")
    _reply(api, on_time, "2026-11-10", "disclose")
    _apply(api, "2026-09-01")                                   # open and overdue
    late = _apply(api, "2026-10-08")
    _reply(api, late, "2026-11-30", "disclose")
    supervise.run()


def _figures(api, organization="nanjing-fgw"):
    answer = api("nanjing_supervision_summary", organization=organization)
    assert answer["success"], answer
    return answer["result"]


def test_every_indicator_of_a_body_as_worked_out_by_hand(api, catalog, link_server):
    detail = _figures(api)["detail"]
    ind = detail["indicators"]
    assert (ind["completeness"]["met"], ind["completeness"]["measured"]) == (2, 5)
    reasons = {item["name"]: item["reason"] for item in ind["completeness"]["items"]}
    assert reasons == {"e2-nothing": "未关联公开内容",
                       "e3-stale": "关联的数据集“数据集 stale”已超过更新周期未更新",
                       "e5-broken": f"网页无法访问：{link_server}/missing（服务器返回 HTTP 404）"}
    # e5's page was published with it, on time; its link broke since: that
    # makes it incomplete, not late as well.
    assert (ind["proactive_timeliness"]["met"], ind["proactive_timeliness"]["measured"]) == (3, 5)
    late = {item["name"] for item in ind["proactive_timeliness"]["items"]}
    assert late == {"e2-nothing", "e3-stale"}
    due = workdays.add_working_days(datetime.date(2026, 1, 5), 20)
    assert next(i for i in ind["proactive_timeliness"]["items"] if i["name"] == "e2-nothing"
                )["reason"] == f"2026-01-05 形成，应于 {due.isoformat()} 前公开（20 个工作日），至今未公开"
    assert (ind["dataset_timeliness"]["met"], ind["dataset_timeliness"]["measured"]) == (1, 2)
    assert [i["name"] for i in ind["dataset_timeliness"]["items"]] == ["stale"]
    assert (ind["request_timeliness"]["met"], ind["request_timeliness"]["measured"]) == (1, 3)
    assert {i["reason"][:3] for i in ind["request_timeliness"]["items"]} == {"已逾期", "202"}
    assert (ind["interpretation"]["met"], ind["interpretation"]["measured"]) == (1, 2)
    assert [i["name"] for i in ind["interpretation"]["items"]] == ["p2-unread"]
    # Metadata points: fresh 350 (no machine-readable format, no tabular file
    # passed the gate, no byte size), stale 160.
    assert (ind["quality"]["met"], ind["quality"]["measured"]) == (510, 810)
    points = {i["name"]: (i["points"], i["band"]) for i in ind["quality"]["items"]}
    assert points == {"fresh": (350, "良好"), "stale": (160, "合格")}
    assert ind["validation"]["ratio"] is None and ind["datastore"]["ratio"] is None
    # The entry and the dataset's file link to the same missing page, and
    # two records to the same good one: each address counts once.
    assert [i["link"] for i in ind["links"]["items"]] == [f"{link_server}/missing"]
    assert (ind["links"]["met"], ind["links"]["measured"]) == (1, 2)

    # Average working days from receipt to reply.
    days = [workdays.working_days_between(datetime.date(2026, 11, 2), datetime.date(2026, 11, 10)),
            workdays.working_days_between(datetime.date(2026, 10, 8), datetime.date(2026, 11, 30))]
    assert detail["reply_days"] == {"sum": sum(days), "count": 2,
                                    "average": round(sum(days) / 2, 1)}


def test_the_score_weighs_what_the_body_has(api, catalog):
    answer = _figures(api)
    detail = answer["detail"]
    # Validation and DataStore have nothing to measure: left out, the other
    # 90 points of weight scaled to 100.
    expected = (20 * 2 / 5 + 15 * 3 / 5 + 15 * 1 / 2 + 20 * 1 / 3 + 10 * 1 / 2 + 10 * 510 / 810) / 90 * 100
    assert detail["score"]["points"] == round(expected, 1)
    assert detail["score"]["left_out"] == ["datastore", "validation"]
    lost = {item["indicator"]: item["points"] for item in detail["score"]["lost"]}
    assert lost["request_timeliness"] == round(20 * 100 / 90 * (2 / 3), 2)
    assert detail["rank"] == 1
    bodies = {b["organization"]["name"]: b for b in answer["departments"]}
    assert bodies["nanjing-czj"]["score"]["points"] is None  # nothing to measure
    city = answer["city"]
    assert city["indicators"]["completeness"]["met"] == 2
    assert city["counts"]["gkml_item"] == 6 and city["counts"]["open_dataset"] == 2


def test_stewards_see_their_own_body_and_the_public_its_headline(call, api, catalog, people):
    own = call("nanjing_supervision_summary", people.steward)
    assert own["success"], own
    assert [b["organization"]["name"] for b in own["result"]["departments"]] == ["nanjing-fgw"]
    assert own["result"]["city"] is None
    assert own["result"]["detail"]["organization"]["name"] == "nanjing-fgw"
    refused = call("nanjing_supervision_summary", people.steward, organization="nanjing-czj")
    assert refused["success"] is False and refused["error"]["message"].endswith("只能查看本部门的监督考核数据")
    city = call("nanjing_supervision_summary", people.steward, organization="city")
    assert city["success"] is False
    anonymous = call("nanjing_supervision_summary")
    assert anonymous["success"] is False and "请先登录" in anonymous["error"]["message"]
    outsider = call("nanjing_supervision_summary", people.outsider)
    assert outsider["error"]["message"].endswith("只有公开办审核人员和各部门工作人员可以查看监督考核")

    public = call("nanjing_disclosure_overview")
    assert public["success"], public
    fgw = next(b for b in public["result"]["departments"]
               if b["organization"]["name"] == "nanjing-fgw")
    assert fgw["catalog_entries"] == 6 and fgw["proactive_entries"] == 5
    assert fgw["requests_received"] == 3 and fgw["requests_replied"] == 2
    assert fgw["requests_on_time"] == round(1 / 3, 4)
    text = str(public["result"])
    assert "items" not in text and "王小明" not in text and "score" not in text


def test_bad_parameters_are_refused_in_chinese(api, catalog):
    for month in ("2026-13", "garbage", "2026/11", ["2026-11"]):
        answer = api("nanjing_supervision_summary", month=month)
        assert answer["success"] is False
        assert answer["error"]["month"] == ["月份应写作 YYYY-MM，如 2026-11"]
    unknown = api("nanjing_supervision_summary", organization="no-such-body")
    assert unknown["success"] is False and "没有“no-such-body”" in unknown["error"]["message"]
    # A month nothing was computed for: empty, not an error.
    empty = api("nanjing_supervision_summary", month="2019-01")["result"]
    assert empty["departments"] == [] and empty["computed"] is None
    assert api("nanjing_disclosure_overview", month="x")["success"] is False
