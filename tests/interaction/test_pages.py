"""A message's public page (/interaction/<number>), and a public answer in
the change log: its Atom entry links to that page."""
from __future__ import annotations


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
