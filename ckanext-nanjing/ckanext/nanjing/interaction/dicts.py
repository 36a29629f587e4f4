"""A message as each reader may see it. The public read the masked text
and the public answers with 受理日期, 答复日期, 答复部门 and 答复内容; the
sender also reads their own text and a private answer; the office and the
handling body read everything, with the sender's contact, the personal
data found, every hop and the clock."""
from __future__ import annotations

from typing import Any

import ckan.model as model

from .. import codelists, localtime
from . import rules
from .model import Answer, Event, Item

__all__ = ["as_dict", "body_of", "dataset_of"]

ACTIONS = {"submitted": "提交", "accepted": "审看通过，受理", "rejected": "不予受理",
           "merged": "合并到重复的留言", "assigned": "分办", "sent_back": "退回",
           "transferred": "转办", "acknowledged": "办理进展", "extended": "延期",
           "answered": "答复", "rated": "评价", "reopened": "转入复核",
           "reminded": "提醒承办部门"}


def _day(value) -> str | None:
    return value.isoformat() if value else None


def body_of(organization_id: str | None) -> dict[str, str] | None:
    group = model.Session.get(model.Group, organization_id) if organization_id else None
    if group is None:
        return None
    return {"id": group.id, "name": group.name, "title": group.title or group.name}


def dataset_of(package_id: str | None) -> dict[str, str] | None:
    package = model.Package.get(package_id) if package_id else None
    if package is None or package.state != "active" or package.private:
        return None
    return {"id": package.id, "name": package.name, "type": package.type,
            "title": package.title or package.name}


def _label(list_name: str, value: str | None) -> str | None:
    return codelists.get(list_name).label_of(value) if value else None


def _answer(reply: Answer, kind: str) -> dict[str, Any]:
    return {"round": reply.round, "review": reply.round > 0, "day": _day(reply.day),
            "organization": body_of(reply.organization_id), "text": reply.text,
            "outcome": reply.outcome,
            "outcome_label": _label(rules.OUTCOMES[kind], reply.outcome)
            if kind in rules.OUTCOMES else None,
            "dataset": dataset_of(reply.dataset_id), "on_time": reply.on_time,
            "working_days": reply.working_days}


def _event(event: Event) -> dict[str, Any]:
    return {"action": event.action, "label": ACTIONS.get(event.action, event.action),
            "from_state": event.from_state, "to_state": event.to_state,
            "actor_kind": event.actor_kind, "note": event.note, "day": _day(event.day),
            "at": localtime.local(event.at).isoformat(timespec="seconds"),
            "from_organization": body_of(event.from_organization_id),
            "to_organization": body_of(event.to_organization_id), "data": event.data}


def _public_steps(item: Item) -> list[dict[str, Any]]:
    """What the public may follow: when it was taken, where it went, progress."""
    shown = ("accepted", "assigned", "transferred", "acknowledged", "extended", "answered",
             "reopened")
    return [{"label": ACTIONS[e.action], "day": _day(e.day),
             "organization": body_of(e.to_organization_id),
             "note": e.note if e.action in ("acknowledged", "extended") else ""}
            for e in item.events if e.action in shown]


def as_dict(item: Item, role: str | None, today=None) -> dict[str, Any]:
    today = today or localtime.today()
    latest = item.answers[-1] if item.answers else None
    status, days = rules.standing(item.due, today) if item.state in rules.OPEN_STATES \
        else ("closed", 0)
    shown_answers = [_answer(reply, item.kind) for reply in item.answers] \
        if role or not item.private_answer else []
    found = {"id": item.id, "number": item.number, "kind": item.kind,
             "kind_label": rules.kind_label(item.kind), "state": item.state,
             "status_label": rules.status_label(item.kind, item.state,
                                                latest.outcome if latest else None),
             "title": item.public_title, "text": item.public_text,
             "target_url": item.target_url, "dataset": dataset_of(item.dataset_id),
             "resource_id": item.resource_id, "target_detail": item.target_detail,
             "organization": body_of(item.organization_id),
             "received_day": _day(item.received_day), "accepted_day": _day(item.accepted_day),
             "due": _day(item.due) if item.state in rules.OPEN_STATES else None,
             "standing": status, "days": days, "extended": item.extension > 0,
             "review": item.review_round > 0, "private_answer": item.private_answer,
             "answers": shown_answers, "answer_hidden": bool(item.answers) and not shown_answers,
             "rating": item.rating, "rating_label": _label("interaction_ratings", item.rating),
             "votes": item.votes, "steps": _public_steps(item)}
    if item.state in ("rejected", "merged"):
        found["reject_reason"] = item.reject_reason
        found["reject_reason_label"] = _label("interaction_reject_reasons", item.reject_reason)
    if item.merged_into:
        into = model.Session.get(Item, item.merged_into)
        found["merged_into"] = into.number if into else None
    if role == "sender":
        found.update(original_title=item.title, original_text=item.text,
                     can_rate=item.state == "answered" and item.rating is None)
    if role in ("handler", "moderator"):
        submitted = next((e for e in item.events if e.action == "submitted"), None)
        found.update(original_title=item.title, original_text=item.text,
                     sender={"name": item.sender_name, "email": item.sender_email,
                             "phone": item.sender_phone, "account": bool(item.sender_user_id)},
                     personal_found=submitted.data.get("personal", []) if submitted else [],
                     reject_note=item.reject_note, rating_note=item.rating_note,
                     events=[_event(e) for e in item.events], role=role)
    return found
