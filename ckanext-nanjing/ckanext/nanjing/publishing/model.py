from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, UnicodeText

import ckan.model as model
from ckan.model.base import BaseModel

__all__ = ["Validation", "PublishRequest"]


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


class Validation(BaseModel):
    """The gate's verdict on the current file of one tabular resource.

    `url`, `last_modified` and `schema_hash` say which version of the file
    and of the dataset's Table Schema the verdict is about; when either
    changes the verdict is stale and the resource is validated again."""

    __tablename__ = "nanjing_validation"

    resource_id = Column(UnicodeText, primary_key=True)
    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"),
                        nullable=False)
    status = Column(UnicodeText, nullable=False)
    url = Column(UnicodeText, nullable=False, default="")
    last_modified = Column(UnicodeText, nullable=False, default="")
    schema_hash = Column(UnicodeText, nullable=False, default="")
    sha256 = Column(UnicodeText, nullable=True)
    encoding = Column(UnicodeText, nullable=True)
    row_count = Column(BigInteger, nullable=True)
    error_count = Column(Integer, nullable=True)
    report = Column(UnicodeText, nullable=False, default="{}")
    job_id = Column(UnicodeText, nullable=True)
    load_status = Column(UnicodeText, nullable=True)
    load_message = Column(UnicodeText, nullable=False, default="")
    loaded_sha256 = Column(UnicodeText, nullable=True)
    created = Column(DateTime, nullable=False, default=_now)
    updated = Column(DateTime, nullable=False, default=_now, onupdate=_now)

    @classmethod
    def get(cls, resource_id: str) -> "Validation | None":
        return model.Session.get(cls, resource_id)

    @classmethod
    def for_package(cls, package_id: str) -> list["Validation"]:
        return model.Session.query(cls).filter(cls.package_id == package_id).all()

    @property
    def report_dict(self) -> dict[str, Any]:
        return json.loads(self.report or "{}")


class PublishRequest(BaseModel):
    """A dataset to make public as soon as all its tabular resources pass:
    how harvesters and the catalog loader publish big files."""

    __tablename__ = "nanjing_publish_request"

    package_id = Column(UnicodeText, ForeignKey("package.id", ondelete="CASCADE"),
                        primary_key=True)
    user_name = Column(UnicodeText, nullable=True)
    created = Column(DateTime, nullable=False, default=_now)
