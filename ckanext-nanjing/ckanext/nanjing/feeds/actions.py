"""The JSON change feed: `nanjing_changes`."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ..actionkit import bounded_int
from . import changes

__all__ = ["nanjing_changes"]

DEFAULT_LIMIT = 100


def _text(data_dict: dict[str, Any], key: str) -> str:
    value = data_dict.get(key)
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > 200:
        raise tk.ValidationError({key: [f"{key} 应为不超过 200 个字符的文本"]})
    return value.strip()


@tk.side_effect_free
def nanjing_changes(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Every public change after `since` (the `next_cursor` of the previous
    page; empty: from the start), at most `limit` (0–1000, default 100),
    optionally of one `type`, `organization` (name) or `area`: {"changes":
    [{seq, change, at, type, id, name, organization, area, tombstone, item}],
    "next_cursor", "has_more"}. `item` is the record as package_show gave it
    to the public at that moment; a tombstone (withdrawn, deleted) has none."""
    tk.check_access("nanjing_changes", context, data_dict)
    limit = bounded_int(data_dict.get("limit"), DEFAULT_LIMIT, "limit", changes.MAX_LIMIT)
    filters = {key: _text(data_dict, key) for key in changes.FILTERS}
    try:
        return changes.page(_text(data_dict, "since"), limit, filters)
    except changes.BadCursor:
        raise tk.ValidationError({"since": ["游标无效：请使用上一页返回的 next_cursor，"
                                            "或不传 since 从头读取"]})
    except changes.ExpiredCursor:
        raise tk.ValidationError({"since": ["游标已过期：其后的变更记录已清理。请先用 package_search "
                                            "重新同步全部数据，再不带 since 读取变更"]})
