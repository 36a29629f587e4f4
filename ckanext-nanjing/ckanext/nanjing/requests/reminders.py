"""Reminders to the handlers: a request 5 working days from its deadline
(near) or past it (overdue) is told to the editors and admins of the
addressed organization, by mail through the platform's mailer and as a notice on
the portal. Run daily by `ckan nanjing-requests remind` (cron).

Each reminder is sent once per (request, kind, due date): the notice row's
unique index makes it so, and an extension that moves the due date makes a
new reminder."""
from __future__ import annotations

import dataclasses
import datetime
import logging

import ckan.model as model
import ckan.plugins.toolkit as tk
from sqlalchemy.dialects.postgresql import insert

from .. import localtime, mail, roles
from . import clock
from .model import Request, RequestNotice
from .states import OPEN_STATES, STATES

__all__ = ["KINDS", "Outcome", "handlers_of", "request_url", "message", "remind"]

log = logging.getLogger(__name__)

KINDS = {"near": "即将到期", "overdue": "已逾期"}


@dataclasses.dataclass
class Outcome:
    notices: int = 0   # reminders recorded by this run
    mailed: int = 0    # mails handed to the SMTP server
    failed: int = 0    # mails that could not be sent (logged)
    unreachable: int = 0  # reminders for an organization without a handler with an email
    no_smtp: bool = False  # smtp.server is not set: reminders on the portal only


handlers_of = roles.stewards_with_email


def request_url(request: Request) -> str:
    return tk.config.get("ckan.site_url").rstrip("/") + f"/requests/{request.id}"


def message(request: Request, kind: str, deadline: dict) -> tuple[str, str, str]:
    """(subject, body, one-line notice) of a reminder, in Chinese."""
    org = model.Group.get(request.organization_id)
    due, days = deadline["due"], deadline["days_left"]
    provisional = "（暂定）" if deadline.get("provisional") else ""
    if kind == "overdue":
        when = f"已超过答复期限 {-days} 个工作日"
        line = f"{request.number} 已逾期：答复期限 {due}{provisional}，已超过 {-days} 个工作日"
        ask = "请立即答复；逾期答复将计入年度报告的“未按时答复”。"
    else:
        when = f"距答复期限还剩 {days} 个工作日" if days else "今天是答复期限的最后一天"
        line = f"{request.number} 即将到期：答复期限 {due}{provisional}，{when.replace('距答复期限', '')}"
        ask = "请在期限内答复；确需延长的，请在期限届满前申请延期并报公开办审批（条例第三十三条）。"
    subject = f"【{KINDS[kind]}】政府信息公开申请 {request.number}：答复期限 {due}"
    body = (f"{org.title if org else ''}办理人员：\n\n"
            f"政府信息公开申请 {request.number}（{STATES.get(request.state, request.state)}）"
            f"的答复期限为 {due}{provisional}，{when}。\n"
            f"期限计算：{deadline['explanation']}\n"
            f"登记日期：{request.received.isoformat()}\n\n"
            f"{ask}\n\n"
            f"办理页面：{request_url(request)}\n\n"
            f"（本邮件由南京市政务公开与数据开放平台自动发送，每个期限只提醒一次。）\n")
    return subject, body, line


def _record(request: Request, kind: str, due: datetime.date, line: str) -> bool:
    """True when this reminder is new; the unique index refuses a repeat,
    also from a second run at the same time."""
    inserted = model.Session.execute(
        insert(RequestNotice.__table__)
        .values(id=model.types.make_uuid(), request_id=request.id, kind=kind, due=due,
                message=line, created=datetime.datetime.utcnow())
        .on_conflict_do_nothing(index_elements=["request_id", "kind", "due"])
        .returning(RequestNotice.__table__.c.id)).first()
    return inserted is not None


def remind(today: datetime.date | None = None, echo=None) -> Outcome:
    """Record and mail the reminders due today. The notice is committed
    before the mails go out: a mail server that is down loses no reminder
    on the portal, and the failure is logged and counted."""
    today = today or localtime.today()
    echo = echo or (lambda text: None)
    outcome = Outcome(no_smtp=not mail.configured())
    if outcome.no_smtp:
        log.warning("smtp.server is not set: reminders are shown on the portal only")
    query = (model.Session.query(Request).filter(Request.state.in_(sorted(OPEN_STATES)))
             .order_by(Request.received, Request.number))
    for request in query:
        deadline = clock.deadline_dict(request, today)
        kind = deadline["status"]
        if kind not in KINDS or not deadline["due"]:
            continue
        subject, body, line = message(request, kind, deadline)
        if not _record(request, kind, datetime.date.fromisoformat(deadline["due"]), line):
            continue
        model.Session.commit()
        outcome.notices += 1
        echo(line)
        handlers = [] if outcome.no_smtp else handlers_of(request.organization_id)
        if not handlers and not outcome.no_smtp:
            outcome.unreachable += 1
            log.warning("No handler with an email for the reminder of %s", request.number)
        for user in handlers:
            if mail.send(user.fullname or user.name, user.email, subject, body,
                         f"the reminder of {request.number}"):
                outcome.mailed += 1
            else:
                outcome.failed += 1
    return outcome
