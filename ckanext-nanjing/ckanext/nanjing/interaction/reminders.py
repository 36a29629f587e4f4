"""Reminders to the bodies: each open message 临期 or 超期 is mailed to its
body's stewards once per kind of reminder and due date (a `reminded` step
records it, so a second run the same day sends nothing)."""
from __future__ import annotations

import ckan.model as model

from .. import localtime, mail, roles
from . import notify, rules, steps
from .model import Item

__all__ = ["remind"]


def _already(item: Item, standing: str) -> bool:
    return any(e.action == "reminded" and e.data.get("standing") == standing
               and e.data.get("due") == item.due.isoformat() for e in item.events)


def remind() -> tuple[int, int]:
    """Answers (reminders recorded, mails sent)."""
    today = localtime.today()
    reminded = mailed = 0
    due = []
    for item in model.Session.query(Item).filter(Item.state.in_(rules.OPEN_STATES),
                                                 Item.organization_id.isnot(None),
                                                 Item.due.isnot(None)):
        standing, days = rules.standing(item.due, today)
        if standing in ("near", "overdue") and not _already(item, standing):
            steps.remind(item, standing)
            due.append((item, standing, days))
    model.Session.commit()
    for item, standing, days in due:
        reminded += 1
        what = f"已超期 {days} 个工作日" if standing == "overdue" else f"将于 {item.due} 到期"
        for user in roles.stewards_with_email(item.organization_id):
            mailed += mail.send(
                user.fullname or user.name, user.email,
                f"{'超期' if standing == 'overdue' else '临期'}：{rules.kind_label(item.kind)} "
                f"{item.number}",
                f"{user.fullname or user.name}：\n\n{rules.kind_label(item.kind)}"
                f"“{item.public_title}”（编号 {item.number}）{what}，请尽快答复：\n"
                f"{notify.item_url(item)}\n", item.number)
    return reminded, mailed
