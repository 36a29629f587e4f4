"""The access log: every read of conditional or withheld data, with the
grant (or membership) it was made under, what was read and how much.

Written in a short transaction of its own: a read is recorded even when
the request's own session rolls back, and the log never commits half of
someone else's work."""
from __future__ import annotations

import ckan.model as model

from .model import AccessLog
from .rule import Reader, Verdict

__all__ = ["record", "PATHS"]

PATHS = {
    "download": "文件下载",
    "dump": "DataStore 导出（dump）",
    "export": "表格下载",
    "preview": "数据预览",
    "datastore_search": "datastore_search",
    "datastore_search_sql": "datastore_search_sql",
    "datastore_info": "datastore_info",
}


def record(who: Reader, verdict: Verdict, path: str, package_id: str,
           resource_id: str | None, rows: int | None = None,
           size: int | None = None) -> None:
    if not verdict.logged:
        return
    with model.meta.engine.begin() as connection:
        connection.execute(AccessLog.__table__.insert().values(
            user_id=who.user_id, grant_id=verdict.grant_id, package_id=package_id,
            resource_id=resource_id, path=path, basis=verdict.basis, rows=rows, bytes=size))
