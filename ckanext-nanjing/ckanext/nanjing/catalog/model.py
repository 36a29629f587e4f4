from __future__ import annotations

import datetime

from sqlalchemy import Column, DateTime, ForeignKey, UnicodeText

import ckan.model as model
from ckan.model.base import BaseModel
from ckan.model.types import make_uuid

__all__ = ["Review"]


class Review(BaseModel):
    """One event in the review of a withheld (不予公开) catalog entry:
    submitted, approved or returned. The latest event is the entry's status."""

    __tablename__ = "nanjing_review"

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"),
                        nullable=False)
    event = Column(UnicodeText, nullable=False)
    user_id = Column(UnicodeText, ForeignKey("user.id"), nullable=True)
    comment = Column(UnicodeText, nullable=False, default="")
    created = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)

    @classmethod
    def latest(cls, package_id: str) -> "Review | None":
        return (model.Session.query(cls).filter(cls.package_id == package_id)
                .order_by(cls.created.desc(), cls.id.desc()).first())

    @classmethod
    def history(cls, package_id: str) -> list["Review"]:
        return (model.Session.query(cls).filter(cls.package_id == package_id)
                .order_by(cls.created, cls.id).all())
