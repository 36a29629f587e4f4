"""互动交流 through the Action API: a visitor sends a message (answering the
anti-spam question), the office reviews it with personal data masked and
routes it, bodies pass it on and answer on the working-day clock, the
sender rates it (不满意 reopens it once), data requests collect votes and
end with a link to the data; and every bad input is refused in Chinese
with nothing changed. Mail goes to a real local SMTP server."""
from __future__ import annotations

import datetime

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.nanjing import localtime, workdays
from ckanext.nanjing.interaction.model import Item

from .conftest import solve


def _ok(answer):
    assert answer["success"], answer
    return answer["result"]


def _refused(answer, text, status_type=None):
    assert not answer["success"], answer
    assert text in str(answer["error"]), answer["error"]
    if status_type:
        assert answer["error"]["__type"] == status_type
    return answer["error"]


def _item(number) -> Item:
    model.Session.expire_all()
    return model.Session.query(Item).filter_by(number=number).one()


@pytest.fixture
def dataset(people):
    return factories.Dataset(owner_org=people.fgw["id"], title="南京市公交线路")


def test_a_message_is_reviewed_routed_passed_on_answered_rated_and_reviewed(
        call, send, people, inbox):
    sent = _ok(send(title="2路公交停运", email="wang@nanjing.example", name="王小明",
                    text="我住在鼓楼区中山路100号3栋，电话13912345678，身份证320102199003071234，"
                         "邮箱wang@nanjing.example。2路公交为何停运？"))
    number, code = sent["number"], sent["lookup_code"]
    assert number.startswith(f"HD{localtime.today().year}-") and len(code) == 11
    assert "13912345678" not in sent["text"] and "中山路**号" in sent["text"]
    assert "320***********1234" in sent["text"] and "w***@***" in sent["text"]
    receipt = inbox.to("wang@nanjing.example")[-1]
    assert number in receipt.get_content() and code in receipt.get_content()

    # Not public before 审看; the office sees the original and what was found.
    _refused(call("nanjing_interaction_show", id=number), "没有这条留言")
    seen = _ok(call("nanjing_interaction_show", people.office, id=number))
    assert "13912345678" in seen["original_text"]
    assert set(seen["personal_found"]) == {"address", "phone", "number", "email"}
    queue = _ok(call("nanjing_interaction_queue", people.office, state="submitted"))
    assert [row["number"] for row in queue["items"]] == [number]

    accepted = _ok(call("nanjing_interaction_moderate", people.office, id=number,
                        decision="accept", organization="nanjing-fgw",
                        public_text="鼓楼区中山路100号的居民问：2路公交为何停运？13912345678"))
    today = localtime.today()
    assert accepted["state"] == "assigned" and accepted["accepted_day"] == today.isoformat()
    assert accepted["due"] == workdays.deadline(today, 5).due.isoformat()   # 咨询: 5 working days
    assert "13912345678" not in accepted["text"] and "中山路**号" in accepted["text"]
    assert any(number in m.get_content() for m in inbox.to("fgw@nanjing.example"))

    # The other body may not answer; the assigned one passes it on with a reason.
    _refused(call("nanjing_interaction_answer", people.other_steward, id=number, text="答复"),
             "只有承办该留言的部门可以办理", "Authorization Error")
    _refused(call("nanjing_interaction_transfer", people.steward, id=number,
                  organization="no-such-body", reason="职责"), "没有这个部门")
    _ok(call("nanjing_interaction_transfer", people.steward, id=number,
             organization="nanjing-czj", reason="公交补贴属财政局职责"))
    _ok(call("nanjing_interaction_acknowledge", people.other_steward, id=number,
             note="已转市交通运输局核实"))
    assert _item(number).state == "assigned"        # an acknowledgement is not an answer
    _refused(call("nanjing_interaction_answer", people.steward, id=number, text="答复"),
             "只有承办该留言的部门可以办理")
    answered = _ok(call("nanjing_interaction_answer", people.other_steward, id=number,
                        text="2路公交因道路施工临时停运，预计12月底恢复。"))
    assert answered["state"] == "answered"
    assert any("预计12月底恢复" in m.get_content() for m in inbox.to("wang@nanjing.example"))

    public = _ok(call("nanjing_interaction_show", id=number))
    (reply,) = public["answers"]
    assert reply["day"] == today.isoformat() and reply["organization"]["title"] == "南京市财政局"
    assert public["accepted_day"] == today.isoformat() and "original_text" not in public
    hops = [step["label"] for step in public["steps"]]
    assert hops[:4] == ["审看通过，受理", "分办", "转办", "办理进展"]
    listed = _ok(call("nanjing_interaction_list", answered=True))
    assert [row["number"] for row in listed["items"]] == [number]

    # Only the sender rates, once; 不满意 reopens it for 复核 on a new clock.
    _refused(call("nanjing_interaction_rate", people.citizen, id=number, rating="satisfied"),
             "只有留言人本人可以评价")
    _refused(call("nanjing_interaction_rate", number=number, code="ABCDE-FGHJK",
                  rating="satisfied"), "编号或查询码不正确")
    rated = _ok(call("nanjing_interaction_rate", number=number, code=code.lower(),
                     rating="dissatisfied", note="停运原因没有说清"))
    assert rated["state"] == "reviewing" and rated["review"] and rated["rating"] == "dissatisfied"
    _refused(call("nanjing_interaction_rate", number=number, code=code, rating="satisfied"),
             "只能评价一次")
    _ok(call("nanjing_interaction_answer", people.other_steward, id=number,
             text="经复核：施工许可至12月28日，届时恢复运营。"))
    final = _ok(call("nanjing_interaction_show", number=number, code=code))
    assert [a["review"] for a in final["answers"]] == [False, True]
    assert final["state"] == "answered" and final["can_rate"] is False


def test_a_data_request_collects_votes_and_ends_with_a_link_to_the_data(
        call, send, people, dataset, inbox):
    sent = _ok(send(people.citizen, kind="data_request", title="公交线路数据",
                    text="希望开放全市公交线路及站点数据"))
    number = sent["number"]
    _ok(call("nanjing_interaction_moderate", people.office, id=number, decision="accept"))
    assert _ok(call("nanjing_interaction_show", id=number))["status_label"] == "已受理"
    voted = _ok(call("nanjing_interaction_vote", people.steward, id=number))
    assert voted["votes"] == 1
    _refused(call("nanjing_interaction_vote", people.steward, id=number), "您已经表示过需要")
    assert _ok(call("nanjing_interaction_vote", id=number))["votes"] == 2     # one per address
    _refused(call("nanjing_interaction_vote", id=number), "您已经表示过需要")
    duplicate = _ok(send(kind="data_request", title="公交站点", text="公交站点坐标"))["number"]
    _ok(call("nanjing_interaction_merge", people.office, id=duplicate, into=number))
    assert _item(number).votes == 3 and _item(duplicate).state == "merged"

    _ok(call("nanjing_interaction_assign", people.office, id=number, organization="nanjing-fgw"))
    assert _ok(call("nanjing_interaction_show", id=number))["status_label"] == "办理中"
    _ok(call("nanjing_interaction_extend", people.steward, id=number, reason="需要汇总各区数据"))
    extended = _item(number)
    assert extended.due == workdays.deadline(extended.clock_start, 15 + 15).due
    _refused(call("nanjing_interaction_extend", people.steward, id=number, reason="再延"),
             "已经延期过一次")
    _refused(call("nanjing_interaction_answer", people.steward, id=number, text="已开放",
                  outcome="opened"), "请填写已开放的数据集")
    _refused(call("nanjing_interaction_answer", people.steward, id=number, text="已开放",
                  outcome="corrected"), "办理结果应为")
    done = _ok(call("nanjing_interaction_answer", people.steward, id=number,
                    text="已开放公交线路数据。", outcome="opened", dataset=dataset["name"]))
    assert done["status_label"] == "已开放"
    assert done["answers"][0]["dataset"]["name"] == dataset["name"]
    assert any(number in m.get_content() for m in inbox.to("zhao@nanjing.example"))
    by_votes = _ok(call("nanjing_interaction_list", kind="data_request", sort="votes"))
    assert by_votes["items"][0]["number"] == number


def test_an_objection_is_marked_checked_and_settled(call, send, people, dataset):
    _refused(send(kind="objection", title="数据有误", text="站点数不对"), "数据异议须指明数据集")
    _refused(send(kind="objection", title="数据有误", text="站点数不对", dataset=dataset["name"]),
             "请写明有异议的行或列")
    number = _ok(send(kind="objection", title="站点数有误", text="2路的站点数应为32",
                      dataset=dataset["name"], target_detail="第3行“站点数”列"))["number"]
    _ok(call("nanjing_interaction_moderate", people.office, id=number, decision="accept",
             organization="nanjing-fgw"))
    checking = _ok(call("nanjing_interaction_show", id=number))
    assert checking["status_label"] == "核实中" and checking["dataset"]["name"] == dataset["name"]
    assert checking["due"] == workdays.deadline(localtime.today(), 5).due.isoformat()
    settled = _ok(call("nanjing_interaction_answer", people.steward, id=number,
                       text="经核实，站点数为32，已更正。", outcome="corrected"))
    assert settled["status_label"] == "已答复"
    assert settled["answers"][0]["outcome_label"] == "已更正"


def test_review_rejects_with_a_reason_and_points_elsewhere(call, send, people):
    number = _ok(send(title="申请公开合同", text="请公开某项目合同全文"))["number"]
    _refused(call("nanjing_interaction_moderate", people.office, id=number, decision="reject"),
             "请选择不予受理的理由")
    rejected = _ok(call("nanjing_interaction_moderate", people.office, id=number,
                        decision="reject", reason="disclosure_request"))
    assert "依申请公开" in rejected["reject_reason_label"]
    _refused(call("nanjing_interaction_moderate", people.office, id=number, decision="accept"),
             "不能再审看")
    _refused(call("nanjing_interaction_show", id=number), "没有这条留言")
    _refused(call("nanjing_interaction_moderate", people.steward, id=number, decision="accept"),
             "只有政务公开办", "Authorization Error")


@pytest.mark.parametrize("data, field, message", [
    ({"title": ""}, "title", "请填写标题"),
    ({"text": "   "}, "text", "请填写内容"),
    ({"text": "长" * 5001}, "text", "不能超过 5000 字"),
    ({"title": ["列表"]}, "title", "应为文本"),
    ({"kind": "rumour"}, "kind", "留言类型应为"),
    ({"kind": "correction"}, "target_url", "纠错须指明所指页面或数据集"),
    ({"target_url": "javascript:alert(1)"}, "target_url", "本站页面的地址"),
    ({"email": "不是邮箱"}, "email", "不是有效的电子邮箱地址"),
    ({"private_answer": True}, "email", "不公开答复时"),
    ({"dataset": "no-such-dataset"}, "dataset", "没有这个公开的数据集"),
    ({"text": "含空字符\x01"}, "text", "控制字符"),
])
def test_bad_messages_are_refused_in_chinese_and_nothing_is_kept(send, people, data, field,
                                                                  message):
    error = _refused(send(**data), message, "Validation Error")
    assert field in error
    assert model.Session.query(Item).count() == 0


def test_html_is_kept_as_text(call, send, people):
    sent = _ok(send(title="<script>alert(1)</script>", text="<b>粗体</b> & “引号”"))
    assert sent["title"] == "<script>alert(1)</script>"   # escaped where shown, never stripped


def test_the_anti_spam_question(call, people, monkeypatch):
    base = {"kind": "consult", "title": "咨询", "text": "内容"}
    question = _ok(call("nanjing_interaction_challenge"))
    assert "等于几" in question["question"]
    _refused(call("nanjing_interaction_create", **base), "验证题无效")
    _refused(call("nanjing_interaction_create", challenge_token=question["token"],
                  challenge_answer=solve(question["question"]), **base), "提交过快")
    monkeypatch.setitem(tk.config,
                        "ckanext.nanjing.interaction.challenge_min_seconds", 0)
    _refused(call("nanjing_interaction_create", challenge_token=question["token"],
                  challenge_answer="99", **base), "答案不正确")
    _refused(call("nanjing_interaction_create", challenge_token=question["token"],
                  challenge_answer=solve(question["question"]), website="http://spam", **base),
             "未通过校验")
    _ok(call("nanjing_interaction_create", challenge_token=question["token"],
             challenge_answer=solve(question["question"]), **base))
    _refused(call("nanjing_interaction_create", challenge_token=question["token"],
                  challenge_answer=solve(question["question"]), **base), "已经用过")
    assert model.Session.query(Item).count() == 1


def test_a_flood_from_one_address_or_one_contact_is_refused(send, people, monkeypatch):
    monkeypatch.setitem(tk.config,
                        "ckanext.nanjing.interaction.max_per_address_per_hour", 3)
    for _ in range(3):
        _ok(send())
    _refused(send(), "一小时内提交过多")
    assert model.Session.query(Item).count() == 3
    monkeypatch.setitem(tk.config,
                        "ckanext.nanjing.interaction.max_per_address_per_hour", 100)
    for _ in range(5):
        _ok(send(people.citizen, email="same@nanjing.example"))
    _refused(send(people.citizen, email="SAME@nanjing.example"), "同一联系方式今天提交过多")


def test_guessing_a_code_is_throttled(call, send, people):
    sent = _ok(send())
    for _ in range(5):
        _refused(call("nanjing_interaction_show", number=sent["number"], code="AAAAA-AAAAA"),
                 "编号或查询码不正确")
    _refused(call("nanjing_interaction_show", number=sent["number"], code=sent["lookup_code"]),
             "错误次数过多")


def test_the_queue_shows_near_and_overdue_items(call, send, people):
    numbers = [_ok(send(kind="correction", title=f"错字{i}", target_url="/gkml"))["number"]
               for i in range(2)]
    for number in numbers:
        _ok(call("nanjing_interaction_moderate", people.office, id=number, decision="accept",
                 organization="nanjing-fgw"))
    late = _item(numbers[0])
    late.due = localtime.today() - datetime.timedelta(days=10)
    model.Session.commit()
    queue = _ok(call("nanjing_interaction_queue", people.steward))
    assert queue["overdue"] == 1 and queue["count"] == 2
    overdue = _ok(call("nanjing_interaction_queue", people.steward, standing="overdue"))
    assert [row["number"] for row in overdue["items"]] == [numbers[0]]
    assert _ok(call("nanjing_interaction_queue", people.other_steward))["count"] == 0
    _refused(call("nanjing_interaction_queue", people.citizen), "只有部门的数据管理人员")
    _refused(call("nanjing_interaction_queue", people.steward, standing="soon"), "standing 应为")


def test_an_answer_to_be_published_may_not_carry_personal_data(call, send, people):
    number = _ok(send())["number"]
    _ok(call("nanjing_interaction_moderate", people.office, id=number, decision="accept",
             organization="nanjing-fgw"))
    _refused(call("nanjing_interaction_answer", people.steward, id=number,
                  text="请致电 13912345678 联系王先生"), "答复将公开，其中含有")
    assert _item(number).state == "assigned" and not _item(number).answers
