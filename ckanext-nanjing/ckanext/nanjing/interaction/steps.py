"""Every step a message goes through, each recorded as an Event: sent,
审看 (accepted or rejected, or merged into another), assigned to a body,
sent back or passed on (转办), acknowledged, extended, answered, rated (a
不满意 reopens it once for 复核, on a clock of its own), and voted for."""
from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import func, text

import ckan.model as model

from .. import localtime, lookupcodes, personal_data, workdays
from . import access, rules
from .model import Answer, Event, Item, Vote

__all__ = ["submit", "accept", "reject", "merge", "assign", "send_back", "transfer",
           "acknowledge", "extend", "answer", "rate", "remind", "vote", "recount_votes"]


def _event(item: Item, action: str, to_state: str, actor: model.User | None, actor_kind: str,
           *, note: str = "", from_org: str | None = None, to_org: str | None = None,
           **data: Any) -> Event:
    event = Event(action=action, from_state=item.state, to_state=to_state,
                  actor_id=actor.id if actor else None, actor_kind=actor_kind,
                  from_organization_id=from_org, to_organization_id=to_org, note=note,
                  data_json=json.dumps(data, ensure_ascii=False), day=localtime.today())
    item.events.append(event)
    item.state = to_state
    item.modified = event.at = _utcnow()
    return event


def _utcnow() -> datetime.datetime:
    return datetime.datetime.utcnow()


def _next_number(year: int) -> str:
    last = model.Session.execute(text(
        "INSERT INTO nanjing_interaction_sequence (year, last) VALUES (:year, 1) "
        "ON CONFLICT (year) DO UPDATE SET last = nanjing_interaction_sequence.last + 1 "
        "RETURNING last"), {"year": year}).scalar()
    return f"HD{year}-{last:05d}"


def submit(fields: dict[str, Any], user: model.User | None) -> tuple[Item, str]:
    """A new message and its 查询码 (shown to the sender only once)."""
    today = localtime.today()
    code = lookupcodes.new_code()
    public_title, found_in_title = personal_data.mask_text(fields["title"])
    public_text, found_in_text = personal_data.mask_text(fields["text"])
    item = Item(number=_next_number(today.year), kind=fields["kind"], state="submitted",
                title=fields["title"], text=fields["text"], public_title=public_title,
                public_text=public_text, target_url=fields.get("target_url", ""),
                dataset_id=fields.get("dataset_id"), resource_id=fields.get("resource_id"),
                target_detail=fields.get("target_detail", ""),
                sender_user_id=user.id if user else None,
                sender_name=fields.get("name", ""), sender_email=fields.get("email", ""),
                sender_phone=fields.get("phone", ""),
                private_answer=bool(fields.get("private_answer")),
                lookup_code_hash=lookupcodes.code_hash(code, access.CODE_PURPOSE),
                received_day=today, received=_utcnow())
    model.Session.add(item)
    found = sorted(set(found_in_title) | set(found_in_text))
    _event(item, "submitted", "submitted", user, "public", personal=found)
    return item, code


def _start_clock(item: Item) -> None:
    item.clock_start = localtime.today()
    item.extension = 0
    item.due = rules.due_date(item.clock_start, item.kind)


def accept(item: Item, actor: model.User, *, public_title: str | None, public_text: str | None,
           note: str = "") -> None:
    """Taken (受理): the clock starts; the public text is masked again, so
    a moderator's edit cannot put personal data back."""
    if public_title:
        item.public_title = personal_data.mask_text(public_title)[0]
    if public_text:
        item.public_text = personal_data.mask_text(public_text)[0]
    item.accepted_day = localtime.today()
    _start_clock(item)
    _event(item, "accepted", "accepted", actor, "moderator", note=note)


def reject(item: Item, actor: model.User, reason: str, note: str) -> None:
    item.reject_reason, item.reject_note = reason, note
    _event(item, "rejected", "rejected", actor, "moderator", note=note, reason=reason)


def merge(item: Item, into: Item, actor: model.User, note: str) -> None:
    """A duplicate joins the message it repeats; its sender counts as one
    more who needs the data."""
    item.merged_into, item.reject_reason, item.reject_note = into.id, "duplicate", note
    _event(item, "merged", "merged", actor, "moderator", note=note, into=into.number)
    model.Session.flush()
    recount_votes(into)


def assign(item: Item, organization_id: str, actor: model.User, note: str) -> None:
    previous = item.organization_id
    item.organization_id = organization_id
    _event(item, "assigned", "reviewing" if item.state == "reviewing" else "assigned", actor,
           "moderator", note=note, from_org=previous, to_org=organization_id)


def send_back(item: Item, actor: model.User, reason: str) -> None:
    """Not ours: back to the office to route again. The clock runs on."""
    previous = item.organization_id
    item.organization_id = None
    _event(item, "sent_back", "accepted", actor, "handler", note=reason, from_org=previous,
           review=item.state == "reviewing")


def transfer(item: Item, organization_id: str, actor: model.User, actor_kind: str,
             reason: str) -> None:
    """转办: passed to another body, with a reason. The clock runs on."""
    previous = item.organization_id
    item.organization_id = organization_id
    _event(item, "transferred", item.state, actor, actor_kind, note=reason, from_org=previous,
           to_org=organization_id)


def acknowledge(item: Item, actor: model.User, note: str) -> None:
    """A note of progress ("已转××办理"): shown, but not an answer."""
    _event(item, "acknowledged", item.state, actor, "handler", note=note)


def extend(item: Item, actor: model.User, reason: str) -> None:
    item.extension = rules.extension_for(item.kind)
    item.due = rules.due_date(item.clock_start, item.kind, item.extension)
    _event(item, "extended", item.state, actor, "handler", note=reason,
           days=item.extension, due=item.due.isoformat())


def answer(item: Item, actor: model.User, text_: str, outcome: str | None,
           dataset_id: str | None) -> Answer:
    today = localtime.today()
    reply = Answer(round=item.review_round, organization_id=item.organization_id, text=text_,
                   outcome=outcome, dataset_id=dataset_id, author_id=actor.id, day=today,
                   on_time=item.due is None or today <= item.due,
                   working_days=workdays.working_days_between(item.clock_start, today))
    item.answers.append(reply)
    _event(item, "answered", "answered", actor, "handler", outcome=outcome,
           dataset=dataset_id, review=item.review_round > 0)
    return reply


def rate(item: Item, actor: model.User | None, rating: str, note: str) -> bool:
    """The sender's one rating. 不满意 on the first answer reopens the item
    for 复核 with the same body and a new clock; answers True then."""
    item.rating, item.rating_note, item.rated_day = rating, note, localtime.today()
    _event(item, "rated", item.state, actor, "public", note=note, rating=rating)
    if rating == "dissatisfied" and item.review_round == 0:
        item.review_round = 1
        _start_clock(item)
        _event(item, "reopened", "reviewing", actor, "system", note="评价为不满意，转入复核")
        return True
    return False


def remind(item: Item, standing: str) -> None:
    """Recorded so that the same reminder is not sent twice."""
    _event(item, "reminded", item.state, None, "system", standing=standing,
           due=item.due.isoformat())


def recount_votes(item: Item) -> None:
    merged = model.Session.query(func.count(Item.id)).filter(Item.merged_into == item.id).scalar()
    votes = model.Session.query(func.count(Vote.id)).filter(Vote.item_id == item.id).scalar()
    item.votes = int(merged or 0) + int(votes or 0)


def vote(item: Item, voter_key: str) -> bool:
    """我也需要: False when this account or address has voted already."""
    added = model.Session.execute(text(
        "INSERT INTO nanjing_interaction_vote (item_id, voter_key, at) "
        "VALUES (:item, :key, now() at time zone 'utc') "
        "ON CONFLICT (item_id, voter_key) DO NOTHING RETURNING id"),
        {"item": item.id, "key": voter_key}).scalar()
    if added is None:
        return False
    recount_votes(item)
    return True
