"""The yearly report through the Action API, counted from requests made and
answered through the Action API (dated back by a sysadmin, as when older
records are brought in). Table 三 of each body was worked out by hand."""
from __future__ import annotations

import json

import pytest

import ckan.model as model

from ckanext.nanjing.requests.model import Request

from .conftest import application

pytestmark = pytest.mark.usefixtures("people")

LEGAL_IDS = {"business": "91320100MA1MXXXX09", "research": "12320000466000393P"}


def _apply(api, received, category="natural", organization="nanjing-fgw", **extra):
    data = application(organization=organization, received=received, channel="letter")
    if category != "natural":
        data.update(applicant_type="legal", applicant_category=category,
                    id_type="credit_code", id_number=LEGAL_IDS[category], name="某单位")
    data.update(extra)
    answer = api("nanjing_request_create", **data)
    assert answer["success"], answer
    return answer["result"]


def _step(api, request, transition, day, **data):
    answer = api("nanjing_request_transition", id=request["id"], transition=transition,
                 day=day, **data)
    assert answer["success"], answer
    return answer["result"]


def _reply(api, request, day, result, **data):
    texts = {"text": "答复如下。", "reasons": "依据《政府信息公开条例》。",
             "where": "南京市人民政府门户网站"}
    return _step(api, request, "reply", day, result=result, **{**texts, **data})


@pytest.fixture
def records(api):
    """Requests to the 发改委 (and one to the 财政局) across 2025–2026."""
    r1 = _apply(api, "2025-12-22")                      # carried into 2026, disclosed 2026
    _reply(api, r1, "2026-01-12", "disclose")
    r2 = _apply(api, "2026-03-02", "business")          # new, withheld as a state secret
    _reply(api, r2, "2026-03-20", "withhold_state_secret")
    _apply(api, "2026-11-30", "research")               # new, still open: carried out
    r4 = _apply(api, "2026-05-06")                      # new, withdrawn: （六）3. 其他
    _step(api, r4, "withdraw", "2026-05-08", reason="已自行找到")
    r5 = _apply(api, "2026-06-01")                      # new, a fee paid, disclosed
    _step(api, r5, "charge_fee", "2026-06-02", method="per_page", pages=50)
    _step(api, r5, "fee_paid", "2026-06-05")
    _reply(api, r5, "2026-06-10", "disclose")
    r6 = _apply(api, "2025-03-03")                      # concluded in 2025: not in 2026
    _reply(api, r6, "2025-03-10", "unable_not_held")
    other = _apply(api, "2026-04-01", organization="nanjing-czj")
    _reply(api, other, "2026-04-08", "not_handled_repeat")
    for request, kind, outcome, filed, decided in [
            (r2, "reconsideration", "upheld", "2026-04-10", "2026-06-01"),
            (r1, "litigation_direct", "pending", "2026-02-01", None),
            (r6, "reconsideration", "corrected", "2025-05-01", "2025-07-01")]:
        answer = api("nanjing_request_appeal_record", id=request["id"], kind=kind,
                     outcome=outcome, filed=filed, decided=decided)
        assert answer["success"], answer
    return r1, r2


def _cells(report, row):
    found = next(r for r in report["table3"]["rows"] if r["key"] == row)
    cells = found["cells"]
    return tuple(cells[c["key"]] for c in report["table3"]["columns"])


#                 natural business research nonprofit legal_service other total
FGW_2026 = {
    "new":                   (2, 1, 1, 0, 0, 0, 4),
    "carried_in":            (1, 0, 0, 0, 0, 0, 1),
    "disclose":              (2, 0, 0, 0, 0, 0, 2),
    "withhold_state_secret": (0, 1, 0, 0, 0, 0, 1),
    "other_other":           (1, 0, 0, 0, 0, 0, 1),
    "not_handled_repeat":    (0, 0, 0, 0, 0, 0, 0),
    "concluded":             (3, 1, 0, 0, 0, 0, 4),
    "carried_out":           (0, 0, 1, 0, 0, 0, 1),
}


def test_a_bodys_report_counts_its_requests(api, records):
    answer = api("nanjing_annual_report", organization="nanjing-fgw", year=2026)
    assert answer["success"], answer
    report = answer["result"]
    assert report["organization"]["title"] == "南京市发展和改革委员会"
    for row, expected in FGW_2026.items():
        assert _cells(report, row) == expected, row
    assert report["checks_passed"] is True
    assert [c["key"] for c in report["checks"]] == ["balance", "results_total", "carried_over",
                                                  "documents"]
    table4 = report["table4"]["cells"]
    assert table4["reconsideration"] == {"upheld": 1, "corrected": 0, "other": 0,
                                         "pending": 0, "total": 1}
    assert table4["litigation_direct"]["pending"] == 1
    assert table4["litigation_after"]["total"] == 0
    # 50 pages: pages 31–50 at 10 元.
    assert report["fees"] == {"yuan": 200, "wan_yuan": "0.0200", "payments": 1,
                              "notices": 1, "notices_yuan": 200, "notices_wan_yuan": "0.0200"}
    labels = [row["label"] for row in report["table3"]["rows"]]
    assert labels[0] == "一、本年新收政府信息公开申请数量"
    assert "1．属于国家秘密" in labels and labels[-1] == "四、结转下年度继续办理"
    assert report["sections"][5]["title"] == "六、其他需要报告的事项"


def test_last_years_report_carries_into_this_years(api, records):
    last = api("nanjing_annual_report", organization="nanjing-fgw", year=2025)["result"]
    assert _cells(last, "new") == (2, 0, 0, 0, 0, 0, 2)
    assert _cells(last, "unable_not_held") == (1, 0, 0, 0, 0, 0, 1)
    assert _cells(last, "carried_out") == (1, 0, 0, 0, 0, 0, 1)
    assert last["table4"]["cells"]["reconsideration"]["corrected"] == 1
    assert last["complete"] is True and last["as_of"] == "2025-12-31"


def test_the_city_sums_every_body(api, records):
    report = api("nanjing_annual_report", organization="city", year=2026)["result"]
    assert report["organization"]["title"] == "南京市"
    assert _cells(report, "new") == (3, 1, 1, 0, 0, 0, 5)
    assert _cells(report, "not_handled_repeat") == (1, 0, 0, 0, 0, 0, 1)
    assert _cells(report, "concluded") == (4, 1, 0, 0, 0, 0, 5)
    assert report["checks_passed"] is True


def test_a_record_that_breaks_the_balance_is_shown(api, records):
    """A request replied to before it was received (a wrong date brought in
    from paper records) falls out of every row but 三: the check names it."""
    request = model.Session.query(Request).filter(
        Request.applicant_category == "business").one()
    request.replied = model.Session.query(Request).filter(
        Request.applicant_category == "business").one().received.replace(year=2025)
    model.Session.commit()
    report = api("nanjing_annual_report", organization="nanjing-fgw", year=2026)["result"]
    balance = next(c for c in report["checks"] if c["key"] == "balance")
    assert balance["passed"] is False and report["checks_passed"] is False
    assert any("“商业企业”列" in problem for problem in balance["problems"]), balance


def test_who_may_read_which_report(call, people, records):
    own = call("nanjing_annual_report", people.steward, organization="nanjing-fgw", year=2026)
    assert own["success"] is True
    for user, organization in [(people.steward, "nanjing-czj"), (people.steward, "city"),
                               (people.outsider, "nanjing-fgw"), (None, "nanjing-fgw"),
                               (people.steward, "no-such-body")]:
        answer = call("nanjing_annual_report", user, organization=organization, year=2026)
        assert answer["success"] is False, (user, organization)
        assert answer["error"]["__type"] == "Authorization Error"
    city = call("nanjing_annual_report", people.reviewer, organization="city", year=2026)
    assert city["success"] is True


@pytest.mark.parametrize("params, field, message", [
    ({"organization": "nanjing-fgw", "year": 2099}, "year", "尚未到来"),
    ({"organization": "nanjing-fgw", "year": 2001}, "year", "不早于 2008"),
    ({"organization": "nanjing-fgw", "year": "二〇二五"}, "year", "四位数年份"),
    ({"organization": "nanjing-fgw", "year": [2025]}, "year", "四位数年份"),
    ({"organization": ["nanjing-fgw"], "year": 2025}, "organization", "请指定机关"),
    ({}, "organization", "请指定机关"),
])
def test_bad_parameters_are_refused_in_chinese(api, params, field, message):
    answer = api("nanjing_annual_report", **params)
    assert answer["success"] is False
    assert message in json.dumps(answer["error"].get(field), ensure_ascii=False), answer


def test_an_unknown_body_is_not_found_for_a_reviewer(api):
    answer = api("nanjing_annual_report", organization="no-such-body", year=2025)
    assert answer["error"]["__type"] == "Not Found Error"
    assert "机关不存在" in answer["error"]["message"]
