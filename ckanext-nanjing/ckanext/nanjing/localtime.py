"""The platform's one "today": the date and time in Nanjing.

Every legal date (a request's receipt, its deadlines, a letter's date, a
reminder, the yearly report's year, the day supervision counts to) is a
date in the platform's time zone, `ckanext.nanjing.timezone`
(`Asia/Shanghai` unless configured), whatever zone the machine runs in:
a server on UTC would otherwise live on yesterday from 00:00 to 08:00 in
Nanjing, and a request sent at 06:05 on 1 January would be counted in the
year before.

Stored timestamps stay naive UTC, as CKAN keeps its own; `local()` turns
one into the platform's time for showing and for the date it fell on.
"""
from __future__ import annotations

import datetime
import functools
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["zone", "now", "today", "local", "date_of", "cn_date", "DEFAULT_ZONE"]

DEFAULT_ZONE = "Asia/Shanghai"


@functools.lru_cache(maxsize=8)
def _zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        import ckan.plugins.toolkit as tk
        raise tk.ValidationError({"ckanext.nanjing.timezone": [
            f"时区“{name}”不存在；请填写 IANA 时区名，例如 Asia/Shanghai"]}) from error


def zone() -> ZoneInfo:
    """The platform's time zone (`ckanext.nanjing.timezone`)."""
    # Imported here: the identifier checks (and so this module) are also
    # used where CKAN is not loaded, such as the benchmarks' children.
    import ckan.plugins.toolkit as tk

    name = tk.config.get("ckanext.nanjing.timezone") or DEFAULT_ZONE
    return _zone_named(str(name).strip())


def now() -> datetime.datetime:
    """The platform's time now, aware of its zone."""
    return datetime.datetime.now(zone())


def today() -> datetime.date:
    """The platform's date now: the day it is in Nanjing."""
    return now().date()


def local(stamp: datetime.datetime) -> datetime.datetime:
    """A stored timestamp (naive UTC, or aware) in the platform's zone."""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=datetime.timezone.utc)
    return stamp.astimezone(zone())


def date_of(stamp: datetime.datetime) -> datetime.date:
    """The platform's date a stored timestamp fell on."""
    return local(stamp).date()


def cn_date(value: Any) -> str:
    """2026-12-03 → 2026年12月3日 (dates, datetimes or ISO strings)."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            try:
                value = datetime.date.fromisoformat(value.strip()[:10])
            except ValueError:
                return value
    return f"{value.year}年{value.month}月{value.day}日"
