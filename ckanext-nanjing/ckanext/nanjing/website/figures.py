"""The public counts of records, kept in one place: what anyone can find,
counted by Solr exactly as the catalog searches count it (public, active
records; never a private or draft one, whoever is signed in). The home
page, 公开情况 (/openness) and its export read these; the 政务公开目录 and the
site search count with the same searches. The requests for disclosure are
counted by the requests' own `nanjing_request_stats`."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["RECORD_TYPES", "record_counts"]

RECORD_TYPES = ("gkml_item", "open_dataset", "policy_document", "service_item")
PROACTIVE = "gkml_proactive"   # entries disclosed proactively (主动公开)


def _search(fq: str) -> dict[str, Any]:
    # No user: package_search then counts public records only.
    return tk.get_action("package_search")({"user": "", "ignore_auth": True}, {
        "fq": fq, "rows": 0, "include_private": False, "include_drafts": False,
        "facet.field": ["organization", "area"], "facet.limit": -1})


def _items(result: dict[str, Any], field: str) -> list[dict[str, Any]]:
    return result["search_facets"].get(field, {}).get("items", [])


def record_counts() -> dict[str, Any]:
    """{"totals": {type: n}, "areas": {type: {area: n}},
    "organizations": {name: {"name", "title", type: n, …}}}; a body appears
    once it has a public record. `gkml_proactive` counts the entries
    disclosed proactively."""
    totals: dict[str, int] = {}
    areas: dict[str, dict[str, int]] = {}
    organizations: dict[str, dict[str, Any]] = {}
    searches = {kind: f"+dataset_type:{kind}" for kind in RECORD_TYPES}
    searches[PROACTIVE] = "+dataset_type:gkml_item +disclosure_attribute:proactive"
    for key, fq in searches.items():
        result = _search(fq)
        totals[key] = result["count"]
        areas[key] = {item["name"]: item["count"] for item in _items(result, "area")}
        for item in _items(result, "organization"):
            body = organizations.setdefault(item["name"], {
                "name": item["name"], "title": item.get("display_name") or item["name"]})
            body[key] = item["count"]
    return {"totals": totals, "areas": areas, "organizations": organizations}
