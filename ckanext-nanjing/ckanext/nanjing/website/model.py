"""Tables of the website: views and downloads counted from nginx's access
log (hits.py), one row per record, resource and day, and how far each log
has been read. Created by migration/nanjing/versions/5c2d8e1a9f30."""
from __future__ import annotations

import datetime

from sqlalchemy import BigInteger, Column, Date, DateTime, Integer, UnicodeText

from ckan.model.base import BaseModel

__all__ = ["Hits", "HitsLog"]


class Hits(BaseModel):
    """Distinct visitors of a record's page (`resource_id` empty) and of
    each of its downloads (`resource_id` set), per day."""
    __tablename__ = "nanjing_hits"

    package_id = Column(UnicodeText, primary_key=True)
    resource_id = Column(UnicodeText, primary_key=True, default="")
    day = Column(Date, primary_key=True)
    views = Column(Integer, nullable=False, default=0)
    downloads = Column(Integer, nullable=False, default=0)


class HitsLog(BaseModel):
    """Where the counter stopped in an access log (a new inode, or a file
    shorter than that, is a rotated log: read from its start)."""
    __tablename__ = "nanjing_hits_log"

    path = Column(UnicodeText, primary_key=True)
    inode = Column(BigInteger, nullable=False)
    offset = Column(BigInteger, nullable=False)
    updated = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)
