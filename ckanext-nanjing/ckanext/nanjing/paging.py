"""Pages of a listing the portal builds itself (the 政务公开目录, the site
search, the handlers' queue): the ?page= number as typed, kept within the
pages there are, and CKAN's pager over them, its links keeping the
listing's search and filters."""
from __future__ import annotations

import math
from typing import Any, Mapping

import ckan.plugins.toolkit as tk
from ckan.lib.pagination import Page

__all__ = ["requested_page", "within", "pager"]


def requested_page(args: Mapping[str, str], highest: int | None = None) -> int:
    """?page= as a positive whole number, 1 when missing or not one (ASCII
    digits only: "²" is a digit to str.isdigit but not to int), at most
    `highest`."""
    value = args.get("page", "")
    page = int(value) if value.isascii() and value.isdigit() and int(value) > 0 else 1
    return min(page, highest) if highest else page


def within(page: int, item_count: int, per_page: int, highest: int | None = None) -> int:
    """The page nearest `page` among those `item_count` items fill."""
    pages = max(1, math.ceil(item_count / per_page))
    return min(max(page, 1), min(pages, highest) if highest else pages)


def pager(endpoint: str, page: int, item_count: int, per_page: int,
          params: Mapping[str, Any]) -> Page:
    """CKAN's Page for `endpoint`'s listing; its links keep the `params`
    that are set."""
    kept = {key: value for key, value in params.items() if value}

    def page_url(page: int, **_ignored: Any) -> str:
        return tk.h.url_for(endpoint, page=page, **kept)
    return Page(collection=[], page=page, url=page_url, item_count=item_count,
                items_per_page=per_page)
