"""The public disclosure catalog (政务公开目录) as a tree:
area → 一级事项 → 二级事项 → entries."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

import ckan.plugins.toolkit as tk

from .. import codelists, language

__all__ = ["catalog_tree", "MAX_ENTRIES"]

# One page holds the whole catalog; a district's catalog has a few hundred rows.
MAX_ENTRIES = 1000


def catalog_tree(context: dict[str, Any], organization: str | None = None,
                 area: str | None = None) -> dict[str, Any]:
    fq = ["+dataset_type:gkml_item"]
    if organization:
        fq.append(f'+organization:"{organization}"')
    if area:
        fq.append(f'+area:"{area}"')
    result = tk.get_action("package_search")(context, {
        "fq": " ".join(fq), "rows": MAX_ENTRIES,
        "facet.field": ["organization", "area"], "facet.limit": -1,
    })
    lang = language.current()
    areas = codelists.get("areas")
    order = {item["value"]: index for index, item in enumerate(areas.values)}

    grouped: dict[str, dict[str, dict[str, list]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list)))
    for entry in result["results"]:
        entry = dict(entry, channel_labels=[
            codelists.get("channels").label_of(c, lang) for c in codelists.values_of(entry.get("channels"))])
        grouped[entry.get("area", "")][entry.get("level1_item", "")][
            entry.get("level2_item", "")].append(entry)

    tree = []
    for area_value in sorted(grouped, key=lambda value: order.get(value, len(order))):
        level1 = [
            {"name": name, "level2": [
                {"name": name2, "entries": sorted(entries, key=lambda e: e.get("item_code", ""))}
                for name2, entries in sorted(children.items())]}
            for name, children in sorted(grouped[area_value].items())]
        tree.append({"value": area_value, "label": areas.label_of(area_value, lang),
                     "count": sum(len(l2["entries"]) for l1 in level1 for l2 in l1["level2"]),
                     "level1": level1})
    return {
        "tree": tree, "count": result["count"], "truncated": result["count"] > MAX_ENTRIES,
        "organizations": result["search_facets"].get("organization", {}).get("items", []),
        "areas": result["search_facets"].get("area", {}).get("items", []),
    }
