"""互动交流 on the supervision dashboard: per body and month, received,
answered, the reply and on-time rates, the average working days and
satisfaction; a body with fewer answers than the minimum sample is not
ranked. The table on the page is the one exported as CSV."""
from __future__ import annotations

import csv
import datetime
import io

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.nanjing import localtime
from ckanext.nanjing.interaction import api
from ckanext.nanjing.supervision import supervise


def _ok(answer):
    assert answer["success"], answer
    return answer["result"]


def _answered(call, send, people, steward, body, rating=None, late=False):
    sent = _ok(send(title="咨询", text="问题"))
    number = sent["number"]
    _ok(call("nanjing_interaction_moderate", people.office, id=number, decision="accept",
             organization=body))
    if late:
        item = model.Session.query(api.Item).filter_by(number=number).one()
        item.due = localtime.today().replace(day=1) - datetime.timedelta(days=1)
        model.Session.commit()
    _ok(call("nanjing_interaction_answer", steward, id=number, text="答复如下。"))
    if rating:
        _ok(call("nanjing_interaction_rate", number=number, code=sent["lookup_code"],
                 rating=rating))
    return number


def test_the_month_per_body_with_a_minimum_sample(app, call, send, people, monkeypatch):
    monkeypatch.setitem(tk.config, "ckanext.nanjing.interaction.min_sample", 3)
    monkeypatch.setitem(tk.config, "ckanext.nanjing.interaction.max_per_address_per_hour", 100)
    for rating, late in (("satisfied", False), ("fairly_satisfied", False),
                         ("dissatisfied", True)):
        _answered(call, send, people, people.steward, "nanjing-fgw", rating, late)
    _answered(call, send, people, people.other_steward, "nanjing-czj", "satisfied")
    waiting = _ok(send(title="待分办", text="还没分办"))["number"]
    _ok(call("nanjing_interaction_moderate", people.office, id=waiting, decision="accept"))

    figures = api.monthly_figures(localtime.today())
    fgw = figures[people.fgw["id"]]
    assert fgw["received"] == 3 and fgw["answers"] == 3 and fgw["on_time"] == 2
    assert fgw["on_time_ratio"] == 0.6667 and fgw["rated"] == 3 and fgw["satisfied"] == 2
    assert fgw["ranked"] is True and fgw["open"] == 1        # the 不满意 one is in 复核
    assert figures[people.czj["id"]]["ranked"] is False      # one answer: too few to rank
    city = figures[None]
    assert city["received"] == 5 and city["answers"] == 4 and city["open"] == 2

    supervise.run(check_links=False)
    headers = {"Authorization": people.office["token"]}
    page = app.get("/supervision", headers=headers).body
    assert "互动交流：答复与评价" in page and "样本不足（少于 3 条答复）" in page
    exported = app.get("/supervision/export/interaction.csv", headers=headers).body
    rows = [row for row in csv.reader(io.StringIO(exported.lstrip("\ufeff"))) if row]
    header = next(row for row in rows if row[0] == "部门")
    cells = {row[0]: dict(zip(header, row)) for row in rows if row[0] != "部门"}
    assert cells["南京市发展和改革委员会"]["排名"] == "1"
    assert cells["南京市发展和改革委员会"]["按期答复率（%）"] == "66.7"
    assert cells["南京市发展和改革委员会"]["满意率（%）"] == "66.7"
    assert cells["南京市财政局"]["排名"].startswith("样本不足")
