"""What a request looks like in an API answer, a page or a letter: the
dict `role` (handler, reviewer, applicant) may see; the ID number is never
in it, and an applicant sees only what was addressed to them."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model

from . import clock, results
from .model import Request, RequestAppeal, RequestEvent
from .schema import CATEGORIES, CHANNELS, DELIVERIES, ID_TYPES, PROVISIONS
from .states import PAUSE_KINDS, STATES, TRANSITIONS

__all__ = ["APPEAL_KINDS", "APPEAL_OUTCOMES", "APPLICANT_LETTERS", "request_dict", "appeal_dict",
           "organization_of", "organization_of_id"]

APPEAL_KINDS = {"reconsideration": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）",
                "litigation_after": "行政诉讼（复议后起诉）"}
APPEAL_OUTCOMES = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果",
                   "pending": "尚未审结"}
# Letters addressed to the applicant (the others go to a third party or an agency).
APPLICANT_LETTERS = frozenset(["receipt", "correction", "extension", "fee", "reply"])
# The data of a step the applicant sees; the rest (the third party's name and
# answer, the extension's internal reasons, delivery records) is the body's.
APPLICANT_EVENT_DATA = frozenset(["items", "reply_within", "text", "days", "method", "pages",
                                  "amount", "breakdown", "result", "where", "files",
                                  "channel", "channel_label", "reason"])


def organization_of(request: Request) -> dict[str, str]:
    return organization_of_id(request.organization_id)


def organization_of_id(organization_id: str) -> dict[str, str]:
    org = model.Group.get(organization_id)
    return {"id": org.id, "name": org.name, "title": org.title or org.name}


def _actor(event: RequestEvent, role: str, org_title: str) -> str:
    if event.actor_kind == "applicant":
        return "申请人"
    if role == "applicant" or event.actor_id is None:
        return org_title if event.actor_kind != "system" else "系统"
    user = model.User.get(event.actor_id)
    return (user.fullname or user.name) if user else org_title


def request_dict(request: Request, role: str, today: datetime.date | None = None
                 ) -> dict[str, Any]:
    """What `role` may see of a request; the ID number is never in it."""
    org = organization_of(request)
    result = results.get(request.result or "")
    applicant = {
        "type": request.applicant_type, "category": request.applicant_category,
        "category_label": CATEGORIES.get(request.applicant_category, ""),
        "name": request.applicant_name, "id_type": request.id_type,
        "id_type_label": ID_TYPES.get(request.id_type, ""),
        "id_number_masked": request.id_number_masked, "phone": request.phone,
        "email": request.email, "address": request.address,
    }
    events = []
    for event in request.events:
        transition = TRANSITIONS.get(event.transition)
        entry = {
            "id": event.id, "transition": event.transition,
            "label": transition.label if transition else "登记",
            "from_state": event.from_state, "to_state": event.to_state,
            "actor": _actor(event, role, org["title"]), "day": event.day.isoformat(),
            "created": event.created.isoformat(), "data": event.data,
        }
        if role == "applicant":
            # What was addressed to the applicant, not the handlers' notes or
            # what a third party or another agency was asked and answered.
            entry["data"] = {key: value for key, value in event.data.items()
                             if key in APPLICANT_EVENT_DATA}
        else:
            entry["note"] = event.note
        events.append(entry)
    return {
        "id": request.id, "number": request.number, "organization": org,
        "state": request.state, "state_label": STATES.get(request.state, request.state),
        "pause_kind": request.pause_kind,
        "pause_label": PAUSE_KINDS.get(request.pause_kind or "", ""),
        "applicant": applicant,
        "description": request.description, "doc_number": request.doc_number,
        "purpose": request.purpose, "provision": request.provision,
        "provision_label": PROVISIONS.get(request.provision, ""),
        "delivery": request.delivery, "delivery_label": DELIVERIES.get(request.delivery, ""),
        "fee_waiver": request.fee_waiver, "fee_waiver_reason": request.fee_waiver_reason,
        "channel": request.channel, "channel_label": CHANNELS.get(request.channel, ""),
        "received": request.received.isoformat(), "created": request.created.isoformat(),
        "replied": request.replied.isoformat() if request.replied else None,
        "deadline": clock.deadline_dict(request, today),
        "extension_days": request.extension_days,
        "result": request.result, "result_label": result.label if result else None,
        "result_group": result.group if result else None,
        "result_article": result.article if result else None,
        "result_group_label": results.GROUPS.get(result.group) if result else None,
        "events": events,
        "letters": [{"id": letter.id, "kind": letter.kind, "title": letter.title,
                     "created": letter.created.isoformat(), "event_id": letter.event_id}
                    for letter in request.letters
                    if role != "applicant" or letter.kind in APPLICANT_LETTERS],
        "files": [{"id": f.id, "name": f.name, "size": f.size, "mimetype": f.mimetype,
                   "event_id": f.event_id} for f in request.files],
        "appeals": [appeal_dict(appeal) for appeal in request.appeals],
        "published_package_id": request.published_package_id,
        "role": role,
    }


def appeal_dict(appeal: RequestAppeal) -> dict[str, Any]:
    return {"id": appeal.id, "kind": appeal.kind, "kind_label": APPEAL_KINDS[appeal.kind],
            "outcome": appeal.outcome, "outcome_label": APPEAL_OUTCOMES[appeal.outcome],
            "filed": appeal.filed.isoformat(),
            "decided": appeal.decided.isoformat() if appeal.decided else None,
            "note": appeal.note}
