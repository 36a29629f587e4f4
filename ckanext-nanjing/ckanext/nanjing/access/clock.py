"""An application's deadlines on the platform's one working-day clock
(`workdays`): the office's formal check, when it is switched on
(`ckanext.nanjing.access.formal_check_days`, default 5), then the body's
decision (`ckanext.nanjing.access.decision_days`, default 10), counted
from the day after receipt or after the formal check passed. A 补正 pauses
the clock from the day it is asked until the day it comes in."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk

from .. import localtime, workdays
from .states import OPEN_STATES

__all__ = ["formal_check_on", "correction_pauses", "deadline_dict"]

NEAR_DUE = 3


def formal_check_on() -> bool:
    return tk.config.get("ckanext.nanjing.access.formal_check")


def correction_pauses(events) -> list[workdays.Pause]:
    """The days a 补正 was awaited, among these steps (end None: still awaited)."""
    pauses: list[workdays.Pause] = []
    opened: datetime.date | None = None
    for event in events:
        if event.transition == "request_correction":
            opened = event.day
        elif event.transition == "submit_correction" and opened:
            pauses.append(workdays.Pause(opened, event.day, "等待补正"))
            opened = None
    if opened:
        pauses.append(workdays.Pause(opened, None, "等待补正"))
    return pauses


def _stage(application) -> tuple[str, datetime.date, list[workdays.Pause], int]:
    """(stage, start, pauses, days) of the period running now (or last)."""
    events = list(application.events)
    stage, start, counted = "decision", application.received, events
    if any(e.to_state == "formal_check" for e in events):
        stage = "formal_check"
    for index, event in enumerate(events):
        if event.transition == "pass_formal_check":
            stage, start, counted = "decision", event.day, events[index + 1:]
    pauses = correction_pauses(counted)
    days = (tk.config.get("ckanext.nanjing.access.formal_check_days") if stage == "formal_check"
            else tk.config.get("ckanext.nanjing.access.decision_days"))
    return stage, start, pauses, days


def deadline_dict(application, today: datetime.date | None = None) -> dict[str, Any]:
    """What pages, the API and supervision show of an application's clock."""
    today = today or localtime.today()
    stage, start, pauses, days = _stage(application)
    due = workdays.deadline(start, days, pauses=pauses)
    answer: dict[str, Any] = {
        "stage": stage,
        "stage_label": "形式审查" if stage == "formal_check" else "审核决定",
        "working_days": days,
        "start": start.isoformat(),
        "due": due.due.isoformat() if due.due else None,
        "provisional": due.provisional,
        "explanation": due.explanation(),
        "days_left": None,
    }
    if application.state not in OPEN_STATES:
        answer["status"] = "closed"
        decided = application.decided
        answer["on_time"] = (bool(decided and due.due and decided <= due.due)
                             if application.state != "withdrawn" and decided else None)
        return answer
    if due.due is None:
        answer["status"] = "paused"
        answer["explanation"] = "待补正：暂停计时，收到补正之日起继续计算"
        return answer
    answer["status"], answer["days_left"] = workdays.standing(due.due, today, NEAR_DUE)
    return answer
