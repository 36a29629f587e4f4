"""互动交流's figures per body and month for the supervision dashboard:
messages received, answered, the reply rate, the on-time rate, the average
working days to an answer, and satisfaction; a body is ranked only with at
least `ckanext.nanjing.interaction.min_sample` answers in the month."""
from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from . import rules
from .model import Answer, Item

__all__ = ["empty_figures", "monthly_figures"]

SATISFIED = ("satisfied", "fairly_satisfied")


def empty_figures() -> dict[str, Any]:
    return {"received": 0, "replied": 0, "reply_rate": None, "answers": 0, "on_time": 0,
            "on_time_ratio": None, "average_days": None, "rated": 0, "satisfied": 0,
            "satisfaction": None, "open": 0, "overdue": 0, "ranked": False,
            "min_sample": tk.config.get("ckanext.nanjing.interaction.min_sample")}


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = today.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following


def monthly_figures(today: datetime.date) -> dict[str | None, dict[str, Any]]:
    """{organization id: figures, None: the city's} for the month of `today`."""
    first, following = _month(today)
    found: dict[str | None, dict[str, Any]] = defaultdict(empty_figures)
    days: dict[str | None, list[int]] = defaultdict(list)

    def add(org: str | None, key: str, amount: int = 1) -> None:
        for who in {org, None}:
            found[who][key] += amount

    for item in model.Session.query(Item).filter(Item.accepted_day >= first,
                                                 Item.accepted_day < following):
        add(item.organization_id, "received")
        if item.state == "answered":
            add(item.organization_id, "replied")
    for reply in model.Session.query(Answer).filter(Answer.day >= first, Answer.day < following):
        add(reply.organization_id, "answers")
        add(reply.organization_id, "on_time", int(reply.on_time))
        for who in {reply.organization_id, None}:
            days[who].append(reply.working_days)
    for item in model.Session.query(Item).filter(Item.rated_day >= first,
                                                 Item.rated_day < following):
        add(item.organization_id, "rated")
        add(item.organization_id, "satisfied", int(item.rating in SATISFIED))
    for item in model.Session.query(Item).filter(Item.state.in_(rules.OPEN_STATES)):
        add(item.organization_id, "open")
        add(item.organization_id, "overdue", int(item.due is not None and item.due < today))
    least = tk.config.get("ckanext.nanjing.interaction.min_sample")
    for who, figures in found.items():
        figures.update(reply_rate=_ratio(figures["replied"], figures["received"]),
                       on_time_ratio=_ratio(figures["on_time"], figures["answers"]),
                       satisfaction=_ratio(figures["satisfied"], figures["rated"]),
                       average_days=round(sum(days[who]) / len(days[who]), 1)
                       if days[who] else None,
                       ranked=who is not None and figures["answers"] >= least)
    found.pop("", None)
    return dict(found)
