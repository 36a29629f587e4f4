"""The public counts of requests per body and year (依申请公开's table,
公开情况's columns, through `nanjing_request_stats`), and their total."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
from sqlalchemy.orm import selectinload

from .. import workdays
from . import clock, results
from .model import Request
from .states import OPEN_STATES

__all__ = ["yearly", "total"]


def _row(organization: dict[str, Any], year: int) -> dict[str, Any]:
    return {"organization": organization, "year": year, "received": 0, "answered": 0,
            "on_time": 0, "open": 0, "overdue": 0, "withdrawn": 0, "reply_days": None,
            "reply_days_sum": 0, "reply_days_count": 0,
            "on_time_ratio": None, "by_group": {group: 0 for group in results.GROUPS}}


def _ratio(on_time: int, answered: int, overdue: int) -> float | None:
    # Late replies and open requests past their deadline both missed it.
    return round(on_time / (answered + overdue), 4) if answered + overdue else None


def yearly(bodies: list[dict[str, Any]], year: int, today: datetime.date) -> list[dict]:
    """One row per body of `bodies` ({id, name, title}), zeros included:
    received in `year`, answered, on time, open, and overdue today (in the
    current year also the earlier years' still unanswered), the average
    working days to a reply, the replies by result group."""
    per_org = {body["id"]: _row(body, year) for body in bodies}
    days: dict[str, list[int]] = {body["id"]: [] for body in bodies}
    query = model.Session.query(Request).options(selectinload(Request.events)).filter(
        Request.organization_id.in_(list(per_org) or [""]))
    if year == today.year:
        query = query.filter((Request.year == year) | Request.state.in_(list(OPEN_STATES)))
    else:
        query = query.filter(Request.year == year)
    for request in query:
        row = per_org[request.organization_id]
        if request.state in OPEN_STATES:
            row["overdue"] += clock.deadline_dict(request, today)["status"] == "overdue"
        if request.year != year:
            continue
        row["received"] += 1
        if request.state in OPEN_STATES:
            row["open"] += 1
        elif request.state == "withdrawn":
            row["withdrawn"] += 1
        elif request.result:
            due = clock.deadline_dict(request, today)
            row["answered"] += 1
            row["by_group"][results.RESULTS[request.result].group] += 1
            row["on_time"] += bool(due.get("on_time"))
            if request.replied:
                days[request.organization_id].append(workdays.working_days_between(
                    datetime.date.fromisoformat(due["start"]), request.replied))
    for key, row in per_org.items():
        row["reply_days_sum"], row["reply_days_count"] = sum(days[key]), len(days[key])
        if days[key]:
            row["reply_days"] = round(sum(days[key]) / len(days[key]), 1)
        row["on_time_ratio"] = _ratio(row["on_time"], row["answered"], row["overdue"])
    return list(per_org.values())


def total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The rows summed, as the city's line."""
    summed = {key: sum(row[key] for row in rows)
              for key in ("received", "answered", "on_time", "open", "overdue", "withdrawn",
                          "reply_days_sum", "reply_days_count")}
    timed = summed["reply_days_count"]
    return {**summed, "reply_days": round(summed["reply_days_sum"] / timed, 1) if timed else None,
            "on_time_ratio": _ratio(summed["on_time"], summed["answered"], summed["overdue"]),
            "by_group": {group: sum(row["by_group"][group] for row in rows)
                         for group in results.GROUPS}}
