"""Reminders to holders of grants: before a grant ends (it cannot be
extended, only applied for again) and before the use report the agreement
asks for by that day is due (利用情况/成果/效益, 第四条). Run daily by `ckan
nanjing-access remind`; each reminder is recorded on the application, so a
grant is reminded once per end date and matter, however often it runs.
Holders also see the reminder on /access/mine (dicts.grant_dict)."""
from __future__ import annotations

import dataclasses
import datetime
from typing import Callable

import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import localtime, mail
from . import notify
from .applying import record_event
from .model import Application, Grant, UseReport

__all__ = ["Outcome", "remind"]


@dataclasses.dataclass
class Outcome:
    grants: int = 0       # grants reminded of something new
    mailed: int = 0
    failed: int = 0


def _lines(grant: Grant, package: model.Package | None, matters: list[str],
           today: datetime.date) -> list[str]:
    title = package.title if package else grant.package_id
    ends = grant.ends_on.isoformat()
    lines = [f"您对“{title}”的授权将于 {ends} 到期（还有 {(grant.ends_on - today).days} 天）。"
             "到期后不能再获取该数据；如需继续使用，请在数据集页面重新申请。"]
    if "remind_report" in matters:
        lines.append(f"按数据利用协议，请于 {ends} 前在“我的数据申请”页面提交利用情况、"
                     "取得的成果与效益的反馈。")
    lines.append("授权期满后，请按协议删除所获取的数据及其副本。")
    return lines


def remind(today: datetime.date | None = None,
           echo: Callable[[str], None] = lambda line: None) -> Outcome:
    today = today or localtime.today()
    horizon = today + datetime.timedelta(days=tk.config.get(
        "ckanext.nanjing.access.reminder_days"))
    outcome = Outcome()
    due = (model.Session.query(Grant)
           .filter(Grant.state == "active", Grant.starts_on <= today,
                   Grant.ends_on >= today, Grant.ends_on <= horizon)
           .order_by(Grant.ends_on))
    for grant in due:
        application = model.Session.get(Application, grant.application_id)
        if application is None:
            continue
        ends = grant.ends_on.isoformat()
        done = {event.transition for event in application.events
                if event.data.get("ends_on") == ends}
        reported = model.Session.query(UseReport).filter(UseReport.grant_id == grant.id).count()
        matters = [key for key in ("remind_expiry", "remind_report")
                   if key not in done and not (key == "remind_report" and reported)]
        if not matters:
            continue
        sent = notify.to_applicant(application, "有条件开放数据授权提醒",
                                   _lines(grant, model.Package.get(grant.package_id), matters,
                                          today))
        for key in matters:
            record_event(application, key, application.state, application.state, None,
                         "system", {"ends_on": ends, "mailed": sent})
        outcome.grants += 1
        outcome.mailed += sent
        outcome.failed += not sent and mail.configured()
        echo(f"{application.number}：{'、'.join(matters)}，{'已发邮件' if sent else '邮件未发出'}")
    model.Session.commit()
    return outcome
