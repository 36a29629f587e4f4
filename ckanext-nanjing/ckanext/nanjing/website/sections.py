"""The site's sections, once: the header's navigation and the 网站地图 are
both built from this list, so the map cannot list a section the site does
not have, nor miss one it has."""
from __future__ import annotations

import dataclasses
from typing import Any

import ckan.plugins.toolkit as tk

from .. import codelists

__all__ = ["Section", "main_sections", "site_map"]


@dataclasses.dataclass(frozen=True)
class Section:
    endpoint: str
    label: str  # English msgid, translated when shown
    highlight: tuple[str, ...] = ()  # blueprints that light the tab up
    plugin: str = ""  # shown only when this plugin is loaded
    in_header: bool = True


SECTIONS = (
    Section("open_dataset.search", "Open data", ("open_dataset",)),
    Section("nanjing.disclosure_catalog", "Disclosure catalog", ("gkml_item",)),
    Section("policy_document.search", "Policies", ("policy_document", "policy_interpretation")),
    Section("service_item.search", "Services", ("service_item", "power_item")),
    Section("nanjing_requests.index", "Requests for disclosure", plugin="nanjing_requests"),
    Section("nanjing_supervision.openness", "Disclosure overview",
            plugin="nanjing_supervision"),
    Section("organization.index", "Departments", ("organization",)),
    Section("home.about", "About this site"),
)


def _shown(section: Section) -> bool:
    return not section.plugin or tk.h.plugin_loaded(section.plugin)


def main_sections() -> list[Section]:
    """The header's tabs, in order."""
    return [s for s in SECTIONS if s.in_header and _shown(s)]


def _link(label: str, endpoint: str, **params: Any) -> dict[str, Any]:
    return {"label": label, "url": tk.h.url_for(endpoint, **params), "children": []}


def _areas(endpoint: str) -> list[dict[str, Any]]:
    return [_link(tk.h.nanjing_codelist_label("areas", item["value"]), endpoint, area=item["value"])
            for item in codelists.get("areas").values]


def _departments(context: dict) -> list[dict[str, Any]]:
    organizations = tk.get_action("organization_list")(
        dict(context), {"all_fields": True, "sort": "title asc", "limit": 1000})
    return [_link(org["display_name"], "organization.read", id=org["name"])
            for org in organizations]


def _children(section: Section, context: dict) -> list[dict[str, Any]]:
    _ = tk._
    if section.endpoint == "open_dataset.search":
        return _areas("open_dataset.search")
    if section.endpoint == "nanjing.disclosure_catalog":
        return _areas("nanjing.disclosure_catalog")
    if section.endpoint == "policy_document.search":
        return [_link(_("Policy interpretations"), "policy_interpretation.search")]
    if section.endpoint == "service_item.search":
        return [_link(_("Power list"), "power_item.search")]
    if section.endpoint == "nanjing_requests.index":
        return [_link(_("Submit a request"), "nanjing_requests.new"),
                _link(_("Look up a request"), "nanjing_requests.lookup")]
    if section.endpoint == "organization.index":
        return _departments(context)
    if section.endpoint == "home.about":
        return [_link(_("Site map"), "nanjing_website.site_map"),
                _link(_("Accessibility"), "home.about", _anchor="accessibility")]
    return []


def site_map(context: dict) -> list[dict[str, Any]]:
    """Every section with what it holds: the pilot areas, the departments."""
    return [dict(_link(tk._(s.label), s.endpoint), children=_children(s, context))
            for s in SECTIONS if _shown(s)]
