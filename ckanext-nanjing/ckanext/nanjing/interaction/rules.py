"""What 互动交流 knows about its messages: the kinds and their working days
(from config), the states and how each reads to the public, and the rules
of each kind (what it must be about, its one extension, its outcomes)."""
from __future__ import annotations

import datetime

import ckan.plugins.toolkit as tk

from .. import codelists, workdays

__all__ = ["kinds", "labels", "STATES", "OPEN_STATES", "PUBLIC_STATES", "OUTCOMES", "days_for",
           "extension_for", "due_date", "standing", "status_label", "kind_label"]

STATES = {"submitted": "待审看", "accepted": "已受理", "assigned": "办理中",
          "reviewing": "复核中", "answered": "已答复", "rejected": "不予受理",
          "merged": "已合并"}
OPEN_STATES = ("accepted", "assigned", "reviewing")    # the clock runs
PUBLIC_STATES = ("accepted", "assigned", "reviewing", "answered")
# Kinds whose answer records an outcome, and the code list it comes from.
OUTCOMES = {"data_request": "interaction_data_request_outcomes",
            "objection": "interaction_objection_outcomes"}
DEFAULT_DAYS = {"correction": 3, "consult": 5, "objection": 5, "suggestion": 15,
                "complaint": 15, "data_request": 15}


def kinds() -> dict[str, str]:
    """code → Chinese label, from the code list interaction_kinds."""
    return labels("interaction_kinds")


def kind_label(code: str) -> str:
    return kinds().get(code, code)


def labels(list_name: str) -> dict[str, str]:
    return {item["value"]: item["label"] for item in codelists.get(list_name).values}


def _per_kind(key: str, defaults: dict[str, int]) -> dict[str, int]:
    """`kind:days kind:days` from config; a piece that is not one is skipped."""
    found = dict(defaults)
    for piece in str(tk.config.get(key) or "").split():
        kind, _, days = piece.partition(":")
        if kind in DEFAULT_DAYS and days.isdigit():
            found[kind] = int(days)
    return found


def days_for(kind: str) -> int:
    return _per_kind("ckanext.nanjing.interaction.days", DEFAULT_DAYS).get(kind, 15)


def extension_for(kind: str) -> int:
    return _per_kind("ckanext.nanjing.interaction.extension_days", {}).get(kind, 0)


def due_date(start: datetime.date, kind: str, extension: int = 0) -> datetime.date:
    return workdays.deadline(start, days_for(kind), extension=extension).due


def standing(due: datetime.date | None, today: datetime.date) -> tuple[str, int]:
    """on_time / near (临期) / overdue (超期), and working days left or late."""
    if due is None:
        return "on_time", 0
    return workdays.standing(due, today, tk.config.get("ckanext.nanjing.interaction.near_days"))


def status_label(kind: str, state: str, outcome: str | None) -> str:
    """How the public reads a state; a data request speaks of the data."""
    if kind == "data_request":
        if state == "answered" and outcome:
            return codelists.get(OUTCOMES[kind]).label_of(outcome)
        if state in ("assigned", "reviewing"):
            return "办理中"
    if kind == "objection" and state in ("accepted", "assigned", "reviewing"):
        return "核实中"
    return STATES.get(state, state)
