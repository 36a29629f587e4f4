"""Tables of the requests for disclosure. Created by the migration in
migration/nanjing_requests/; the clock is computed from the events, so the
timeline is the one record of what happened."""
from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import (Boolean, Column, Date, DateTime, ForeignKey, Integer, LargeBinary,
                        UnicodeText)
from sqlalchemy.orm import relationship

from ckan.model.base import BaseModel
from ckan.model.types import make_uuid

__all__ = ["Request", "RequestEvent", "RequestLetter", "RequestFile", "RequestAppeal",
           "RequestSequence", "RequestNotice"]


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


class Request(BaseModel):
    __tablename__ = "nanjing_request"

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    number = Column(UnicodeText, nullable=False, unique=True)
    year = Column(Integer, nullable=False)
    organization_id = Column(UnicodeText, ForeignKey("group.id"), nullable=False)
    user_id = Column(UnicodeText, ForeignKey("user.id"), nullable=True)
    state = Column(UnicodeText, nullable=False)
    pause_kind = Column(UnicodeText, nullable=True)
    lookup_code_hash = Column(UnicodeText, nullable=False)

    applicant_type = Column(UnicodeText, nullable=False)
    applicant_category = Column(UnicodeText, nullable=False)
    applicant_name = Column(UnicodeText, nullable=False)
    id_type = Column(UnicodeText, nullable=False)
    id_number_encrypted = Column(UnicodeText, nullable=False)
    id_number_masked = Column(UnicodeText, nullable=False)
    applicant_key = Column(UnicodeText, nullable=False)  # keyed hash of the ID number
    phone = Column(UnicodeText, nullable=False, default="")
    email = Column(UnicodeText, nullable=False, default="")
    address = Column(UnicodeText, nullable=False, default="")

    description = Column(UnicodeText, nullable=False)
    doc_number = Column(UnicodeText, nullable=False, default="")
    purpose = Column(UnicodeText, nullable=False, default="")
    provision = Column(UnicodeText, nullable=False)
    delivery = Column(UnicodeText, nullable=False)
    fee_waiver = Column(Boolean, nullable=False, default=False)
    fee_waiver_reason = Column(UnicodeText, nullable=False, default="")
    channel = Column(UnicodeText, nullable=False, default="online")

    received = Column(Date, nullable=False)
    result = Column(UnicodeText, nullable=True)
    replied = Column(Date, nullable=True)
    extension_days = Column(Integer, nullable=False, default=0)
    published_package_id = Column(UnicodeText, nullable=True)
    created = Column(DateTime, nullable=False, default=_now)
    modified = Column(DateTime, nullable=False, default=_now)

    events = relationship("RequestEvent", order_by="RequestEvent.created",
                          cascade="all, delete-orphan", lazy="selectin")
    letters = relationship("RequestLetter", order_by="RequestLetter.created",
                           cascade="all, delete-orphan")
    files = relationship("RequestFile", order_by="RequestFile.created",
                         cascade="all, delete-orphan")
    appeals = relationship("RequestAppeal", order_by="RequestAppeal.created",
                           cascade="all, delete-orphan")


class RequestEvent(BaseModel):
    """One transition: who, when, and its data (items to correct, pause
    kind, extension days, reply result…). `day` is the date the law counts
    from (the day a correction came in, a pause started or ended)."""
    __tablename__ = "nanjing_request_event"

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    request_id = Column(UnicodeText, ForeignKey("nanjing_request.id", ondelete="CASCADE"),
                        nullable=False)
    transition = Column(UnicodeText, nullable=False)
    from_state = Column(UnicodeText, nullable=True)
    to_state = Column(UnicodeText, nullable=False)
    actor_id = Column(UnicodeText, ForeignKey("user.id"), nullable=True)
    actor_kind = Column(UnicodeText, nullable=False)  # applicant | handler | reviewer | system
    note = Column(UnicodeText, nullable=False, default="")
    data_json = Column("data", UnicodeText, nullable=False, default="{}")
    day = Column(Date, nullable=False)
    created = Column(DateTime, nullable=False, default=_now)

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.data_json or "{}")


class RequestLetter(BaseModel):
    """A letter as sent: its HTML is kept, so a later template change does
    not alter what the applicant received; PDF and DOCX are made from it."""
    __tablename__ = "nanjing_request_letter"

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    request_id = Column(UnicodeText, ForeignKey("nanjing_request.id", ondelete="CASCADE"),
                        nullable=False)
    event_id = Column(UnicodeText, ForeignKey("nanjing_request_event.id", ondelete="CASCADE"),
                      nullable=True)
    kind = Column(UnicodeText, nullable=False)
    title = Column(UnicodeText, nullable=False)
    html = Column(UnicodeText, nullable=False)
    text = Column(UnicodeText, nullable=False, default="")
    pdf = Column(LargeBinary, nullable=True)
    docx = Column(LargeBinary, nullable=True)
    created = Column(DateTime, nullable=False, default=_now)


class RequestFile(BaseModel):
    """A document provided with a reply, or sent in with a correction."""
    __tablename__ = "nanjing_request_file"

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    request_id = Column(UnicodeText, ForeignKey("nanjing_request.id", ondelete="CASCADE"),
                        nullable=False)
    event_id = Column(UnicodeText, ForeignKey("nanjing_request_event.id", ondelete="CASCADE"),
                      nullable=True)
    name = Column(UnicodeText, nullable=False)
    mimetype = Column(UnicodeText, nullable=False)
    size = Column(Integer, nullable=False)
    content = Column(LargeBinary, nullable=False)
    created = Column(DateTime, nullable=False, default=_now)


class RequestAppeal(BaseModel):
    """行政复议 or 行政诉讼 against a reply (the annual report's table 四)."""
    __tablename__ = "nanjing_request_appeal"

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    request_id = Column(UnicodeText, ForeignKey("nanjing_request.id", ondelete="CASCADE"),
                        nullable=False)
    kind = Column(UnicodeText, nullable=False)
    outcome = Column(UnicodeText, nullable=False)
    filed = Column(Date, nullable=False)
    decided = Column(Date, nullable=True)
    note = Column(UnicodeText, nullable=False, default="")
    created = Column(DateTime, nullable=False, default=_now)
    modified = Column(DateTime, nullable=False, default=_now)


class RequestSequence(BaseModel):
    """The last registration number given per prefix and year."""
    __tablename__ = "nanjing_request_sequence"

    prefix = Column(UnicodeText, primary_key=True)
    year = Column(Integer, primary_key=True)
    last = Column(Integer, nullable=False)


class RequestNotice(BaseModel):
    """A reminder or notice shown on the portal (and mailed once): the
    unique (request, kind, due) keeps a reminder from being sent twice."""
    __tablename__ = "nanjing_request_notice"

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    request_id = Column(UnicodeText, ForeignKey("nanjing_request.id", ondelete="CASCADE"),
                        nullable=False)
    kind = Column(UnicodeText, nullable=False)
    due = Column(Date, nullable=True)
    message = Column(UnicodeText, nullable=False)
    created = Column(DateTime, nullable=False, default=_now)
