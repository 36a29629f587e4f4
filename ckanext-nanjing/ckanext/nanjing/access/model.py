"""Tables of conditional access (有条件开放), created by the migration in
migration/nanjing_access/. A grant is what lets an account read the data
of a conditional dataset; the access log is every read made through one."""
from __future__ import annotations

import datetime
import json

from sqlalchemy import BigInteger, Column, Date, DateTime, ForeignKey, UnicodeText

from ckan.model.base import BaseModel
from ckan.model.types import make_uuid

__all__ = ["Grant", "AccessLog", "GRANT_STATES"]

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
    application_id = Column(UnicodeText, nullable=True)
    created = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)
    changed = Column(DateTime, nullable=False, default=datetime.datetime.utcnow,
                     onupdate=datetime.datetime.utcnow)

    @property
    def resource_ids(self) -> list[str] | None:
        return json.loads(self.resource_ids_json) if self.resource_ids_json else None

    @resource_ids.setter
    def resource_ids(self, value: list[str] | None) -> None:
        self.resource_ids_json = json.dumps(list(value)) if value else None

    @property
    def fields(self) -> list[str] | None:
        return json.loads(self.fields_json) if self.fields_json else None

    @fields.setter
    def fields(self, value: list[str] | None) -> None:
        self.fields_json = json.dumps(list(value), ensure_ascii=False) if value else None


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
