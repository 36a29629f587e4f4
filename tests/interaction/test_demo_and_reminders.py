"""The demo messages (`ckan nanjing-interaction demo`): several dozen in
every state across ten bodies, loaded once; and the daily reminders to the
bodies of messages 临期 and 超期, mailed once per due date to a real SMTP
server."""
from __future__ import annotations

import datetime

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.nanjing import localtime, workdays
from ckanext.nanjing.interaction import demo, reminders
from ckanext.nanjing.interaction.model import Item

from ..feeds.test_change_log import _dataset


def test_the_demo_has_every_state_across_bodies_and_loads_once(app, api, monkeypatch):
    factories.Organization(name="feeds-org", title="南京市财政局（数据）")
    for name in demo.ORGANIZATIONS:
        factories.Organization(name=name, title=f"演示部门 {name}")
    admin = factories.Sysadmin()
    monkeypatch.setitem(tk.config, "ckanext.nanjing.demo_user", admin["name"])
    for n in range(3):
        _dataset(api, f"demo-data-{n}")
    with app.flask_app.test_request_context():
        counts = demo.load(echo=lambda line: None)
        assert demo.load(echo=lambda line: None) == {}          # once
    assert set(counts) == {"submitted", "rejected", "merged", "accepted", "assigned",
                           "reviewing", "answered"}
    assert sum(counts.values()) >= 48
    items = model.Session.query(Item).all()
    assert len({item.organization_id for item in items if item.organization_id}) >= 5
    today = localtime.today()
    overdue = [i for i in items if i.state == "assigned" and i.due < today]
    assert overdue and all(i.received_day < today for i in overdue)
    for item in items:
        for reply in item.answers:
            assert reply.working_days == workdays.working_days_between(item.clock_start,
                                                                       reply.day)
    listed = app.get("/interaction").body
    assert "已答复" in listed and "受理日期" in listed


def test_reminders_go_once_per_due_date(call, people, inbox):
    numbers = [call("nanjing_interaction_create", people.citizen, kind="consult",
                    title=f"咨询{i}", text="内容")["result"]["number"] for i in range(3)]
    for number in numbers:
        assert call("nanjing_interaction_moderate", people.office, id=number,
                    decision="accept", organization="nanjing-fgw")["success"]
    today = localtime.today()
    late, near, fine = (model.Session.query(Item).filter_by(number=n).one() for n in numbers)
    late.due = workdays.deadline(today - datetime.timedelta(days=30), 3).due
    near.due = workdays.add_working_days(today, 1)
    fine.due = workdays.add_working_days(today, 4)
    model.Session.commit()
    assert reminders.remind() == (2, 2)
    subjects = sorted(m["Subject"] for m in inbox.to("fgw@nanjing.example")
                      if "期" in m["Subject"])
    assert any(s.startswith("超期") for s in subjects) and any(s.startswith("临期")
                                                             for s in subjects)
    assert reminders.remind() == (0, 0)                            # not twice
    public = call("nanjing_interaction_show", id=numbers[0])["result"]
    assert "提醒承办部门" not in [step["label"] for step in public["steps"]]
