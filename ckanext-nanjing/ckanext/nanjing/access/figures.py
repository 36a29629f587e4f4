"""The yearly figures of conditional open data per owning body and for the
city, for supervision's dashboard, its exports and the public page.

How an application received in year Y is counted: 申请 when received in
Y; 同意 or 不予同意 by its decision (同意 includes those since signed);
the working days to a decision run from receipt to the decision, not
counting the days a 补正 was awaited; 按期 when decided by the deadline
of the one clock (clock.deadline_dict). Overdue applications are those
still undecided past their deadline today, whatever their year. Active
grants are those in force today; use reports those received in Y."""
from __future__ import annotations

import collections
import datetime
import statistics
from typing import Any

import ckan.model as model
from sqlalchemy import extract
from sqlalchemy.orm import selectinload

from .. import workdays
from . import clock
from .model import Application, Grant, UseReport
from .states import OPEN_STATES

__all__ = ["yearly", "empty", "CITY"]

CITY = None
APPROVED = frozenset(["approved", "granted"])
OVERDUE_LISTED = 50


def empty() -> dict[str, Any]:
    return {"applications": 0, "approved": 0, "rejected": 0, "withdrawn": 0, "pending": 0,
            "decided_on_time": 0, "on_time_ratio": None, "median_days": None,
            "active_grants": 0, "reports": 0, "overdue": 0, "overdue_items": []}


def _days_to_decision(application: Application) -> int:
    return workdays.working_days_between(application.received, application.decided,
                                         pauses=clock.correction_pauses(application.events))


def _overdue_item(application: Application, due: dict[str, Any], title: str) -> dict[str, Any]:
    return {"number": application.number, "url": f"/access/application/{application.id}",
            "organization": title, "due": due["due"],
            "reason": f"已逾期 {-(due['days_left'] or 0)} 个工作日，尚未作出决定"}


def yearly(year: int, today: datetime.date) -> dict[str | None, dict[str, Any]]:
    """{organization id: figures, CITY: the city's figures} for `year`."""
    bodies: dict[str | None, dict[str, Any]] = collections.defaultdict(empty)
    days: dict[str | None, list[int]] = collections.defaultdict(list)
    titles = dict(model.Session.query(model.Group.id, model.Group.title))
    applications = (model.Session.query(Application)
                    .options(selectinload(Application.events))
                    .filter((extract("year", Application.received) == year)
                            | Application.state.in_(list(OPEN_STATES))))
    for application in applications:
        keys = (application.organization_id, CITY)
        if application.state in OPEN_STATES:
            due = clock.deadline_dict(application, today)
            if due["status"] == "overdue":
                item = _overdue_item(application, due, titles.get(application.organization_id, ""))
                for key in keys:
                    bodies[key]["overdue"] += 1
                    if len(bodies[key]["overdue_items"]) < OVERDUE_LISTED:
                        bodies[key]["overdue_items"].append(item)
        if application.received.year != year:
            continue
        decided = application.decided and application.state in APPROVED | {"rejected"}
        on_time = decided and clock.deadline_dict(application, today).get("on_time")
        for key in keys:
            figures = bodies[key]
            figures["applications"] += 1
            if application.state in APPROVED:
                figures["approved"] += 1
            elif application.state in ("rejected", "withdrawn"):
                figures[application.state] += 1
            else:
                figures["pending"] += 1
            if decided:
                days[key].append(_days_to_decision(application))
                figures["decided_on_time"] += bool(on_time)
    active = (model.Session.query(Grant.organization_id)
              .filter(Grant.state == "active", Grant.starts_on <= today, Grant.ends_on >= today))
    for (organization_id,) in active:
        bodies[organization_id]["active_grants"] += 1
        bodies[CITY]["active_grants"] += 1
    reports = (model.Session.query(Grant.organization_id).join(UseReport,
                                                                UseReport.grant_id == Grant.id)
               .filter(extract("year", UseReport.created) == year))
    for (organization_id,) in reports:
        bodies[organization_id]["reports"] += 1
        bodies[CITY]["reports"] += 1
    for key, figures in bodies.items():
        decided = days.get(key) or []
        if decided:
            figures["median_days"] = statistics.median(decided)
            figures["on_time_ratio"] = round(figures["decided_on_time"] / len(decided), 4)
    if CITY not in bodies:  # the city has a row even in a year without applications
        bodies[CITY] = empty()
    return dict(bodies)
