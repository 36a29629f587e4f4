"""Figures per post (各岗位, the plan's task 9): for each member of a body's
staff, the public records they published and the requests they answered,
on time or not. A post is the account that did the work: the creator of a
record, the handler who sent a reply, the handler who last acted on a
request that is now overdue."""
from __future__ import annotations

import collections
from typing import Any

import ckan.model as model

__all__ = ["Posts", "reply_actor", "last_handler"]

# The account of records made by harvesters and loaders, and of requests
# nobody has acted on yet.
UNASSIGNED = ""


def reply_actor(request: Any) -> str:
    """The handler who concluded the request (its last step into 已答复)."""
    for event in sorted(request.events, key=lambda e: e.created, reverse=True):
        if event.to_state == "replied" and event.actor_kind == "handler":
            return event.actor_id or UNASSIGNED
    return UNASSIGNED


def last_handler(request: Any) -> str:
    for event in sorted(request.events, key=lambda e: e.created, reverse=True):
        if event.actor_kind == "handler":
            return event.actor_id or UNASSIGNED
    return UNASSIGNED


class Posts:
    def __init__(self) -> None:
        self._counts: dict[str, dict[str, collections.Counter]] = collections.defaultdict(
            lambda: collections.defaultdict(collections.Counter))
        self._days: dict[tuple[str, str], list[int]] = collections.defaultdict(list)

    def record(self, org: str, user_id: str | None) -> None:
        self._counts[org][user_id or UNASSIGNED]["records"] += 1

    def replied(self, org: str, user_id: str, on_time: bool, days: int) -> None:
        counts = self._counts[org][user_id]
        counts["replied"] += 1
        counts["on_time"] += on_time
        self._days[(org, user_id)].append(days)

    def overdue(self, org: str, user_id: str) -> None:
        self._counts[org][user_id]["overdue_open"] += 1

    def of(self, org: str) -> list[dict[str, Any]]:
        """The body's posts, the busiest first."""
        posts = self._counts.get(org, {})
        users = {user.id: user for user in model.Session.query(model.User).filter(
            model.User.id.in_([key for key in posts if key] or [""]))}
        rows = []
        for key, counts in posts.items():
            user = users.get(key)
            days = self._days.get((org, key)) or []
            rows.append({
                "user": {"name": user.name, "title": user.fullname or user.name}
                if user else {"name": "", "title": "（自动采集或未经办）"},
                "records": counts["records"], "replied": counts["replied"],
                "on_time": counts["on_time"], "overdue_open": counts["overdue_open"],
                "on_time_ratio": round(counts["on_time"] / counts["replied"], 4)
                if counts["replied"] else None,
                "average_reply_days": round(sum(days) / len(days), 1) if days else None})
        return sorted(rows, key=lambda r: (-(r["records"] + r["replied"] + r["overdue_open"]),
                                           r["user"]["title"]))
