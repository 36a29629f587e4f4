"""The access log: every read of conditional or withheld data, with the
grant (or membership) it was made under, what was read and how much.

Written in a short transaction of its own: a read is recorded even when
the request's own session rolls back, and the log never commits half of
someone else's work."""
from __future__ import annotations

import flask

import ckan.model as model

from .model import AccessLog
from .rule import Reader, Verdict

__all__ = ["record", "logging_whole_read", "whole_read_is_logged"]


def logging_whole_read() -> None:
    """A download or dump logs itself once: the pages of datastore_search
    it reads for this request are not logged again."""
    flask.g.nanjing_access_logged = True


def whole_read_is_logged() -> bool:
    try:
        return bool(getattr(flask.g, "nanjing_access_logged", False))
    except RuntimeError:  # outside a request
        return False


def record(who: Reader, verdict: Verdict, path: str, package_id: str,
           resource_id: str | None, rows: int | None = None,
           size: int | None = None) -> None:
    if not verdict.logged:
        return
    with model.meta.engine.begin() as connection:
        connection.execute(AccessLog.__table__.insert().values(
            user_id=who.user_id, grant_id=verdict.grant_id, package_id=package_id,
            resource_id=resource_id, path=path, basis=verdict.basis, rows=rows, bytes=size))
