"""互动交流: a message from the public (咨询, 建议, 投诉, 纠错, 数据异议,
数据需求), every step taken on it, the answers, and the "我也需要" votes
of data requests. Created by the migrations in
migration/nanjing_interaction/. Timestamps are naive UTC; legal days
(受理日期, 答复日期, due dates) are dates in the platform's time zone."""
from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import (Boolean, Column, Date, DateTime, ForeignKey, Integer, UnicodeText,
                        UniqueConstraint)
from sqlalchemy.orm import relationship

from ckan.model.base import BaseModel
from ckan.model.types import make_uuid

__all__ = ["Item", "Event", "Answer", "Vote", "Sequence"]


class Item(BaseModel):
    __tablename__ = "nanjing_interaction_item"

    id = Column(UnicodeText, primary_key=True, default=make_uuid)
    number = Column(UnicodeText, nullable=False, unique=True)
    kind = Column(UnicodeText, nullable=False)          # interaction_kinds
    state = Column(UnicodeText, nullable=False, default="submitted")
    title = Column(UnicodeText, nullable=False)
    text = Column(UnicodeText, nullable=False)          # as sent: handlers only
    public_title = Column(UnicodeText, nullable=False, default="")   # masked at 审看
    public_text = Column(UnicodeText, nullable=False, default="")
    # What it is about: a page, a dataset (and its resource), nothing.
    target_url = Column(UnicodeText, nullable=False, default="")
    dataset_id = Column(UnicodeText, nullable=True)
    resource_id = Column(UnicodeText, nullable=True)
    target_detail = Column(UnicodeText, nullable=False, default="")  # rows or columns
    organization_id = Column(UnicodeText, ForeignKey("group.id"), nullable=True)  # the body handling it
    sender_user_id = Column(UnicodeText, nullable=True)
    sender_name = Column(UnicodeText, nullable=False, default="")
    sender_email = Column(UnicodeText, nullable=False, default="")
    sender_phone = Column(UnicodeText, nullable=False, default="")
    private_answer = Column(Boolean, nullable=False, default=False)
    lookup_code_hash = Column(UnicodeText, nullable=False)
    received = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)
    received_day = Column(Date, nullable=False)
    accepted_day = Column(Date, nullable=True)           # 受理日期
    clock_start = Column(Date, nullable=True)            # accepted, or reopened for 复核
    due = Column(Date, nullable=True)
    extension = Column(Integer, nullable=False, default=0)
    review_round = Column(Integer, nullable=False, default=0)   # 1 once reopened for 复核
    reject_reason = Column(UnicodeText, nullable=True)
    reject_note = Column(UnicodeText, nullable=False, default="")
    merged_into = Column(UnicodeText, nullable=True)
    rating = Column(UnicodeText, nullable=True)
    rating_note = Column(UnicodeText, nullable=False, default="")
    rated_day = Column(Date, nullable=True)
    votes = Column(Integer, nullable=False, default=0)
    modified = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)

    events = relationship("Event", order_by="Event.id", cascade="all, delete-orphan",
                          lazy="selectin")
    answers = relationship("Answer", order_by="Answer.id", cascade="all, delete-orphan",
                           lazy="selectin")


class Event(BaseModel):
    """One step: who did what, from which state to which, with which body."""
    __tablename__ = "nanjing_interaction_event"

    id = Column(Integer, primary_key=True, autoincrement=True)
    item_id = Column(UnicodeText, ForeignKey("nanjing_interaction_item.id", ondelete="CASCADE"),
                     nullable=False, index=True)
    action = Column(UnicodeText, nullable=False)
    from_state = Column(UnicodeText, nullable=False)
    to_state = Column(UnicodeText, nullable=False)
    actor_id = Column(UnicodeText, nullable=True)
    actor_kind = Column(UnicodeText, nullable=False)    # public, moderator, handler, system
    from_organization_id = Column(UnicodeText, nullable=True)
    to_organization_id = Column(UnicodeText, nullable=True)
    note = Column(UnicodeText, nullable=False, default="")
    data_json = Column("data", UnicodeText, nullable=False, default="{}")
    at = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)
    day = Column(Date, nullable=False)

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.data_json or "{}")


class Answer(BaseModel):
    """A body's answer; a 复核 adds a second one and keeps the first."""
    __tablename__ = "nanjing_interaction_answer"

    id = Column(Integer, primary_key=True, autoincrement=True)
    item_id = Column(UnicodeText, ForeignKey("nanjing_interaction_item.id", ondelete="CASCADE"),
                     nullable=False, index=True)
    round = Column(Integer, nullable=False, default=0)
    organization_id = Column(UnicodeText, ForeignKey("group.id"), nullable=False)
    text = Column(UnicodeText, nullable=False)
    outcome = Column(UnicodeText, nullable=True)        # data requests and objections
    dataset_id = Column(UnicodeText, nullable=True)     # the data published for a request
    author_id = Column(UnicodeText, nullable=True)
    day = Column(Date, nullable=False)                  # 答复日期
    on_time = Column(Boolean, nullable=False, default=True)
    working_days = Column(Integer, nullable=False, default=0)
    at = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)


class Vote(BaseModel):
    """我也需要: one per account, or per address for visitors."""
    __tablename__ = "nanjing_interaction_vote"
    __table_args__ = (UniqueConstraint("item_id", "voter_key"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    item_id = Column(UnicodeText, ForeignKey("nanjing_interaction_item.id", ondelete="CASCADE"),
                     nullable=False)
    voter_key = Column(UnicodeText, nullable=False)
    at = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)


class Sequence(BaseModel):
    """The last number given in a year."""
    __tablename__ = "nanjing_interaction_sequence"

    year = Column(Integer, primary_key=True)
    last = Column(Integer, nullable=False, default=0)
