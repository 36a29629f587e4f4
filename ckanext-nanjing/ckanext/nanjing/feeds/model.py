"""The change log (outbox) of public changes. Created by the migrations in
migration/nanjing_feeds/. A row is written in the transaction of the change
it records; `txid` is that transaction's id, so a reader takes only rows of
transactions that have ended (every row of a transaction older than the
oldest one still running is final) and never skips one that commits late."""
from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import (BigInteger, Boolean, Column, DateTime, ForeignKey, Integer, UnicodeText,
                        text)

from ckan.model.base import BaseModel

__all__ = ["Change", "FeedState", "Endpoint", "Delivery", "Attempt", "Subscription"]


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


class Endpoint(BaseModel):
    """A webhook receiver an administrator registered. It reads the change
    log from its own position, so a paused endpoint loses nothing: resumed,
    it carries on from where it stopped (within the log's retention)."""
    __tablename__ = "nanjing_feeds_endpoint"

    id = Column(UnicodeText, primary_key=True)
    url = Column(UnicodeText, nullable=False)
    description = Column(UnicodeText, nullable=False, default="")
    filters_json = Column("filters", UnicodeText, nullable=False, default="{}")
    secret = Column(UnicodeText, nullable=False)
    # After a rotation the previous secret signs too, until it expires.
    previous_secret = Column(UnicodeText, nullable=True)
    previous_expires = Column(DateTime, nullable=True)
    state = Column(UnicodeText, nullable=False, default="active")   # active, paused, disabled
    state_reason = Column(UnicodeText, nullable=False, default="")
    after_txid = Column(BigInteger, nullable=False, default=0)
    after_seq = Column(BigInteger, nullable=False, default=0)
    created = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)
    created_by = Column(UnicodeText, nullable=False, default="")
    failing_since = Column(DateTime, nullable=True)
    last_success = Column(DateTime, nullable=True)

    @property
    def filters(self) -> dict[str, str]:
        return json.loads(self.filters_json or "{}")


class Delivery(BaseModel):
    """One change for one endpoint: a message with a fixed id, sent until the
    receiver answers 2xx or the retry schedule ends. The body is kept, so a
    replay sends the same message after the change log was pruned."""
    __tablename__ = "nanjing_feeds_delivery"

    id = Column(BigInteger, primary_key=True, autoincrement=True)
    endpoint_id = Column(UnicodeText, ForeignKey("nanjing_feeds_endpoint.id", ondelete="CASCADE"),
                         nullable=False)
    seq = Column(BigInteger, nullable=False)
    message_id = Column(UnicodeText, nullable=False)
    event_type = Column(UnicodeText, nullable=False)
    body = Column(UnicodeText, nullable=False)
    status = Column(UnicodeText, nullable=False, default="pending")   # pending, delivered, failed
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt = Column(DateTime, nullable=True)
    last_code = Column(Integer, nullable=True)
    last_error = Column(UnicodeText, nullable=False, default="")
    created = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)
    delivered = Column(DateTime, nullable=True)


class Attempt(BaseModel):
    """Each time a message was sent, and what came of it."""
    __tablename__ = "nanjing_feeds_attempt"

    id = Column(BigInteger, primary_key=True, autoincrement=True)
    delivery_id = Column(BigInteger, ForeignKey("nanjing_feeds_delivery.id", ondelete="CASCADE"),
                         nullable=False)
    at = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)
    code = Column(Integer, nullable=True)
    error = Column(UnicodeText, nullable=False, default="")
    milliseconds = Column(Integer, nullable=False, default=0)
    replay = Column(Boolean, nullable=False, default=False)


class Subscription(BaseModel):
    """A signed-in user follows a body, a 领域, a dataset or a saved search
    and gets a mail of what changed, daily or weekly. Like an endpoint it
    reads the change log from its own position: a mail that could not be
    sent leaves the position where it was, and the next digest carries it."""
    __tablename__ = "nanjing_feeds_subscription"

    id = Column(UnicodeText, primary_key=True)
    user_id = Column(UnicodeText, nullable=False, index=True)
    kind = Column(UnicodeText, nullable=False)          # organization, area, dataset, search
    target = Column(UnicodeText, nullable=False)        # a name, an area code, an id, a query
    label = Column(UnicodeText, nullable=False, default="")
    frequency = Column(UnicodeText, nullable=False, default="daily")   # daily, weekly
    token = Column(UnicodeText, nullable=False, unique=True)   # the unsubscribe link's
    after_txid = Column(BigInteger, nullable=False, default=0)
    after_seq = Column(BigInteger, nullable=False, default=0)
    created = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)
    last_sent = Column(DateTime, nullable=True)
