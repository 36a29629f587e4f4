"""The yearly figures of conditional open data, worked by hand: five
applications of 2025 made through the actions and then dated (as the demo
dates its own), counted per body and for the city, shown on the 监督考核
dashboard and exported, with public counts on /openness."""
from __future__ import annotations

import csv
import datetime
import io

import pytest

import ckan.model as model
from ckan.tests import factories

from ckanext.nanjing.access import figures
from ckanext.nanjing.access.model import Application, Grant, UseReport
from ckanext.nanjing.supervision import supervise

from .conftest import account
from .test_applications import _apply, _step, profile_of

D = datetime.date
TODAY = D(2025, 12, 31)


def _applicant(call, name: str) -> dict:
    user = account(name)
    assert call("nanjing_access_profile_update", user, **profile_of())["success"]
    return user


def _dated(application_id: str, received: D, decided: D | None = None, **event_days: D):
    application = model.Session.get(Application, application_id)
    application.received, application.decided = received, decided
    for event in application.events:
        event.day = event_days.get(event.transition, received)
    model.Session.commit()


@pytest.fixture
def year_2025(call, conditional, steward):
    """A: granted, decided in 4 working days (端午 on the day of receipt);
    B: rejected after 14 (late); C: approved after 3, not counting a 补正
    awaited 5–10 November; D: withdrawn; E: still open, 12 working days
    overdue on 31 December."""
    table = conditional.table["id"]
    people = {key: _applicant(call, f"applicant-{key.lower()}") for key in "ABCDE"}
    made = {key: _apply(call, user, conditional)["id"] for key, user in people.items()}

    assert _step(call, steward, made["A"], "approve", resource_ids=[table])["success"]
    text = call("nanjing_access_agreement_show", people["A"], id=made["A"],
                format="text")["result"]
    granted = _step(call, people["A"], made["A"], "accept_agreement", agree=True,
                    text_sha256=text["text_sha256"])["result"]
    assert call("nanjing_access_use_report_create", people["A"], grant_id=granted["grant"]["id"],
                usage="用于全市危化品经营分布研究")["success"]
    assert _step(call, steward, made["B"], "reject", reason="用途与数据无关")["success"]
    assert _step(call, steward, made["C"], "request_correction", items="请补充安全承诺书")["success"]
    assert _step(call, people["C"], made["C"], "submit_correction", text="已补充")["success"]
    assert _step(call, steward, made["C"], "approve", resource_ids=[table])["success"]
    assert _step(call, people["D"], made["D"], "withdraw", reason="不再需要")["success"]

    _dated(made["A"], D(2025, 6, 2), D(2025, 6, 6))
    _dated(made["B"], D(2025, 9, 1), D(2025, 9, 19))
    _dated(made["C"], D(2025, 11, 3), D(2025, 11, 12), request_correction=D(2025, 11, 5),
           submit_correction=D(2025, 11, 10))
    _dated(made["D"], D(2025, 12, 1))
    _dated(made["E"], D(2025, 12, 1))
    grant = model.Session.get(Grant, granted["grant"]["id"])
    grant.starts_on, grant.ends_on = D(2025, 6, 9), D(2026, 6, 8)
    for report in model.Session.query(UseReport):
        report.created = datetime.datetime(2025, 12, 10, 3)
    model.Session.commit()
    return made


def test_the_year_is_counted_per_body_and_for_the_city(year_2025, conditional):
    counted = figures.yearly(2025, TODAY)
    body = counted[conditional.package["owner_org"]]
    assert {key: body[key] for key in ("applications", "approved", "rejected", "withdrawn",
                                       "pending", "active_grants", "reports", "overdue")} == {
        "applications": 5, "approved": 2, "rejected": 1, "withdrawn": 1, "pending": 1,
        "active_grants": 1, "reports": 1, "overdue": 1}
    assert body["median_days"] == 4 and body["decided_on_time"] == 2
    assert body["on_time_ratio"] == 0.6667
    [late] = body["overdue_items"]
    assert late["reason"] == "已逾期 12 个工作日，尚未作出决定" and late["due"] == "2025-12-15"
    assert counted[None] == body
    # Another year has none of them, but the open one is still overdue.
    other = figures.yearly(2024, TODAY)[None]
    assert other["applications"] == 0 and other["median_days"] is None and other["overdue"] == 1


def test_supervision_shows_and_exports_them_and_the_public_sees_counts(app, year_2025,
                                                                      conditional):
    supervise.run(today=TODAY, check_links=False)
    reviewer = factories.SysadminWithToken()
    headers = {"Authorization": reviewer["token"]}
    page = app.get("/supervision", headers=headers, query_string={"month": "2025-12"}).body
    assert "有条件开放数据：申请与授权（2025 年累计）" in page
    assert "逾期未决定的有条件开放数据申请（1）" in page and "已逾期 12 个工作日" in page
    exported = app.get("/supervision/export/access.csv", headers=headers,
                       query_string={"month": "2025-12"})
    rows = list(csv.reader(io.StringIO(exported.body.lstrip("\ufeff"))))
    header = rows[1] if rows[0][0] != "部门" else rows[0]
    city = [row for row in rows if row and row[0] != header[0]][-1]
    cells = dict(zip(header, city))
    assert cells["数据申请"] == "5" and cells["同意"] == "2" and cells["不予同意"] == "1"
    assert cells["决定用时中位数（工作日）"] == "4" and cells["按期决定率（%）"] == "66.7"
    assert cells["逾期未决定"] == "1" and cells["有效授权"] == "1" and cells["利用情况反馈"] == "1"
    overdue = app.get("/supervision/export/access_overdue.csv", headers=headers,
                      query_string={"month": "2025-12"}).body
    assert "已逾期 12 个工作日" in overdue and "/access/application/" in overdue

    public = app.get("/openness", query_string={"month": "2025-12"}).body
    assert "有条件开放数据申请（本年）" in public and "有效授权" in public
    assert "applicant-" not in public and "王小明" not in public
