"""The Action API of requests for disclosure, through HTTP as a client uses it."""
from __future__ import annotations

import datetime
import json

import pytest

import ckan.model as model

from ckanext.nanjing import localtime, workdays
from ckanext.nanjing.requests.model import Request

from .conftest import application, id_number, wrong_check

pytestmark = pytest.mark.usefixtures("people")


def _count() -> int:
    return model.Session.query(Request).count()


def test_an_application_gets_a_number_a_code_and_a_deadline(applied):
    year = localtime.today().year
    assert applied["number"] == f"宁公开申〔{year}〕第1号"
    assert len(applied["lookup_code"]) == 11 and applied["lookup_code"][5] == "-"
    assert applied["state"] == "registered"
    today = localtime.today()
    assert applied["deadline"]["due"] == workdays.add_working_days(today, 20).isoformat()
    assert applied["applicant"]["id_number_masked"] == "3201**********" + id_number()[-4:]
    assert [letter["kind"] for letter in applied["letters"]] == ["receipt"]


def test_numbers_count_per_prefix_and_year(apply, people, api):
    api("organization_patch", id="nanjing-czj", extras=[{"key": "request_prefix",
                                                        "value": "宁财"}])
    year = localtime.today().year
    first = apply()["result"]["number"]
    second = apply(organization="nanjing-fgw")["result"]["number"]
    own = apply(organization="nanjing-czj")["result"]["number"]
    assert (first, second) == (f"宁公开申〔{year}〕第1号", f"宁公开申〔{year}〕第2号")
    assert own == f"宁财公开申〔{year}〕第1号"


def test_the_id_number_is_stored_encrypted_and_never_answered(applied, call, people):
    row = model.Session.query(Request).one()
    assert id_number() not in row.id_number_encrypted
    shown = call("nanjing_request_show", people.steward, id=applied["id"])["result"]
    assert id_number() not in json.dumps(shown, ensure_ascii=False)
    assert shown["applicant"]["name"] == "王小明"


@pytest.mark.parametrize("overrides, field, message", [
    ({"description": ""}, "description", "请填写所需信息的内容描述"),
    ({"name": " "}, "name", "请填写申请人姓名或名称"),
    ({"id_number": wrong_check(id_number())}, "id_number", "末位校验码不符"),
    ({"applicant_type": "legal", "applicant_category": "business", "id_type": "credit_code",
      "id_number": "91320100MA1XXXXX0A"}, "id_number", "统一社会信用代码有误"),
    ({"applicant_type": "legal", "id_type": "credit_code",
      "id_number": "11320100014131079C"}, "applicant_category", "请选择法人或其他组织的类别"),
    ({"organization": "no-such-body"}, "organization", "申请对象不存在"),
    ({"phone": "", "email": "", "address": " ", "provision": "paper", "delivery": "pickup"},
     "phone", "请至少填写一种联系方式：联系电话、电子邮箱或通信地址"),
    ({"email": "", "delivery": "email"}, "email", "请填写电子邮箱"),
    ({"delivery": "post", "address": ""}, "address", "请填写通讯地址"),
    ({"phone": "12345"}, "phone", "不是有效的手机号码"),
    ({"provision": "fax"}, "provision", "信息的提供方式应为"),
    ({"description": "查" * 5001}, "description", "不能超过 5000 字"),
    ({"name": "王\x00明"}, "name", "控制字符"),
])
def test_bad_applications_are_refused_in_chinese_and_nothing_is_stored(
        apply, overrides, field, message):
    answer = apply(**overrides)
    assert answer["success"] is False
    assert message in "".join(answer["error"][field]), answer["error"]
    assert _count() == 0


def test_a_legal_person_applies_with_its_credit_code(apply):
    answer = apply(applicant_type="legal", applicant_category="legal_service",
                   id_type="credit_code", id_number="11320100014131079C", name="某律师事务所")
    assert answer["success"], answer
    assert answer["result"]["applicant"]["category_label"] == "法律服务机构"


def test_html_in_text_fields_is_kept_as_text(apply, call, people):
    text = "<script>alert(1)</script><b>粗体</b>"
    result = apply(description=text, name="<img src=x onerror=alert(1)>")["result"]
    shown = call("nanjing_request_show", people.steward, id=result["id"])["result"]
    assert shown["description"] == text


def test_the_applicant_looks_up_with_number_and_code(applied, call):
    shown = call("nanjing_request_show", number=applied["number"],
                 code=applied["lookup_code"].lower().replace("-", " "))
    assert shown["success"], shown
    assert shown["result"]["role"] == "applicant"
    assert "note" not in shown["result"]["events"][0]


def test_a_wrong_code_and_an_unknown_number_look_the_same_and_are_slowed_down(applied, call):
    wrong = call("nanjing_request_show", number=applied["number"], code="AAAAA-AAAAA")
    unknown = call("nanjing_request_show", number="宁公开申〔2026〕第999号",
                   code=applied["lookup_code"])
    assert wrong["error"]["message"] == unknown["error"]["message"]
    assert "申请编号或查询码不正确" in wrong["error"]["message"]
    for _ in range(3):
        call("nanjing_request_show", number=applied["number"], code="AAAAA-AAAAA")
    refused = call("nanjing_request_show", number=applied["number"],
                   code=applied["lookup_code"])
    assert refused["success"] is False
    assert "错误次数过多" in refused["error"]["message"]


def test_nobody_else_sees_a_request(applied, call, people):
    for user in (None, people.outsider, people.other_steward):
        answer = call("nanjing_request_show", user, id=applied["id"])
        assert answer["success"] is False
        assert "王小明" not in json.dumps(answer, ensure_ascii=False)
    assert call("nanjing_request_list", people.other_steward)["result"]["count"] == 0
    assert call("nanjing_request_list", people.reviewer)["result"]["count"] == 1
    assert call("nanjing_request_list")["success"] is False
    search = call("package_search", q="王小明")["result"]
    assert search["count"] == 0


def test_the_public_sees_counts_only(applied, call):
    stats = {row["organization"]["name"]: row for row in call("nanjing_request_stats")["result"]}
    assert stats["nanjing-fgw"]["received"] == 1 and stats["nanjing-fgw"]["open"] == 1
    # Every body is listed, with zeros when nothing came in.
    assert stats["nanjing-czj"]["received"] == 0 and stats["nanjing-czj"]["on_time_ratio"] is None
    assert "王小明" not in json.dumps(stats, ensure_ascii=False)
    assert applied["description"] not in json.dumps(stats, ensure_ascii=False)


def _step(call, user, request, transition, **data):
    answer = call("nanjing_request_transition", user, id=request["id"],
                  transition=transition, **data)
    assert answer["success"], answer
    return answer["result"]


def test_a_request_through_every_state(applied, call, people, app):
    steward, reviewer = people.steward, people.reviewer
    r = _step(call, steward, applied, "request_correction", items="请写明具体项目名称")
    assert r["state"] == "awaiting_correction" and r["deadline"]["due"] is None
    r = call("nanjing_request_transition", number=applied["number"],
             code=applied["lookup_code"], transition="submit_correction",
             text="江北新区2026年度重大项目中的产业类项目")["result"]
    assert r["state"] == "registered"
    assert f"{localtime.today().isoformat()} 收到补正后重新起算" in r["deadline"]["explanation"]
    r = _step(call, steward, applied, "start_consultation", kind="third_party",
              party="南京某建设有限公司")
    assert r["state"] == "paused" and r["deadline"]["status"] == "paused"
    r = _step(call, steward, applied, "end_consultation", outcome="第三方同意公开")
    r = _step(call, steward, applied, "request_extension", days=15, reason="涉及项目较多")
    assert r["state"] == "extension_pending"
    refused = call("nanjing_request_transition", steward, id=applied["id"],
                   transition="approve_extension")
    assert refused["success"] is False and "不能执行" in refused["error"]["message"]
    r = _step(call, reviewer, applied, "approve_extension")
    assert r["extension_days"] == 15 and "延期 15 个工作日" in r["deadline"]["explanation"]
    r = _step(call, steward, applied, "reply", result="partial",
              text="现将可以公开的部分提供给您。", where="南京市发展和改革委员会网站")
    assert r["state"] == "replied" and r["result_label"] == "部分公开"
    r = _step(call, steward, applied, "deliver", channel="email", recipient="wang@example.com")
    r = _step(call, steward, applied, "archive")
    assert r["state"] == "archived" and r["deadline"]["on_time"] is True
    assert [e["transition"] for e in r["events"]] == [
        "create", "request_correction", "submit_correction", "start_consultation",
        "end_consultation", "request_extension", "approve_extension", "reply", "deliver",
        "archive"]
    assert [l["kind"] for l in r["letters"]] == [
        "receipt", "correction", "consultation", "extension", "reply"]
    assert r["events"][2]["actor"] == "申请人" and r["events"][1]["actor"] == "张办理"


def test_a_fee_pauses_the_clock_until_paid(applied, call, people):
    steward = people.steward
    r = _step(call, steward, applied, "charge_fee", method="per_page", pages=120)
    assert r["state"] == "paused" and r["pause_kind"] == "fee"
    fee = r["events"][-1]["data"]
    assert fee["amount"] == 70 * 10 + 20 * 20
    r = _step(call, steward, applied, "fee_paid")
    assert r["state"] == "registered" and r["deadline"]["due"]


@pytest.mark.parametrize("transition, data, message", [
    ("reply", {"result": "disclose", "text": ""}, "请填写答复内容"),
    ("reply", {"result": "disclose", "text": "见附件"}, "请上传提供的信息"),
    ("reply", {"result": "withhold_state_secret", "text": "不予公开"}, "请填写理由和依据"),
    ("reply", {"result": "nonsense", "text": "x"}, "请选择答复结果"),
    ("request_extension", {"days": 21, "reason": "多"}, "1 至 20"),
    ("start_consultation", {"kind": "third_party"}, "请填写第三方或协商机关名称"),
    ("charge_fee", {"method": "per_page", "pages": 30}, "不应收费"),
    ("deliver", {"channel": "email"}, "不能“送达”"),
    ("fly", {}, "没有这种办理步骤"),
])
def test_bad_steps_are_refused_and_change_nothing(applied, call, people, transition, data,
                                                  message):
    answer = call("nanjing_request_transition", people.steward, id=applied["id"],
                  transition=transition, **data)
    assert answer["success"] is False
    assert message in json.dumps(answer["error"], ensure_ascii=False), answer["error"]
    shown = call("nanjing_request_show", people.steward, id=applied["id"])["result"]
    assert shown["state"] == "registered" and len(shown["events"]) == 1


def test_a_second_extension_and_a_second_reply_are_refused(applied, call, people):
    steward, reviewer = people.steward, people.reviewer
    _step(call, steward, applied, "request_extension", days=20, reason="量大")
    _step(call, reviewer, applied, "approve_extension")
    again = call("nanjing_request_transition", steward, id=applied["id"],
                 transition="request_extension", days=5, reason="仍需时间")
    assert "延期答复只能一次" in json.dumps(again["error"], ensure_ascii=False)
    _step(call, steward, applied, "reply", result="unable_not_held", text="经检索，本机关未制作或获取该信息。",
          reasons="条例第三十六条第（四）项")
    twice = call("nanjing_request_transition", steward, id=applied["id"], transition="reply",
                 result="disclose", text="再答复", where="网站")
    assert "不能“答复”" in json.dumps(twice["error"], ensure_ascii=False)


def test_a_correction_after_seven_working_days_is_refused(call, people):
    received = workdays.add_working_days(localtime.today() - datetime.timedelta(days=30), 1)
    paper = call("nanjing_request_create", people.steward,
                 **application(received=received.isoformat(), channel="letter"))["result"]
    assert paper["received"] == received.isoformat() and paper["channel"] == "letter"
    late = call("nanjing_request_transition", people.steward, id=paper["id"],
                transition="request_correction", items="请写明文号")
    assert "不能再要求补正" in json.dumps(late["error"], ensure_ascii=False)


def test_a_deadline_past_the_known_calendars_is_provisional(call, people):
    cal = workdays.calendar()
    if cal.covers(2027):
        pytest.skip("the holiday file already has 2027")
    if localtime.today() < datetime.date(2026, 12, 1):
        pytest.skip("needs a date in December 2026 to be in the past")
    paper = call("nanjing_request_create", people.steward,
                 **application(received="2026-12-01", channel="in_person"))["result"]
    assert paper["deadline"]["due"] == "2026-12-29"
    assert paper["deadline"]["provisional"] is False
    _step(call, people.steward, paper, "request_extension", days=20, reason="涉及多个部门")
    extended = _step(call, people.reviewer, paper, "approve_extension")
    assert extended["deadline"]["due"].startswith("2027-")
    assert extended["deadline"]["provisional"] is True
    assert "暂定" in extended["deadline"]["explanation"] and "2027" in \
        extended["deadline"]["explanation"]


def test_the_applicant_withdraws_online(applied, call):
    answer = call("nanjing_request_transition", number=applied["number"],
                  code=applied["lookup_code"], transition="withdraw", reason="已自行找到")
    assert answer["result"]["state"] == "withdrawn"
    again = call("nanjing_request_transition", number=applied["number"],
                 code=applied["lookup_code"], transition="withdraw")
    assert again["success"] is False


def test_the_applicant_cannot_take_handlers_steps(applied, call):
    answer = call("nanjing_request_transition", number=applied["number"],
                  code=applied["lookup_code"], transition="reply", result="disclose",
                  text="自己答复", where="x")
    assert answer["success"] is False and "不能执行" in answer["error"]["message"]


def test_a_reply_provides_documents_and_refuses_programs(applied, app, people):
    headers = {"Authorization": people.steward["token"]}
    form = {"id": applied["id"], "transition": "reply", "result": "withhold_process",
            "text": "不予公开", "reasons": "属于过程性信息"}
    refused = app.post("/api/3/action/nanjing_request_transition", headers=headers,
                       data={**form, "result": "disclose",
                             "files": (__import__("io").BytesIO(b"MZ\x90\x00" + b"\x00" * 60),
                                       "答复.pdf")},
                       status=None).json
    assert refused["success"] is False
    assert "Windows 可执行程序" in json.dumps(refused["error"], ensure_ascii=False)
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    answer = app.post("/api/3/action/nanjing_request_transition", headers=headers,
                      data={**form, "result": "disclose",
                            "files": (__import__("io").BytesIO(pdf), "项目清单.pdf"),
                            "files_2": (__import__("io").BytesIO("项目,投资\n甲,1\n".encode()),
                                        "投资.csv")},
                      status=None).json
    assert answer["success"], answer
    assert [f["name"] for f in answer["result"]["files"]] == ["项目清单.pdf", "投资.csv"]


def test_a_reply_is_published_proactively_as_a_draft(applied, call, people):
    _step(call, people.steward, applied, "reply", result="disclose",
          text="现提供2026年度重大项目清单。", where="附件")
    made = call("nanjing_request_publish", people.steward, id=applied["id"],
                area="major-projects")
    assert made["success"], made
    package = call("package_show", people.steward, id=made["result"]["package_id"])["result"]
    assert package["type"] == "gkml_item" and package["private"] is True
    assert package["organization"]["name"] == "nanjing-fgw"
    assert call("package_show", id=package["id"])["success"] is False
    assert "王小明" not in json.dumps(package, ensure_ascii=False)


def test_a_draft_with_personal_data_is_refused(apply, call, people):
    asked = apply(description="请提供王小明（13912345678）名下的补贴发放记录")["result"]
    _step(call, people.steward, asked, "reply", result="disclose", text="见附件", where="附件")
    refused = call("nanjing_request_publish", people.steward, id=asked["id"],
                   area="major-projects")
    assert "含有个人信息" in json.dumps(refused["error"], ensure_ascii=False)
    made = call("nanjing_request_publish", people.steward, id=asked["id"], area="major-projects",
                disclosure_content="2026年度惠民补贴发放的汇总情况")
    assert made["success"], made


def test_appeals_are_recorded_for_the_annual_report(applied, call, people):
    _step(call, people.steward, applied, "reply", result="withhold_process",
          text="不予公开", reasons="属于过程性信息（条例第十六条）")
    missing = call("nanjing_request_appeal_record", people.steward, id=applied["id"],
                   kind="reconsideration", outcome="upheld", filed="2026-11-01")
    assert "请填写审结日期" in json.dumps(missing["error"], ensure_ascii=False)
    made = call("nanjing_request_appeal_record", people.steward, id=applied["id"],
                kind="reconsideration", outcome="pending", filed="2026-11-01")["result"]
    updated = call("nanjing_request_appeal_record", people.steward, id=applied["id"],
                   appeal_id=made["id"], kind="reconsideration", outcome="corrected",
                   filed="2026-11-01", decided="2026-11-20")["result"]
    assert updated["outcome_label"] == "结果纠正"
    shown = call("nanjing_request_show", people.steward, id=applied["id"])["result"]
    assert len(shown["appeals"]) == 1
    assert call("nanjing_request_appeal_record", people.outsider, id=applied["id"],
                kind="reconsideration", outcome="pending",
                filed="2026-11-01")["success"] is False


@pytest.mark.ckan_config("ckanext.nanjing.requests.max_per_applicant_per_day", 2)
def test_one_applicant_cannot_flood_a_body(apply):
    assert apply()["success"] and apply()["success"]
    third = apply(phone="13800000000")
    assert third["success"] is False and "24 小时内最多提交 2 件" in json.dumps(
        third["error"], ensure_ascii=False)
    assert _count() == 2


@pytest.mark.ckan_config("ckanext.nanjing.requests.max_per_address_per_hour", 2)
def test_one_address_cannot_flood_the_form(apply):
    assert apply()["success"]
    assert apply(id_number=id_number("32010219850101123"))["success"]
    third = apply(id_number=id_number("32010219750101123"))
    assert third["success"] is False and "每小时最多提交 2 件" in json.dumps(
        third["error"], ensure_ascii=False)


GARBAGE = [
    {},
    {"id": ["a", "b"], "number": {"x": 1}, "code": 12345},
    {"id": "x" * 100000, "transition": "reply", "text": "长" * 100000},
    {"organization": {"$ne": None}, "name": ["<script>"], "id_number": 3.5,
     "undertaking": "maybe", "received": "2026-13-45", "limit": "-1", "offset": "abc"},
    {"letter_id": None, "file_id": [], "format": "exe", "year": "二〇二六", "kind": ["near"],
     "request_id": {"a": 1}},
    {"applicant_type": [], "id_type": {"a": 1}, "provision": ["paper"], "transition": ["reply"],
     "channel": [], "outcome": {}, "state": ["registered"]},
]
ACTIONS = ["nanjing_request_create", "nanjing_request_show", "nanjing_request_list",
           "nanjing_request_transition", "nanjing_request_letter_show",
           "nanjing_request_file_show", "nanjing_request_results", "nanjing_request_stats",
           "nanjing_request_publish", "nanjing_request_appeal_record", "nanjing_request_notices"]


@pytest.mark.parametrize("action", ACTIONS)
def test_garbage_never_makes_a_server_error(applied, app, people, action):
    for user in (None, people.steward):
        for payload in GARBAGE:
            headers = {"Authorization": user["token"]} if user else {}
            response = app.post(f"/api/3/action/{action}", json=payload, headers=headers,
                                status=None)
            assert response.status_code < 500, (action, payload, response.body[:500])
            body = response.json
            if not body["success"]:
                message = json.dumps(body["error"], ensure_ascii=False)
                assert any("\u4e00" <= ch <= "\u9fff" for ch in message), (action, message)
    assert _count() == 1


def test_the_applicant_account_lists_its_own_requests(apply, call, people):
    mine = apply(user=people.outsider)["result"]
    apply()
    listed = call("nanjing_request_list", people.outsider, mine=True)["result"]
    assert [row["number"] for row in listed["results"]] == [mine["number"]]
    shown = call("nanjing_request_show", people.outsider, id=mine["id"])["result"]
    assert shown["role"] == "applicant"


def test_no_activity_or_dashboard_shows_the_applicant(applied, call, people):
    activities = call("organization_activity_list", people.steward, id="nanjing-fgw")
    assert "王小明" not in json.dumps(activities, ensure_ascii=False)
    dashboard = call("dashboard_activity_list", people.steward)
    assert "王小明" not in json.dumps(dashboard, ensure_ascii=False)


def test_the_applicant_sees_nothing_addressed_to_a_third_party(applied, call, people):
    r = _step(call, people.steward, applied, "start_consultation", kind="third_party",
              party="南京某建设有限公司", note="内部：对方联系人赵某")
    consultation = [l for l in r["letters"] if l["kind"] == "consultation"][0]
    shown = call("nanjing_request_show", number=applied["number"],
                 code=applied["lookup_code"])["result"]
    text = json.dumps(shown, ensure_ascii=False)
    assert "南京某建设有限公司" not in text and "赵某" not in text
    assert [l["kind"] for l in shown["letters"]] == ["receipt"]
    letter = call("nanjing_request_letter_show", number=applied["number"],
                  code=applied["lookup_code"], letter_id=consultation["id"], format="html")
    assert letter["success"] is False
    handler_copy = call("nanjing_request_letter_show", people.steward, id=applied["id"],
                        letter_id=consultation["id"], format="html")["result"]
    html = __import__("base64").b64decode(handler_copy["content_base64"]).decode()
    assert "南京某建设有限公司" in html and "赵某" not in html  # the note stays internal


def test_a_handler_cannot_date_the_bodys_own_steps_back(applied, call, people):
    yesterday = (localtime.today() - datetime.timedelta(days=1)).isoformat()
    refused = call("nanjing_request_transition", people.steward, id=applied["id"],
                   transition="reply", result="disclose", text="见附件", where="网站",
                   day=yesterday)
    assert "不能补填日期" in json.dumps(refused["error"], ensure_ascii=False)


def test_no_extension_once_the_deadline_has_passed(call, people):
    received = (localtime.today() - datetime.timedelta(days=60)).isoformat()
    late = call("nanjing_request_create", people.steward,
                **application(received=received, channel="letter"))["result"]
    refused = call("nanjing_request_transition", people.steward, id=late["id"],
                   transition="request_extension", days=10, reason="事项复杂")
    assert "已过，不能再申请延期" in json.dumps(refused["error"], ensure_ascii=False)


def test_the_per_request_fee_counts_the_applicants_requests_in_the_month(call, people):
    received = localtime.today().replace(day=1).isoformat()
    made = [call("nanjing_request_create", people.steward,
                 **application(received=received, channel="letter"))["result"]
            for _ in range(11)]
    free = call("nanjing_request_transition", people.steward, id=made[9]["id"],
                transition="charge_fee", method="per_request")
    assert "不应收费" in json.dumps(free["error"], ensure_ascii=False)
    charged = _step(call, people.steward, made[10], "charge_fee", method="per_request")
    assert charged["events"][-1]["data"]["amount"] == 100


def test_an_unpaid_fee_closes_the_request_and_its_pause(applied, call, people, api):
    _step(call, people.steward, applied, "charge_fee", method="per_page", pages=40)
    refused = call("nanjing_request_transition", people.steward, id=applied["id"],
                   transition="fee_expired")
    assert "缴费期限" in json.dumps(refused["error"], ensure_ascii=False)
    row = model.Session.query(Request).one()
    # As if received and charged 45 days ago: the payment period has passed.
    row.received = localtime.today() - datetime.timedelta(days=45)
    for event in row.events:
        event.day = row.received
    model.Session.commit()
    closed = api("nanjing_request_transition", id=applied["id"], transition="fee_expired")
    assert closed["success"], closed
    result = closed["result"]
    assert result["result"] == "other_unpaid" and result["deadline"]["on_time"] is True
    assert [l["kind"] for l in result["letters"]][-1] == "reply"


def test_the_person_who_asked_for_an_extension_cannot_approve_it(applied, call, people, api):
    api("member_create", id="nanjing-zfbgt", object=people.steward["name"],
        object_type="user", capacity="editor")
    _step(call, people.steward, applied, "request_extension", days=10, reason="量大")
    refused = call("nanjing_request_transition", people.steward, id=applied["id"],
                   transition="approve_extension")
    assert refused["success"] is False and "不能自己批准" in refused["error"]["message"]
    assert _step(call, people.reviewer, applied, "approve_extension")["extension_days"] == 10
