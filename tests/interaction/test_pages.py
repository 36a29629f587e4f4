"""A message's public page (/interaction/<number>), and a public answer in
the change log: its Atom entry links to that page."""
from __future__ import annotations

import re

import ckan.model as model
from ckan.tests import factories

from ckanext.nanjing.interaction.model import Item

from .conftest import solve


def _ok(answer):
    assert answer["success"], answer
    return answer["result"]


def test_the_public_page_of_an_answered_message_and_its_feed_entry(app, call, send, people):
    sent = _ok(send(title="<script>alert('x')</script>公交", text="<b>站牌</b>缺失，电话13912345678"))
    number = sent["number"]
    assert app.get(f"/interaction/{number}", status=404)        # not before 审看
    _ok(call("nanjing_interaction_moderate", people.office, id=number, decision="accept",
             organization="nanjing-fgw"))
    _ok(call("nanjing_interaction_answer", people.steward, id=number,
             text="已补设站牌。<i>谢谢</i>"))
    page = app.get(f"/interaction/{number.lower()}").body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;公交" in page
    assert "<script>alert('x')" not in page and "&lt;i&gt;谢谢&lt;/i&gt;" in page
    assert "13912345678" not in page
    for label in ("受理日期", "答复部门", "答复日期", "答复内容", "南京市发展和改革委员会"):
        assert label in page

    changes = _ok(call("nanjing_changes", type="interaction"))["changes"]
    assert [(c["name"], c["change"]) for c in changes] == [(number, "answer_published")]
    atom = app.get("/feeds/changes.atom?type=interaction").body
    assert f"/interaction/{number}" in atom and "互动答复发布" in atom
    assert app.get("/interaction/HD1999-00001", status=404)


CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
TOKEN = re.compile(r'name="challenge_token" value="([^"]+)"')
QUESTION = re.compile(r"验证题：(\S+?等于几)")


def _token(body):
    return CSRF.search(body).group(1)


def test_a_visitor_sends_a_correction_on_the_form_and_follows_it(app, call, people, quick):
    form = app.get("/interaction/new?kind=correction&target_url=/gkml").body
    assert 'value="/gkml"' in form and 'id="kind-correction" name="kind" value="correction" checked' in form
    fields = {"_csrf_token": _token(form), "kind": "correction", "title": "错别字",
              "text": "“公开”写成了“公升”", "target_url": "/gkml",
              "challenge_token": TOKEN.search(form).group(1)}
    wrong = app.post("/interaction/new", data=dict(fields, challenge_answer="99"), status=400)
    assert "验证题答案不正确" in wrong.body and "“公开”写成了“公升”" in wrong.body
    assert model.Session.query(Item).count() == 0
    sent = app.post("/interaction/new", data=dict(
        fields, challenge_answer=solve(QUESTION.search(form).group(1))))
    assert "no-store" in sent.headers["Cache-Control"]
    number = re.search(r'class="nanjing-number">([^<]+)<', sent.body).group(1)
    code = re.search(r'class="nanjing-code user-select-all">([^<]+)<', sent.body).group(1)

    lookup = app.get("/interaction/lookup").body
    refused = app.post("/interaction/lookup", status=403, data={
        "_csrf_token": _token(lookup), "number": number, "code": "AAAAA-AAAAA"})
    assert "编号或查询码不正确" in refused.body
    followed = app.post("/interaction/lookup", data={
        "_csrf_token": _token(lookup), "number": number, "code": code})
    assert "“公开”写成了“公升”" in followed.body and "待审看" in followed.body
    assert "nanjing-rate-form" not in followed.body


def test_the_office_and_the_body_act_on_the_message_page(app, call, send, people):
    number = _ok(send(kind="data_request", title="公交数据", text="请开放公交站点，电话13912345678"))["number"]
    office = {"Authorization": people.office["token"]}
    page = app.get(f"/interaction/{number}", headers=office).body
    assert "nanjing-step-moderate" in page and "13912345678" in page      # the original, for staff
    assert "检测到并已在公开版本中打码" in page
    moved = app.post(f"/interaction/{number}", headers=office, data={
        "_csrf_token": _token(page), "step": "moderate", "decision": "accept",
        "organization": "nanjing-fgw", "public_title": "公交数据",
        "public_text": "请开放公交站点"}, follow_redirects=True)
    assert "已审看" in moved.body
    assert app.post(f"/interaction/{number}", headers=office, status=400, data={
        "_csrf_token": _token(page), "step": "format"}).status_code == 400

    steward = {"Authorization": people.steward["token"]}
    other = {"Authorization": people.other_steward["token"]}
    page = app.get(f"/interaction/{number}", headers=steward).body
    assert "nanjing-step-answer" in page
    app.post(f"/interaction/{number}", headers=other, status=403, data={
        "_csrf_token": _token(page), "step": "answer", "text": "答复", "outcome": "not_now"})
    missing = app.post(f"/interaction/{number}", headers=steward, status=400, data={
        "_csrf_token": _token(page), "step": "answer", "text": "", "outcome": "not_now"})
    assert "请填写答复内容" in missing.body
    done = app.post(f"/interaction/{number}", headers=steward, follow_redirects=True, data={
        "_csrf_token": _token(page), "step": "answer", "text": "暂不具备开放条件。",
        "outcome": "not_now"})
    assert "已答复" in done.body and "暂不开放" in done.body

    listed = app.get("/interaction?kind=data_request").body
    assert number in listed and "暂不具备开放条件" in listed and "答复部门" in listed
    token = _token(app.get(f"/interaction/{number}").body)
    voted = app.post(f"/interaction/{number}/vote", data={"_csrf_token": token},
                     follow_redirects=True)
    assert "共 1 人需要这项数据" in voted.body
    again = app.post(f"/interaction/{number}/vote", data={"_csrf_token": token},
                     follow_redirects=True)
    assert "您已经表示过需要" in again.body

    queue = app.get("/interaction/queue", headers=steward).body
    assert "没有待办的留言" in queue
    assert app.get("/interaction/queue", headers={"Authorization": people.citizen["token"]},
                   status=403)


def test_a_dataset_page_offers_an_objection_and_shows_the_mark(app, call, send, people):
    dataset = factories.Dataset(owner_org=people.fgw["id"], title="公交站点")
    page = app.get(f"/dataset/{dataset['name']}").body
    assert f"kind=objection&amp;dataset={dataset['name']}" in page
    assert "nanjing-objection-mark" not in page
    number = _ok(send(kind="objection", title="坐标有误", text="站点坐标偏移",
                      dataset=dataset["name"], target_detail="第2行")) ["number"]
    _ok(call("nanjing_interaction_moderate", people.office, id=number, decision="accept"))
    assert "1 条数据异议正在核实" in app.get(f"/dataset/{dataset['name']}").body
    footer = app.get("/interaction").body
    assert 'kind=correction&amp;target_url=/interaction"' in footer
