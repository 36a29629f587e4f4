"""The site's sections, once: the header's navigation and the 网站地图 are
both built from this list, so the map cannot list a section the site does
not have, nor miss one it has."""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

import ckan.plugins.toolkit as tk

from .. import codelists, directory

__all__ = ["Section", "main_sections", "site_map"]


def _link(label: str, endpoint: str, **params: Any) -> dict[str, Any]:
    return {"label": label, "url": tk.h.url_for(endpoint, **params), "children": []}


def _areas(endpoint: str) -> Callable[[dict], list[dict[str, Any]]]:
    def links(context: dict) -> list[dict[str, Any]]:
        return [_link(tk.h.nanjing_codelist_label("areas", item["value"]), endpoint,
                      area=item["value"])
                for item in codelists.get("areas").values]
    return links


def _pages(*pages: tuple[str, str, dict]) -> Callable[[dict], list[dict[str, Any]]]:
    """Fixed pages under a section: (English msgid, endpoint, url parameters)."""
    def links(context: dict) -> list[dict[str, Any]]:
        return [_link(tk._(label), endpoint, **params) for label, endpoint, params in pages]
    return links


def _departments(context: dict) -> list[dict[str, Any]]:
    return [_link(org["display_name"], "organization.read", id=org["name"])
            for org in directory.all_organizations(context)]


def _nothing(context: dict) -> list[dict[str, Any]]:
    return []


@dataclasses.dataclass(frozen=True)
class Section:
    endpoint: str
    label: str  # English msgid, translated when shown
    highlight: tuple[str, ...] = ()  # blueprints that light the tab up
    plugin: str = ""  # shown only when this plugin is loaded
    # What the 网站地图 lists under the section, given the caller's context.
    children: Callable[[dict], list[dict[str, Any]]] = _nothing


SECTIONS = (
    Section("open_dataset.search", "Open data", ("open_dataset",),
            children=_areas("open_dataset.search")),
    Section("nanjing.disclosure_catalog", "Disclosure catalog", ("gkml_item",),
            children=_areas("nanjing.disclosure_catalog")),
    Section("policy_document.search", "Policies", ("policy_document", "policy_interpretation"),
            children=_pages(("Policy interpretations", "policy_interpretation.search", {}))),
    Section("service_item.search", "Services", ("service_item", "power_item"),
            children=_pages(("Power list", "power_item.search", {}))),
    Section("nanjing_requests.index", "Requests for disclosure", plugin="nanjing_requests",
            children=_pages(("Submit a request", "nanjing_requests.new", {}),
                            ("Look up a request", "nanjing_requests.lookup", {}))),
    Section("interaction.index", "Public interaction", ("interaction",),
            plugin="nanjing_interaction",
            children=_pages(("Send a message", "interaction.new", {}),
                            ("Follow a message", "interaction.lookup", {}),
                            ("Data requests", "interaction.index", {"kind": "data_request"}))),
    Section("nanjing_supervision.openness", "Disclosure overview",
            plugin="nanjing_supervision"),
    Section("organization.index", "Departments", ("organization",), children=_departments),
    Section("home.about", "About this site",
            children=_pages(("Site map", "nanjing_website.site_map", {}),
                            ("Accessibility", "home.about", {"_anchor": "accessibility"}))),
)


def _shown(section: Section) -> bool:
    return not section.plugin or tk.h.plugin_loaded(section.plugin)


def main_sections() -> list[Section]:
    """The header's tabs, in order."""
    return [s for s in SECTIONS if _shown(s)]


def site_map(context: dict) -> list[dict[str, Any]]:
    """Every section with what it holds: the pilot areas, the departments."""
    return [dict(_link(tk._(s.label), s.endpoint), children=s.children(context))
            for s in SECTIONS if _shown(s)]
