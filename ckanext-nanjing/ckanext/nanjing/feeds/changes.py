"""Reading the change log: a page of changes after an opaque cursor, in the
order their transactions ended, never one that is still being written."""
from __future__ import annotations

import base64
import binascii
import datetime
import re
from typing import Any

import ckan.model as model
from sqlalchemy import text, tuple_

from .. import localtime
from .model import Change, FeedState
from .outbox import CHANGES, TOMBSTONES

__all__ = ["MAX_LIMIT", "FILTERS", "BadCursor", "ExpiredCursor", "encode", "decode", "horizon",
           "entry", "final", "page", "prune", "unsettled", "end_of_log"]

MAX_LIMIT = 1000
# The filters a reader may set, and the column each narrows.
FILTERS = {"type": Change.object_type, "organization": Change.organization,
           "area": Change.area}
CURSOR = re.compile(r"^v1:(\d{1,19}):(\d{1,19})$")


class BadCursor(ValueError):
    """Not a cursor this feed gave."""


class ExpiredCursor(ValueError):
    """The changes after it were pruned: resynchronise."""


def encode(txid: int, seq: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{txid}:{seq}".encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[int, int]:
    if not cursor:
        return 0, 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor(cursor)
    found = CURSOR.match(raw)
    if not found:
        raise BadCursor(cursor)
    return int(found.group(1)), int(found.group(2))


def horizon() -> int:
    """Transactions below this id have all ended: their rows are final."""
    return int(model.Session.execute(
        text("SELECT (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint")).scalar())


def final(filters: dict[str, str]):
    """The changes of ended transactions, narrowed by `filters`."""
    query = model.Session.query(Change).filter(Change.txid < horizon())
    for field, column in FILTERS.items():
        if filters.get(field):
            query = query.filter(column == filters[field])
    return query


def entry(row: Change) -> dict[str, Any]:
    return {"seq": row.seq, "change": row.change, "change_label": CHANGES.get(
                row.change, {}).get("zh", row.change),
            "at": localtime.local(row.occurred).isoformat(timespec="seconds"),
            "type": row.object_type, "id": row.object_id, "name": row.name, "title": row.title,
            "organization": row.organization, "area": row.area,
            "tombstone": row.change in TOMBSTONES, "item": row.item}


def page(cursor: str, limit: int, filters: dict[str, str]) -> dict[str, Any]:
    position = decode(cursor)
    state = model.Session.get(FeedState, 1)
    # A new client (no cursor) starts from what is kept; an old cursor would
    # silently miss the pruned changes.
    if cursor and state is not None and position < (state.pruned_txid, state.pruned_seq):
        raise ExpiredCursor(cursor)
    query = final(filters).filter(tuple_(Change.txid, Change.seq) > tuple_(*position))
    rows = query.order_by(Change.txid, Change.seq).limit(limit + 1).all()
    more = len(rows) > limit
    rows = rows[:limit]
    last = (rows[-1].txid, rows[-1].seq) if rows else position
    return {"changes": [entry(row) for row in rows], "next_cursor": encode(*last),
            "has_more": more}


def prune(before: datetime.datetime) -> int:
    """Delete the changes recorded before `before` (UTC); a cursor older than
    what is left is then refused as expired."""
    ended = horizon()
    old = model.Session.query(Change).filter(Change.occurred < before, Change.txid < ended)
    newest = old.order_by(Change.txid.desc(), Change.seq.desc()).first()
    if newest is None:
        return 0
    mark = (newest.txid, newest.seq)
    count = model.Session.query(Change).filter(
        tuple_(Change.txid, Change.seq) <= tuple_(*mark)).delete(synchronize_session=False)
    state = model.Session.get(FeedState, 1) or FeedState(id=1)
    state.pruned_txid, state.pruned_seq = mark
    model.Session.add(state)
    model.Session.commit()
    return count


def unsettled() -> bool:
    """Whether some committed change still waits for an older transaction to end."""
    return bool(model.Session.execute(text(
        "SELECT EXISTS (SELECT 1 FROM nanjing_feeds_change WHERE txid >= "
        "(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint)")).scalar())


def end_of_log() -> tuple[int, int]:
    """The position of the last final change: a new reader starts there."""
    last = final({}).order_by(Change.txid.desc(), Change.seq.desc()).first()
    return (last.txid, last.seq) if last else (0, 0)
