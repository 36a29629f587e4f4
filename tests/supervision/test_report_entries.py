"""What a body writes into its yearly report (table 二's decision counts and
fees, the text of sections 一, 五 and 六), the city's sums of them, and the
publication of the finished report as a policy document with its PDF and
DOCX, read back."""
from __future__ import annotations

import io
import re
import urllib.parse

import docx
import pytest

import ckan.model as model
from ckan.tests import factories

from ckanext.nanjing.requests.model import Request
from ckanext.nanjing.supervision import supervise

from ..requests.conftest import id_number
from ..documents import flat, pdf_text
from .test_report import _apply, _reply

pytestmark = pytest.mark.usefixtures("people")

ENTRY = {"licensing": 12, "penalty": "3", "enforcement": 0, "charges": "1.2345",
         "figures_source": "南京市政务服务管理办公室审批系统",
         "overview": "2025年，本机关坚持以公开为常态、不公开为例外。\n全年主动公开政府信息 120 条。",
         "problems": "政策解读形式较为单一，下一步将增加图解和视频解读。"}


def _update(call, user, organization="nanjing-fgw", year=2025, **data):
    return call("nanjing_annual_report_entry_update", user, organization=organization,
                year=year, **data)


def _decisions(report):
    return {row["key"]: row["value"] for row in report["table2"]["decisions"]}


def test_a_steward_writes_table_two_and_the_texts(call, people):
    answer = _update(call, people.steward, **ENTRY)
    assert answer["success"], answer
    report = answer["result"]
    assert _decisions(report) == {"licensing": 12, "penalty": 3, "enforcement": 0,
                                  "charges": "1.2345"}
    assert {row["source"] for row in report["table2"]["decisions"]} == {
        "南京市政务服务管理办公室审批系统"}
    assert report["texts"]["problems"] == ENTRY["problems"]
    assert report["unfilled"] == []
    # A field not given stays; an empty one is cleared.
    again = _update(call, people.steward, penalty=4, licensing="")["result"]
    assert _decisions(again) == {"licensing": None, "penalty": 4, "enforcement": 0,
                                 "charges": "1.2345"}
    assert again["texts"]["overview"] == ENTRY["overview"]
    assert again["unfilled"] == ["表二“行政许可”"]
    shown = call("nanjing_annual_report", people.steward, organization="nanjing-fgw",
                 year=2025)["result"]
    assert _decisions(shown)["penalty"] == 4 and shown["texts"] == again["texts"]


@pytest.mark.parametrize("data, field, message", [
    ({"licensing": -1}, "licensing", "“行政许可”应为不小于 0 的整数"),
    ({"penalty": "三"}, "penalty", "“行政处罚”应为不小于 0 的整数"),
    ({"enforcement": 1.5}, "enforcement", "“行政强制”应为不小于 0 的整数"),
    ({"licensing": True}, "licensing", "应为不小于 0 的整数"),
    ({"licensing": "9" * 5000}, "licensing", "应为不小于 0 的整数"),
    ({"licensing": 10**10}, "licensing", "超过 1000000000，请核实"),
    ({"charges": "1.23456"}, "charges", "以万元为单位，最多保留四位小数"),
    ({"charges": "-2"}, "charges", "应为不小于 0 的数字"),
    ({"charges": "NaN"}, "charges", "应为不小于 0 的数字"),
    ({"charges": "1e99"}, "charges", "请核实单位是否为万元"),
    ({"charges": "十万"}, "charges", "应为数字"),
    ({"problems": "问" * 20001}, "problems", "不能超过 20000 字（现有 20001 字）"),
    ({"problems": ["一", "二"]}, "problems", "应为文字"),
    ({"overview": "总体\x00情况"}, "overview", "含有无法保存的控制字符"),
    ({"other": f"联系人身份证 {id_number()}"}, "other", "含有未脱敏的个人信息（身份证号码）"),
    ({"figures_source": "系" * 101}, "figures_source", "不能超过 100 字"),
])
def test_bad_entries_are_refused_in_chinese_and_nothing_changes(call, people, data, field,
                                                                message):
    assert _update(call, people.steward, **ENTRY)["success"]
    # One good field beside the bad one: neither is saved.
    good = {"enforcement": 7} if "enforcement" not in data else {"penalty": 7}
    answer = _update(call, people.steward, **{**good, **data})
    assert answer["success"] is False
    assert any(message in text for text in answer["error"][field]), answer["error"]
    report = call("nanjing_annual_report", people.steward, organization="nanjing-fgw",
                  year=2025)["result"]
    assert _decisions(report) == {"licensing": 12, "penalty": 3, "enforcement": 0,
                                  "charges": "1.2345"}
    assert report["texts"]["overview"] == ENTRY["overview"]


def test_who_may_write_and_which_years(call, people):
    for user, organization in [(people.steward, "nanjing-czj"), (people.outsider, "nanjing-fgw"),
                               (None, "nanjing-fgw"), (people.steward, "city")]:
        answer = _update(call, user, organization=organization, licensing=1)
        assert answer["success"] is False, (user, organization)
        assert answer["error"]["__type"] == "Authorization Error"
    future = _update(call, people.steward, year=2099, licensing=1)
    assert "2099 年尚未到来" in future["error"]["year"][0]
    word = _update(call, people.steward, year="去年", licensing=1)
    assert "年度应为四位数年份" in word["error"]["year"][0]
    nothing = _update(call, people.steward)
    assert "没有要保存的内容" in nothing["error"]["organization"][0]
    # The city's table 二 is the bodies' sum: only its text is written.
    city = _update(call, people.reviewer, organization="city", licensing=1)
    assert "各机关填报数之和" in city["error"]["licensing"][0]
    assert _update(call, people.reviewer, organization="city", overview="全市总体情况。")["success"]


def test_the_city_sums_what_the_bodies_entered(call, people):
    assert _update(call, people.steward, licensing=12, penalty=3)["success"]
    assert _update(call, people.other_steward, organization="nanjing-czj", licensing=5,
                   charges="0.5")["success"]
    city = call("nanjing_annual_report", people.reviewer, organization="city",
                year=2025)["result"]
    assert _decisions(city) == {"licensing": 17, "penalty": 3, "enforcement": None,
                                "charges": "0.5000"}
    # Three bodies in the fixture (发改委, 财政局, 办公厅).
    assert city["table2"]["decisions"][0]["source"] == "各机关填报数之和（3 个机关中 2 个已填报）"
    assert city["table2"]["decisions"][2]["source"] == "各机关填报数之和（3 个机关中 0 个已填报）"


def _download(app, user, resource):
    path = urllib.parse.urlsplit(resource["url"]).path
    return app.get(path, headers={"Authorization": user["token"]}).data


def test_publishing_the_finished_report(app, api, call, people):
    request = _apply(api, "2025-03-03")
    _reply(api, request, "2025-03-20", "disclose")
    early = call("nanjing_annual_report_publish", people.steward, organization="nanjing-fgw",
                 year=2025)
    assert early["success"] is False
    assert "发布前请填写：表二“行政许可”" in early["error"]["unfilled"][0]
    assert "“一、总体情况”的文字" in early["error"]["unfilled"][0]
    this_year = call("nanjing_annual_report_publish", people.steward,
                     organization="nanjing-fgw", year=2026)
    assert "2026 年尚未结束" in this_year["error"]["year"][0]
    assert _update(call, people.steward, **ENTRY)["success"]

    published = call("nanjing_annual_report_publish", people.steward,
                     organization="nanjing-fgw", year=2025)
    assert published["success"], published
    publication = published["result"]
    # A department's report is due by 31 January (条例第五十条).
    assert publication["deadline"] == "2026-01-31"
    assert publication["status"] == "published_late"
    package = call("package_show", people.steward, id=publication["package"]["id"])["result"]
    assert package["type"] == "policy_document" and package["document_kind"] == "annual_report"
    assert package["title"] == "南京市发展和改革委员会2025年政府信息公开工作年度报告"
    assert package["organization"]["name"] == "nanjing-fgw" and package["private"] is False
    formats = {resource["format"]: resource for resource in package["resources"]}
    assert set(formats) == {"PDF", "DOCX"}
    pdf = flat(pdf_text(_download(app, people.steward, formats["PDF"])))
    assert flat(package["title"]) in pdf and "政策解读形式较为单一" in pdf
    assert "南京市政务服务管理办公室审批系统" in pdf
    word = docx.Document(io.BytesIO(_download(app, people.steward, formats["DOCX"])))
    decisions = [[cell.text for cell in row.cells] for row in word.tables[1].rows]
    assert decisions[1] == ["行政许可", "本年处理决定数量", "12"]
    assert decisions[4] == ["行政事业性收费", "本年收费金额（单位：万元）", "1.2345"]
    table3 = [[cell.text for cell in row.cells] for row in word.tables[2].rows]
    assert table3[3][0] == "一、本年新收政府信息公开申请数量" and table3[3][-1] == "1"
    # A report is not a policy: no interpretation is asked of it.
    page = app.get(f"/policy_document/{package['name']}",
                   headers={"Authorization": people.steward["token"]}).body
    assert "nanjing-missing-interpretation" not in page
    recent = _apply(api, "2026-11-02")          # supervision measures the last year's replies
    _reply(api, recent, "2026-11-20", "disclose")
    supervise.run(check_links=False)
    fgw = call("nanjing_supervision_summary", people.steward, organization="nanjing-fgw"
               )["result"]["detail"]
    assert fgw["indicators"]["interpretation"]["measured"] == 0
    # Per post: the steward published the report, the (sysadmin) handler replied on time.
    posts = {post["user"]["title"]: post for post in fgw["posts"]}
    assert posts["张办理"]["records"] == 1 and posts["张办理"]["replied"] == 0
    replier = next(post for post in fgw["posts"] if post["replied"])
    assert (replier["replied"], replier["on_time"], replier["on_time_ratio"]) == (1, 1, 1.0)

    # Publishing again replaces the files of the same record.
    assert _update(call, people.steward, problems="下一步将开通政策问答栏目。")["success"]
    again = call("nanjing_annual_report_publish", people.steward, organization="nanjing-fgw",
                 year=2025)["result"]
    assert again["package"]["id"] == publication["package"]["id"]
    package = call("package_show", people.steward, id=again["package"]["id"])["result"]
    assert len(package["resources"]) == 2
    pdf = next(r for r in package["resources"] if r["format"] == "PDF")
    assert "下一步将开通政策问答栏目" in flat(pdf_text(_download(app, people.steward, pdf)))


def test_a_report_whose_tables_do_not_balance_is_not_published(api, call, people):
    request = _apply(api, "2025-03-03")
    _reply(api, request, "2025-03-20", "disclose")
    record = model.Session.get(Request, request["id"])
    record.replied = record.replied.replace(year=2024)   # replied before it was received
    model.Session.commit()
    assert _update(call, people.steward, **ENTRY)["success"]
    refused = call("nanjing_annual_report_publish", people.steward, organization="nanjing-fgw",
                   year=2025)
    assert refused["success"] is False
    assert "表内核对未通过（一 + 二 = 三 + 四（每一列）" in refused["error"]["checks"][0]
    assert not model.Session.query(model.Package).filter(
        model.Package.type == "policy_document").count()


def test_governments_and_the_city_are_due_by_31_march(call, people):
    government = factories.Organization(name="nanjing-jianye", title="南京市建邺区人民政府")
    body = call("nanjing_annual_report", people.reviewer, organization=government["name"],
                year=2025)["result"]
    assert body["publication"]["deadline"] == "2026-03-31"
    assert body["publication"]["status"] == "overdue"
    assert _update(call, people.reviewer, organization="city", overview="全市总体情况。",
                   problems="全市存在的问题。")["success"]
    city = call("nanjing_annual_report_publish", people.reviewer, organization="city",
                year=2025)
    assert city["success"], city
    assert city["result"]["deadline"] == "2026-03-31"
    package = call("package_show", people.reviewer, id=city["result"]["package"]["id"])["result"]
    # The city's report is the openness office's record.
    assert package["organization"]["name"] == "nanjing-zfbgt"
    assert package["title"] == "南京市2025年政府信息公开工作年度报告"
