"""Reminders before a grant ends and before its use report is due, mailed
(to a real SMTP server the test starts) once per grant, end date and
matter, recorded on the application and shown on /access/mine."""
from __future__ import annotations

import datetime

import ckan.model as model
from ckan.cli.cli import ckan as ckan_command

from ckanext.nanjing import localtime
from ckanext.nanjing.access import reminders
from ckanext.nanjing.access.model import Grant

from .test_applications import _apply, _step
from .test_figures import _applicant


def _reminders(inbox, address: str | None = None) -> list:
    return [message for rcpt, message in inbox.messages
            if message["Subject"].startswith("有条件开放数据授权提醒")
            and (address is None or address in rcpt)]


def _granted(call, conditional, steward, name: str, ends_in: int) -> tuple[dict, str]:
    holder = _applicant(call, name)
    made = _apply(call, holder, conditional)["id"]
    assert _step(call, steward, made, "approve", resource_ids=[conditional.table["id"]])["success"]
    text = call("nanjing_access_agreement_show", holder, id=made, format="text")["result"]
    granted = _step(call, holder, made, "accept_agreement", agree=True,
                    text_sha256=text["text_sha256"])["result"]
    grant = model.Session.get(Grant, granted["grant"]["id"])
    grant.ends_on = localtime.today() + datetime.timedelta(days=ends_in)
    model.Session.commit()
    return holder, grant.id


def test_holders_are_reminded_once_of_the_end_and_the_report(app, call, conditional, steward,
                                                             inbox, cli, ckan_ini):
    soon, soon_grant = _granted(call, conditional, steward, "holder-soon", 5)
    reported, reported_grant = _granted(call, conditional, steward, "holder-reported", 3)
    assert call("nanjing_access_use_report_create", reported, grant_id=reported_grant,
                usage="已用于研究报告")["success"]
    later, _ = _granted(call, conditional, steward, "holder-later", 40)
    revoked, revoked_grant = _granted(call, conditional, steward, "holder-revoked", 2)
    assert call("nanjing_access_grant_change", steward, id=revoked_grant, change="revoke",
                reason="超出约定用途")["success"]

    outcome = reminders.remind()
    assert (outcome.grants, outcome.mailed, outcome.failed) == (2, 2, 0)
    [to_soon] = _reminders(inbox, soon["email"])
    text = to_soon.get_content()
    assert "还有 5 天" in text and "利用情况" in text and "危险化学品经营许可证信息" in text
    [to_reported] = _reminders(inbox, reported["email"])
    assert "还有 3 天" in to_reported.get_content()
    assert "提交利用情况" not in to_reported.get_content()
    assert not _reminders(inbox, later["email"]) and not _reminders(inbox, revoked["email"])

    # Recorded on the application's timeline; a second run sends nothing.
    shown = call("nanjing_access_application_show", soon,
                 id=model.Session.get(Grant, soon_grant).application_id)["result"]
    labels = [event["label"] for event in shown["events"]]
    assert "提醒：授权即将到期" in labels and "提醒：提交利用情况反馈" in labels
    result = cli.invoke(ckan_command, ["-c", ckan_ini, "nanjing-access", "remind"])
    assert result.exit_code == 0, result.output
    assert "提醒授权 0 项" in result.output and len(_reminders(inbox)) == 2

    # The holder sees it on the portal too.
    mine = app.get("/access/mine", headers={"Authorization": soon["token"]}).body
    assert "nanjing-grant-reminder" in mine and "请在到期前提交利用情况反馈" in mine
    calm = app.get("/access/mine", headers={"Authorization": later["token"]}).body
    assert "nanjing-grant-reminder" not in calm
