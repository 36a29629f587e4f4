"""The public disclosure catalog (政务公开目录) as a tree:
area → 一级事项 → 二级事项 → entries, a page of entries at a time, searchable
and filtered by body, area and 公开层级. Each entry carries what was
published for it (its 公开内容链接, with the linked datasets' titles)."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

import ckan.plugins.toolkit as tk

from .. import codelists, identifiers, language, paging

__all__ = ["catalog_tree", "MAX_ENTRIES", "PAGE_SIZE"]

# The search fetches a whole catalog (a district's has a few hundred rows)
# to order it as the official tree; a page shows PAGE_SIZE of its entries.
MAX_ENTRIES = 1000
PAGE_SIZE = 20



def catalog_tree(context: dict[str, Any], organization: str | None = None,
                 area: str | None = None, level: str | None = None,
                 q: str | None = None, page: int = 1) -> dict[str, Any]:
    fq = ["+dataset_type:gkml_item"]
    if organization:
        fq.append(f'+organization:"{organization}"')
    if area:
        fq.append(f'+area:"{area}"')
    if level:
        fq.append(f'+disclosure_level:"{level}"')
    result = tk.get_action("package_search")(context, {
        "q": q or "", "fq": " ".join(fq), "rows": MAX_ENTRIES,
        "facet.field": ["organization", "area", "disclosure_level"], "facet.limit": -1,
    })
    lang = language.current()
    areas = codelists.get("areas")
    entries = sorted(result["results"], key=lambda e: (
        areas.position(e.get("area", "")), e.get("level1_item") or "",
        e.get("level2_item") or "", e.get("item_code") or ""))

    page = paging.within(page, len(entries), PAGE_SIZE)
    shown = entries[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    published = _published_datasets(context, shown)
    channels = codelists.get("channels")
    shown = [dict(entry, channel_labels=[channels.label_of(c, lang)
                                         for c in codelists.values_of(entry.get("channels"))],
                  published=_published_links(entry, published))
             for entry in shown]
    area_counts = {item["name"]: item["count"]
                   for item in result["search_facets"].get("area", {}).get("items", [])}
    facets = result["search_facets"]
    return {
        "tree": _grouped(shown, areas, lang, area_counts),
        "count": result["count"], "truncated": result["count"] > MAX_ENTRIES,
        "page_number": page,
        "organizations": facets.get("organization", {}).get("items", []),
        "areas": sorted(facets.get("area", {}).get("items", []),
                        key=lambda item: areas.position(item["name"])),
        "levels": _in_codelist_order(facets.get("disclosure_level", {}).get("items", []),
                                     "levels", lang),
    }


def _grouped(entries: list[dict], areas, lang: str, area_counts: dict[str, int]) -> list[dict]:
    """The page's entries as the tree, in the order they were sorted."""
    grouped: dict[str, dict[str, dict[str, list]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list)))
    for entry in entries:
        grouped[entry.get("area", "")][entry.get("level1_item", "")][
            entry.get("level2_item", "")].append(entry)
    return [{"value": area_value, "label": areas.label_of(area_value, lang),
             "count": area_counts.get(area_value, 0),
             "level1": [{"name": name, "level2": [{"name": name2, "entries": children}
                                                  for name2, children in level2.items()]}
                        for name, level2 in level1.items()]}
            for area_value, level1 in grouped.items()]


def _published_datasets(context: dict[str, Any], entries: list[dict]) -> dict[str, dict]:
    """The datasets the page's entries name, by name: one search, public only."""
    names = sorted({link for entry in entries for link in codelists.values_of(entry.get("related_content"))
                    if identifiers.CKAN_NAME.fullmatch(link)})
    if not names:
        return {}
    found = tk.get_action("package_search")(dict(context), {
        "fq": "+name:(" + " OR ".join(f'"{name}"' for name in names) + ")",
        "rows": len(names), "fl": "name,title,dataset_type",
    })["results"]
    return {package["name"]: package for package in found}


def _published_links(entry: dict, published: dict[str, dict]) -> list[dict]:
    links = []
    for link in codelists.values_of(entry.get("related_content")):
        if identifiers.is_web_link(link):
            links.append({"url": link, "title": link, "external": True})
        elif link in published:
            package = published[link]
            links.append({"url": tk.h.url_for(f"{package['dataset_type']}.read", id=link),
                          "title": package["title"], "external": False})
    return links


def _in_codelist_order(items: list[dict], codelist: str, lang: str) -> list[dict]:
    values = codelists.get(codelist)
    return [dict(item, display_name=values.label_of(item["name"], lang))
            for item in sorted(items, key=lambda item: values.position(item["name"]))]
