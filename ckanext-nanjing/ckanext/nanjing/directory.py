"""Every body (CKAN organization) of the platform, in pinyin order, as the
request form and the 网站地图 list them. CKAN's organization_list gives at
most 25 with all their fields (ckan.group_and_organization_list_all_fields_max),
so the list is read page by page."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .collation import pinyin_key

__all__ = ["all_organizations"]

PAGE = 25


def all_organizations(context: dict | None = None, include_extras: bool = False
                      ) -> list[dict[str, Any]]:
    found, offset = [], 0
    while True:
        page = tk.get_action("organization_list")(dict(context or {}), {
            "all_fields": True, "include_extras": include_extras,
            "limit": PAGE, "offset": offset, "sort": "name asc"})
        found.extend(page)
        if len(page) < PAGE:
            return sorted(found, key=lambda org: pinyin_key(org.get("title") or org["name"]))
        offset += PAGE
