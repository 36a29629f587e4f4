"""One site search over every kind of record the portal publishes, with a
tab per kind and its count: the header's search box led to CKAN's
/dataset/ (records of CKAN's default type only) and the home page's to
/open_dataset/, two different catalogs."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .. import paging

__all__ = ["TYPES", "PAGE_SIZE", "MAX_QUERY", "site_search"]

# The portal's record types, in the order of the tabs; "dataset" is CKAN's
# own type (scheming's ckan_dataset), which API clients and DCAT harvests use.
TYPES = ("open_dataset", "gkml_item", "policy_document", "policy_interpretation",
         "service_item", "power_item", "dataset")
PAGE_SIZE = 20
MAX_QUERY = 200
# Solr is asked for at most this many pages deep (start = 100 × 20).
MAX_PAGE = 100


def _types_filter(selected: str | None) -> str:
    fq = "+dataset_type:(" + " OR ".join(TYPES) + ")"
    return fq + (f" +dataset_type:{selected}" if selected else "")


def site_search(context: dict[str, Any], q: str, selected: str | None, page: int) -> dict[str, Any]:
    """Results of `q` among `selected` (every type when None), the page
    asked for (kept within the pages there are), and each type's count.
    Without a tab the query that counts the types brings the page too."""
    search = tk.get_action("package_search")
    counts = search(dict(context), {
        "q": q, "fq": _types_filter(None), "facet.field": ["dataset_type"], "facet.limit": -1,
        "rows": 0 if selected else PAGE_SIZE, "start": 0 if selected else (page - 1) * PAGE_SIZE})
    by_type = {item["name"]: item["count"]
               for item in counts["search_facets"].get("dataset_type", {}).get("items", [])}
    total = by_type.get(selected, 0) if selected else counts["count"]
    shown = paging.within(page, total, PAGE_SIZE, MAX_PAGE)
    found = counts
    if selected or shown != page:
        found = search(dict(context), {"q": q, "fq": _types_filter(selected), "rows": PAGE_SIZE,
                                       "start": (shown - 1) * PAGE_SIZE})
    return {"results": found["results"], "count": found["count"], "page_number": shown,
            "tabs": [{"type": None, "count": counts["count"]}]
                    + [{"type": kind, "count": by_type.get(kind, 0)} for kind in TYPES]}
