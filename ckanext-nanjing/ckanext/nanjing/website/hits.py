"""浏览量 and 下载量, counted from nginx's access log (the “combined”
format nginx writes by default), not by CKAN's tracking plugin: nginx logs
every request, the ones its micro-cache answers and the downloads made by
curl or ckanapi too, while CKAN's tracking counts only pages whose script
ran and downloads clicked in a browser, and adds a database query per
result and resource to every search and package_show.

`ckan nanjing count-hits` (every ten minutes under the demo's supervisord)
reads the log from where it stopped and adds, per public record and day,
the distinct visitors of its page and of each download (a visitor is a
hash of address and browser, kept one day in Redis, never stored). Crawlers
and the platform's own link checker are not counted; nor are errors,
private records, or lines that do not parse (they are counted as skipped)."""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import os
import re
from collections import defaultdict
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert

from .. import localtime
from .model import Hits, HitsLog

__all__ = ["Outcome", "count", "totals", "MAX_LINE"]

MAX_LINE = 16 * 1024      # a longer line is not nginx's: skipped
SEEN_DAYS = 3             # how long a visitor's key is kept in Redis
COMBINED = re.compile(
    r'^(?P<address>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] '
    r'"(?P<method>[A-Z]+) (?P<target>\S+)(?: [^"]*)?" (?P<status>\d{3}) \S+ '
    r'"(?:[^"\\]|\\.)*" "(?P<agent>(?:[^"\\]|\\.)*)"')
LOCALE = r"(?:/[A-Za-z]{2}(?:_[A-Za-z]+)*)?"
PAGE = re.compile(rf"^{LOCALE}/(?P<type>[a-z_]+)/(?P<id>[A-Za-z0-9_-]+)/?$")
DOWNLOAD = re.compile(
    rf"^{LOCALE}/(?P<type>[a-z_]+)/(?P<id>[A-Za-z0-9_-]+)/resource/(?P<resource>[A-Za-z0-9-]+)"
    r"/download(?:/[^/]*)?$")
EXPORT = re.compile(rf"^{LOCALE}/(?:resource/(?P<resource>[A-Za-z0-9-]+)/export\.(?:csv|xlsx|json)"
                    r"|datastore/dump/(?P<dump>[A-Za-z0-9-]+))$")
# Declared crawlers, monitors and the platform's own link check.
ROBOTS = re.compile(r"bot\b|bot/|spider|crawl|slurp|archiver|bingpreview|feedfetcher|monitor|"
                    r"uptime|ckanext-nanjing-link-check", re.IGNORECASE)
# Words of CKAN's routes under a dataset type that are not a record's name.
NOT_A_NAME = frozenset(["new", "edit", "changes", "changes_multiple", "activity", "groups",
                        "followers", "resources", "collaborators", "autocomplete"])
PAGE_STATUSES = frozenset(["200", "304"])
DOWNLOAD_STATUSES = frozenset(["200", "206", "302", "304"])


@dataclasses.dataclass
class Outcome:
    lines: int = 0
    views: int = 0
    downloads: int = 0
    skipped: int = 0        # lines that are not nginx's combined format


def _day(stamp: str) -> datetime.date | None:
    try:
        moment = datetime.datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S %z")
    except ValueError:
        return None
    return localtime.local(moment).date()


class _Records:
    """Public records and resources by name or id, looked up once a run."""

    def __init__(self):
        self.packages: dict[str, str | None] = {}
        self.resources: dict[str, str | None] = {}

    def package(self, ident: str, url_type: str) -> str | None:
        key = f"{url_type}/{ident}"
        if key not in self.packages:
            found = model.Package.get(ident)
            public = (found is not None and found.state == "active" and not found.private
                      and url_type in (found.type, "dataset"))
            self.packages[key] = found.id if public else None
        return self.packages[key]

    def resource(self, ident: str, package_id: str | None = None) -> str | None:
        """The id of the public record a resource belongs to."""
        if ident not in self.resources:
            found = model.Resource.get(ident)
            owner = model.Package.get(found.package_id) if found is not None else None
            public = (found is not None and found.state == "active" and owner is not None
                      and owner.state == "active" and not owner.private)
            self.resources[ident] = owner.id if public else None
        owner_id = self.resources[ident]
        return owner_id if package_id in (None, owner_id) else None


def _what(target: str, status: str, records: _Records) -> tuple[str, str, str] | None:
    """("view" or "download", package id, resource id or "") of a request."""
    path = target.split("?", 1)[0].split("#", 1)[0]
    if status in DOWNLOAD_STATUSES:
        found = DOWNLOAD.match(path)
        if found:
            package_id = records.package(found["id"], found["type"])
            if package_id and records.resource(found["resource"], package_id):
                return "download", package_id, found["resource"]
            return None
        found = EXPORT.match(path)
        if found:
            resource_id = found["resource"] or found["dump"]
            package_id = records.resource(resource_id)
            return ("download", package_id, resource_id) if package_id else None
    if status in PAGE_STATUSES:
        found = PAGE.match(path)
        if found and found["id"] not in NOT_A_NAME:
            package_id = records.package(found["id"], found["type"])
            return ("view", package_id, "") if package_id else None
    return None


def _first_visit(redis, day: datetime.date, visitor: str, what: tuple[str, str, str]) -> bool:
    key = f"{tk.config.get('ckan.site_id')}:nanjing:hits:{day.isoformat()}"
    member = hashlib.sha256("|".join((visitor, *what)).encode()).hexdigest()[:24]
    added = redis.sadd(key, member)
    if added:
        redis.expire(key, SEEN_DAYS * 86400)
    return bool(added)


def _lines(path: str, offset: int):
    """(line, offset after it) from `offset`; an unfinished last line (nginx
    still writing it) is left for the next run."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        while True:
            raw = stream.readline(MAX_LINE + 1)
            if not raw or not raw.endswith(b"\n"):
                if len(raw) > MAX_LINE:      # too long: skip to its end
                    while raw and not raw.endswith(b"\n"):
                        raw = stream.readline(MAX_LINE + 1)
                    yield None, stream.tell()
                    continue
                return
            yield raw.decode("utf-8", "replace"), stream.tell()


def count(path: str | None = None) -> Outcome:
    """Read the access log from where the last run stopped and add its views
    and downloads. Raises FileNotFoundError when there is no log."""
    path = path or tk.config.get("ckanext.nanjing.hits.access_log")
    if not path:
        raise FileNotFoundError("未配置 ckanext.nanjing.hits.access_log")
    stat = os.stat(path)
    mark = model.Session.get(HitsLog, path)
    offset = mark.offset if mark and mark.inode == stat.st_ino and mark.offset <= stat.st_size \
        else 0
    outcome, records, redis = Outcome(), _Records(), connect_to_redis()
    added: dict[tuple[str, str, datetime.date], list[int]] = defaultdict(lambda: [0, 0])
    for line, offset in _lines(path, offset):
        outcome.lines += 1
        found = COMBINED.match(line) if line is not None else None
        day = _day(found["time"]) if found else None
        if found is None or day is None:
            outcome.skipped += 1
            continue
        if found["method"] != "GET" or ROBOTS.search(found["agent"]):
            continue
        what = _what(found["target"], found["status"], records)
        if what is None or not _first_visit(redis, day, f"{found['address']}|{found['agent']}",
                                             what):
            continue
        kind, package_id, resource_id = what
        cell = added[(package_id, resource_id, day)]
        if kind == "view":
            cell[0] += 1
            outcome.views += 1
        else:
            cell[1] += 1
            outcome.downloads += 1
    _store(added)
    mark = mark or HitsLog(path=path)
    mark.inode, mark.offset, mark.updated = stat.st_ino, offset, datetime.datetime.utcnow()
    model.Session.add(mark)
    model.Session.commit()
    return outcome


def _store(added: dict[tuple[str, str, datetime.date], list[int]]) -> None:
    for (package_id, resource_id, day), (views, downloads) in added.items():
        row = insert(Hits).values(package_id=package_id, resource_id=resource_id, day=day,
                                  views=views, downloads=downloads)
        model.Session.execute(row.on_conflict_do_update(
            index_elements=["package_id", "resource_id", "day"],
            set_={"views": Hits.views + views, "downloads": Hits.downloads + downloads}))


def totals(package_id: str) -> dict[str, Any]:
    """{"views", "downloads", "resources": {resource id: downloads}} of a record, all days."""
    rows = model.Session.query(Hits.resource_id, func.sum(Hits.views), func.sum(Hits.downloads)
                               ).filter(Hits.package_id == package_id
                                        ).group_by(Hits.resource_id).all()
    resources = {resource_id: int(downloads or 0) for resource_id, _views, downloads in rows
                 if resource_id}
    return {"views": sum(int(views or 0) for _r, views, _d in rows),
            "downloads": sum(resources.values()), "resources": resources}
