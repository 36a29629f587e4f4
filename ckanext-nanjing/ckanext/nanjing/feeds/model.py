"""The change log (outbox) of public changes. Created by the migrations in
migration/nanjing_feeds/. A row is written in the transaction of the change
it records; `txid` is that transaction's id, so a reader takes only rows of
transactions that have ended (every row of a transaction older than the
oldest one still running is final) and never skips one that commits late."""
from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Integer, UnicodeText, text

from ckan.model.base import BaseModel

__all__ = ["Change", "FeedState"]


class Change(BaseModel):
    __tablename__ = "nanjing_feeds_change"

    seq = Column(BigInteger, primary_key=True, autoincrement=True)   # only grows
    txid = Column(BigInteger, nullable=False,
                  server_default=text("(pg_current_xact_id()::text)::bigint"))
    occurred = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)
    change = Column(UnicodeText, nullable=False)        # created, updated, withdrawn, …
    object_type = Column(UnicodeText, nullable=False)   # the dataset type
    object_id = Column(UnicodeText, nullable=False)
    name = Column(UnicodeText, nullable=False, default="")
    title = Column(UnicodeText, nullable=False, default="")   # kept by tombstones too
    organization = Column(UnicodeText, nullable=False, default="")
    area = Column(UnicodeText, nullable=False, default="")
    # What anonymous package_show gave at that moment; null for a tombstone.
    item_json = Column("item", UnicodeText, nullable=True)

    @property
    def item(self) -> dict[str, Any] | None:
        return json.loads(self.item_json) if self.item_json else None


class FeedState(BaseModel):
    """One row: the position up to which old changes were pruned. A cursor
    before it asks for changes that are gone: the client must resynchronise."""
    __tablename__ = "nanjing_feeds_state"

    id = Column(Integer, primary_key=True, default=1)
    pruned_txid = Column(BigInteger, nullable=False, default=0)
    pruned_seq = Column(BigInteger, nullable=False, default=0)
