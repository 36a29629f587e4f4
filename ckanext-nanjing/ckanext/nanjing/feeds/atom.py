"""Atom feeds of the change log, in Chinese: `/feeds/changes.atom`, all
public changes or those of one type, body or 领域, newest first, withdrawn
and deleted records marked as such. Built on CKAN's feeds: the feed class
is the one CKAN's IFeed gives (ours, `ChineseFeed`, which CKAN's own
/feeds/ use too), so both speak Chinese. CKAN 2.12's own /feeds/ pages keep
CKAN's paging links, which are broken (`?query=page&query=10.75`: its
_feed_url keeps only the last parameter); these feeds page correctly."""
from __future__ import annotations

import math
import urllib.parse
from typing import Any

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan.views.feed import CKANFeed
from sqlalchemy import func

from .. import codelists, localtime
from . import changes
from .model import Change
from .outbox import CHANGES, TOMBSTONES

__all__ = ["ChineseFeed", "PAGE_SIZE", "MAX_PAGE", "changes_feed"]

PAGE_SIZE = 50
MAX_PAGE = 200
LANGUAGE = "zh-CN"


class ChineseFeed(CKANFeed):
    """CKAN's feed, declared Chinese: CKAN always passes "en"."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs["language"] = LANGUAGE
        super().__init__(*args, **kwargs)


def _feed_class():
    feed_class = CKANFeed
    for plugin in plugins.PluginImplementations(plugins.IFeed):
        if hasattr(plugin, "get_feed_class"):
            feed_class = plugin.get_feed_class()
    return feed_class


def _url(filters: dict[str, str], page: int | None = None) -> str:
    params = {k: v for k, v in filters.items() if v}
    if page and page > 1:
        params["page"] = str(page)
    query = urllib.parse.urlencode(params)
    return tk.h.url_for("nanjing_feeds.changes", _external=True) + (f"?{query}" if query else "")


def _title(filters: dict[str, str]) -> str:
    parts = []
    if filters.get("type"):
        parts.append(tk.h.nanjing_type_label(filters["type"]))
    if filters.get("organization"):
        body = model.Group.get(filters["organization"])
        parts.append(body.title if body else filters["organization"])
    if filters.get("area"):
        parts.append(codelists.get("areas").label_of(filters["area"], "zh_Hans_CN"))
    site = tk.config.get("ckan.site_title")
    return f"{site} · 最新变更" + (f"（{'、'.join(parts)}）" if parts else "")


def _entry_link(row: Change) -> str:
    if row.change in TOMBSTONES:
        return tk.config.get("ckan.site_url").rstrip("/") + "/"
    return tk.h.url_for(f"{row.object_type}.read", id=row.name, _external=True)


def _add(feed, row: Change) -> None:
    item = row.item or {}
    label = CHANGES.get(row.change, {}).get("zh", row.change)
    title = item.get("title") or row.title or row.name
    summary = "该记录已撤回，不再公开。" if row.change == "withdrawn" else (
        "该记录已删除。" if row.change == "deleted" else item.get("notes") or "")
    moment = localtime.local(row.occurred)
    categories = [CHANGES.get(row.change, {}).get("zh", row.change),
                  tk.h.nanjing_type_label(row.object_type)]
    if row.area:
        categories.append(codelists.get("areas").label_of(row.area, "zh_Hans_CN"))
    feed.add_item(
        title=f"【{label}】{title}", link=_entry_link(row), description=summary,
        updated=moment, published=moment,
        unique_id=f"tag:{urllib.parse.urlsplit(tk.config.get('ckan.site_url')).hostname},"
                  f"2026:change/{row.seq}",
        categories=categories)


def changes_feed(filters: dict[str, str], page: int) -> str:
    """The Atom document of a page of changes (newest first)."""
    query = changes.final(filters)
    total = query.with_entities(func.count(Change.seq)).scalar() or 0
    last = min(max(1, math.ceil(total / PAGE_SIZE)), MAX_PAGE)
    page = min(page, last)
    rows = (query.order_by(Change.txid.desc(), Change.seq.desc())
            .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).all())
    feed = _feed_class()(
        _title(filters), tk.config.get("ckan.site_url").rstrip("/") + "/",
        "政务公开与开放数据的发布、更新、撤回和删除", language=LANGUAGE,
        author_name=tk.config.get("ckan.site_title"), feed_guid=_url(filters),
        feed_url=_url(filters, page), previous_page=_url(filters, page - 1) if page > 1 else None,
        next_page=_url(filters, page + 1) if page < last else None,
        first_page=_url(filters), last_page=_url(filters, last))
    for row in reversed(rows):   # feedgen puts each entry before the others
        _add(feed, row)
    return feed.writeString("utf-8")
