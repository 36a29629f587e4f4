"""The facts the yearly report counts, read from the requests' own records:
never typed in where the platform knows the figure."""
from __future__ import annotations

import datetime
from typing import Iterable

import ckan.model as model

from .. import localtime
from ..requests.api import Request, RequestAppeal, RequestEvent
from .tables import WITHDRAWN_ROW, AppealFacts, DocumentFacts, RequestFacts

__all__ = ["request_facts", "appeal_facts", "fees_collected", "fee_notices", "document_facts",
           "day_of", "published_on"]


def _scoped(query, organization_ids: Iterable[str] | None):
    if organization_ids is not None:
        query = query.filter(Request.organization_id.in_(list(organization_ids)))
    return query


def request_facts(organization_ids: Iterable[str] | None, last_day: datetime.date
                  ) -> list[RequestFacts]:
    """Every request received by `last_day` (None: of every organization).
    A reply concludes a request on its reply date; a withdrawal on the day
    of the withdrawal step."""
    requests = _scoped(model.Session.query(Request), organization_ids).filter(
        Request.received <= last_day).all()
    withdrawn_on = dict(
        model.Session.query(RequestEvent.request_id, RequestEvent.day)
        .filter(RequestEvent.transition == "withdraw",
                RequestEvent.request_id.in_([r.id for r in requests if r.state == "withdrawn"]))
        .all()) if requests else {}
    facts = []
    for request in requests:
        if request.state == "withdrawn":
            concluded, row = withdrawn_on.get(request.id, request.received), WITHDRAWN_ROW
        elif request.result:
            concluded, row = request.replied, request.result
        else:
            concluded, row = None, None
        facts.append(RequestFacts(category=request.applicant_category, received=request.received,
                                  concluded=concluded, row=row, number=request.number))
    return facts


def appeal_facts(organization_ids: Iterable[str] | None, year: int) -> list[AppealFacts]:
    query = _scoped(model.Session.query(RequestAppeal).join(
        Request, Request.id == RequestAppeal.request_id), organization_ids)
    rows = query.filter(RequestAppeal.filed >= datetime.date(year, 1, 1),
                        RequestAppeal.filed <= datetime.date(year, 12, 31)).all()
    return [AppealFacts(kind=a.kind, outcome=a.outcome, filed=a.filed, decided=a.decided)
            for a in rows]


def fees_collected(organization_ids: Iterable[str] | None, year: int) -> tuple[int, int]:
    """(元, number of payments) of 信息处理费 paid in `year`: each `fee_paid`
    step collects the amount of the fee notice before it."""
    query = _scoped(model.Session.query(RequestEvent).join(
        Request, Request.id == RequestEvent.request_id), organization_ids)
    events = query.filter(RequestEvent.transition.in_(["charge_fee", "fee_paid"])).order_by(
        RequestEvent.request_id, RequestEvent.created).all()
    total = count = 0
    charged: dict[str, int] = {}
    for event in events:
        if event.transition == "charge_fee":
            charged[event.request_id] = int(event.data.get("amount") or 0)
        elif event.day.year == year:
            total += charged.pop(event.request_id, 0)
            count += 1
    return total, count


def fee_notices(organization_ids: Iterable[str] | None, year: int) -> tuple[int, int]:
    """(元, number) of the 收费通知 sent in `year`: each `charge_fee` step."""
    query = _scoped(model.Session.query(RequestEvent).join(
        Request, Request.id == RequestEvent.request_id), organization_ids)
    events = query.filter(RequestEvent.transition == "charge_fee", RequestEvent.day.between(
        datetime.date(year, 1, 1), datetime.date(year, 12, 31))).all()
    return sum(int(event.data.get("amount") or 0) for event in events), len(events)


def day_of(value) -> datetime.date | None:
    """The day of a date field as stored (YYYY-MM-DD…), or None."""
    try:
        return datetime.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def published_on(package: model.Package) -> datetime.date | None:
    """The day a record came out: its 发布日期 or 成文日期, else the day it
    was created on the platform."""
    extras = package.extras
    created = package.metadata_created
    return (day_of(extras.get("release_date") or extras.get("issued_date"))
            or (localtime.date_of(created) if created else None))


def document_facts(organization_ids: Iterable[str] | None) -> list[DocumentFacts]:
    """The published `policy_document` records that are rules or normative
    documents (their 文件类型), with the dates table 二 counts them by."""
    query = model.Session.query(model.Package).filter(
        model.Package.type == "policy_document", model.Package.state == "active",
        model.Package.private.is_(False),
        model.Package.extras["document_kind"].astext.in_(["rule", "normative"]))
    if organization_ids is not None:
        query = query.filter(model.Package.owner_org.in_(list(organization_ids)))
    return [DocumentFacts(kind=package.extras["document_kind"], name=package.name,
                          title=package.title or package.name,
                          issued=day_of(package.extras.get("issued_date")),
                          validity=package.extras.get("validity") or "in_force",
                          repealed=day_of(package.extras.get("repealed_date")))
            for package in query.all()]
