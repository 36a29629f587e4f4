"""Tables of conditional access (有条件开放), created by the migrations in
migration/nanjing_access/. An account's real-name profile; applications,
their steps (the clock is computed from them, as for requests), their
attachments and agreements; the grant an accepted agreement issues, with
its use reports; and the access log, every read made through one."""
from __future__ import annotations

import datetime
import json

from typing import Any

from sqlalchemy import (BigInteger, Column, Date, DateTime, ForeignKey, Integer, LargeBinary,
                        UnicodeText)
from sqlalchemy.orm import relationship

from ckan.model.base import BaseModel
from ckan.model.types import make_uuid

__all__ = ["Grant", "AccessLog", "GRANT_STATES", "Profile", "Application", "ApplicationEvent",
           "ApplicationFile", "Agreement", "UseReport", "ApplicationSequence"]


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


class _JsonList:
    """A JSON list column read and written as a Python list (None: all)."""

    def __init__(self, column: str):
        self.column = column

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        raw = getattr(obj, self.column)
        return json.loads(raw) if raw else None

    def __set__(self, obj, value) -> None:
        setattr(obj, self.column, json.dumps(list(value), ensure_ascii=False) if value else None)


# expired is not stored: a grant is expired once its last day has passed.
GRANT_STATES = ("active", "suspended", "revoked")


class Grant(BaseModel):
    __tablename__ = "nanjing_access_grant"

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    user_id = Column(UnicodeText, ForeignKey("user.id"), nullable=False)
    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"),
                        nullable=False)
    organization_id = Column(UnicodeText, ForeignKey("group.id"), nullable=False)
    # JSON lists; NULL: every resource, every field of the dataset.
    resource_ids_json = Column("resource_ids", UnicodeText, nullable=True)
    fields_json = Column("fields", UnicodeText, nullable=True)
    starts_on = Column(Date, nullable=False)
    ends_on = Column(Date, nullable=False)
    state = Column(UnicodeText, nullable=False, default="active")
    state_reason = Column(UnicodeText, nullable=False, default="")
    application_id = Column(UnicodeText, ForeignKey("nanjing_access_application.id"),
                            nullable=True)
    created = Column(DateTime, nullable=False, default=_now)
    changed = Column(DateTime, nullable=False, default=_now, onupdate=_now)

    resource_ids = _JsonList("resource_ids_json")
    fields = _JsonList("fields_json")


class AccessLog(BaseModel):
    __tablename__ = "nanjing_access_log"

    id = Column(BigInteger, primary_key=True, autoincrement=True)
    at = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)
    user_id = Column(UnicodeText, nullable=True)
    grant_id = Column(UnicodeText, nullable=True)
    package_id = Column(UnicodeText, nullable=False)
    resource_id = Column(UnicodeText, nullable=True)
    path = Column(UnicodeText, nullable=False)
    basis = Column(UnicodeText, nullable=False)
    rows = Column(BigInteger, nullable=True)
    bytes = Column(BigInteger, nullable=True)


class Profile(BaseModel):
    """Who an account is in real life, asked once before a first application.
    The ID number and phone are sealed (`sealing`) and shown masked; none of
    it goes into the user dict, Solr or the activity stream."""
    __tablename__ = "nanjing_access_profile"

    user_id = Column(UnicodeText, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind = Column(UnicodeText, nullable=False)            # individual | organisation
    real_name = Column(UnicodeText, nullable=False)
    id_type = Column(UnicodeText, nullable=False)         # id_card | passport | other | credit_code
    id_number_sealed = Column(UnicodeText, nullable=False)
    id_number_masked = Column(UnicodeText, nullable=False)
    contact_person = Column(UnicodeText, nullable=False, default="")
    phone_sealed = Column(UnicodeText, nullable=False)
    phone_masked = Column(UnicodeText, nullable=False)
    created = Column(DateTime, nullable=False, default=_now)
    changed = Column(DateTime, nullable=False, default=_now, onupdate=_now)


class Application(BaseModel):
    """An application for the data of one conditional dataset (申请获取)."""
    __tablename__ = "nanjing_access_application"

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    number = Column(UnicodeText, nullable=False, unique=True)
    user_id = Column(UnicodeText, ForeignKey("user.id"), nullable=False)
    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"),
                        nullable=False)
    organization_id = Column(UnicodeText, ForeignKey("group.id"), nullable=False)
    state = Column(UnicodeText, nullable=False)
    # The applicant as the profile said on the day (masked only).
    applicant_kind = Column(UnicodeText, nullable=False)
    applicant_name = Column(UnicodeText, nullable=False)
    applicant_id_masked = Column(UnicodeText, nullable=False)

    purpose = Column(UnicodeText, nullable=False)
    scenario = Column(UnicodeText, nullable=False)
    resource_ids_json = Column("resource_ids", UnicodeText, nullable=True)
    fields_json = Column("fields", UnicodeText, nullable=True)
    starts_on = Column(Date, nullable=False)
    ends_on = Column(Date, nullable=False)
    delivery = Column(UnicodeText, nullable=False)        # download | api | both
    security = Column(UnicodeText, nullable=False)

    received = Column(Date, nullable=False)
    decided = Column(Date, nullable=True)
    decision_reason = Column(UnicodeText, nullable=False, default="")
    approved_resource_ids_json = Column("approved_resource_ids", UnicodeText, nullable=True)
    approved_fields_json = Column("approved_fields", UnicodeText, nullable=True)
    approved_starts_on = Column(Date, nullable=True)
    approved_ends_on = Column(Date, nullable=True)
    created = Column(DateTime, nullable=False, default=_now)
    changed = Column(DateTime, nullable=False, default=_now, onupdate=_now)

    resource_ids = _JsonList("resource_ids_json")
    fields = _JsonList("fields_json")
    approved_resource_ids = _JsonList("approved_resource_ids_json")
    approved_fields = _JsonList("approved_fields_json")

    events = relationship("ApplicationEvent", order_by="ApplicationEvent.created",
                          cascade="all, delete-orphan", lazy="selectin")
    files = relationship("ApplicationFile", order_by="ApplicationFile.created",
                         cascade="all, delete-orphan")
    agreement = relationship("Agreement", uselist=False, cascade="all, delete-orphan")


class ApplicationEvent(BaseModel):
    """One step: who, when, and its data. `day` is the date the clock counts."""
    __tablename__ = "nanjing_access_application_event"

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    application_id = Column(UnicodeText, ForeignKey("nanjing_access_application.id",
                                                    ondelete="CASCADE"), nullable=False)
    transition = Column(UnicodeText, nullable=False)
    from_state = Column(UnicodeText, nullable=True)
    to_state = Column(UnicodeText, nullable=False)
    actor_id = Column(UnicodeText, ForeignKey("user.id"), nullable=True)
    actor_kind = Column(UnicodeText, nullable=False)  # applicant | steward | reviewer | system
    note = Column(UnicodeText, nullable=False, default="")
    data_json = Column("data", UnicodeText, nullable=False, default="{}")
    day = Column(Date, nullable=False)
    created = Column(DateTime, nullable=False, default=_now)

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.data_json or "{}")


class ApplicationFile(BaseModel):
    """An attachment: the application form, the 安全承诺书, a correction's papers."""
    __tablename__ = "nanjing_access_application_file"

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    application_id = Column(UnicodeText, ForeignKey("nanjing_access_application.id",
                                                    ondelete="CASCADE"), nullable=False)
    event_id = Column(UnicodeText, ForeignKey("nanjing_access_application_event.id",
                                              ondelete="CASCADE"), nullable=True)
    kind = Column(UnicodeText, nullable=False)
    name = Column(UnicodeText, nullable=False)
    mimetype = Column(UnicodeText, nullable=False)
    size = Column(Integer, nullable=False)
    content = Column(LargeBinary, nullable=False)
    created = Column(DateTime, nullable=False, default=_now)


class Agreement(BaseModel):
    """The 数据利用协议 as generated on approval (its HTML is kept, so a later
    template change does not alter it) and, once accepted, the record of
    acceptance: which template version, the hash of the text, when, from where."""
    __tablename__ = "nanjing_access_agreement"

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    application_id = Column(UnicodeText, ForeignKey("nanjing_access_application.id",
                                                    ondelete="CASCADE"),
                            nullable=False, unique=True)
    template_version = Column(UnicodeText, nullable=False)
    title = Column(UnicodeText, nullable=False)
    html = Column(UnicodeText, nullable=False)
    text = Column(UnicodeText, nullable=False)
    text_sha256 = Column(UnicodeText, nullable=False)
    created = Column(DateTime, nullable=False, default=_now)
    accepted_at = Column(DateTime, nullable=True)
    accepted_by = Column(UnicodeText, ForeignKey("user.id"), nullable=True)
    client_address = Column(UnicodeText, nullable=True)


class UseReport(BaseModel):
    """利用情况/成果反馈: what a grant holder reports of the data's use."""
    __tablename__ = "nanjing_access_use_report"

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    grant_id = Column(UnicodeText, ForeignKey("nanjing_access_grant.id", ondelete="CASCADE"),
                      nullable=False)
    user_id = Column(UnicodeText, ForeignKey("user.id"), nullable=False)
    usage = Column(UnicodeText, nullable=False)
    outcomes = Column(UnicodeText, nullable=False, default="")
    benefits = Column(UnicodeText, nullable=False, default="")
    created = Column(DateTime, nullable=False, default=_now)


class ApplicationSequence(BaseModel):
    """The last application number given per year."""
    __tablename__ = "nanjing_access_sequence"

    year = Column(Integer, primary_key=True)
    last = Column(Integer, nullable=False)
