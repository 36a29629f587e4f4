"""Search facets of each catalog type, with code-list values shown by label."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

import ckan.plugins.toolkit as tk

from .. import codelists, language

__all__ = ["facets_for", "label_facet_items"]

# Facet field -> code list whose labels are shown instead of the values.
CODELIST_OF_FIELD = {
    "area": "areas",
    "open_type": "open_types",
    "update_frequency": "update_frequencies",
    "disclosure_method": "methods",
    "disclosure_attribute": "attributes",
    "disclosure_level": "levels",
    "power_type": "power_types",
}

FIELDS_OF_TYPE = {
    "open_dataset": ["area", "organization", "open_type", "update_frequency", "res_format", "tags"],
    "gkml_item": ["area", "organization", "disclosure_method", "disclosure_attribute",
                  "disclosure_level"],
    "power_item": ["power_type", "area", "organization"],
    "service_item": ["area", "organization"],
    "policy_document": ["area", "organization", "tags"],
    "policy_interpretation": ["organization"],
}


def _titles() -> dict[str, str]:
    # Built per request so that each title is in the request's language.
    return {
        "area": tk._("Area"),
        "organization": tk._("Publishing department"),
        "open_type": tk._("Openness"),
        "update_frequency": tk._("Update cycle"),
        "res_format": tk._("Formats"),
        "tags": tk._("Tags"),
        "disclosure_method": tk._("Disclosure method"),
        "disclosure_attribute": tk._("Disclosure"),
        "disclosure_level": tk._("Level"),
        "power_type": tk._("Type of power"),
    }


def facets_for(facets_dict: "OrderedDict[str, Any]", package_type: str) -> "OrderedDict[str, Any]":
    fields = FIELDS_OF_TYPE.get(package_type)
    if not fields:
        return facets_dict
    titles = _titles()
    return OrderedDict((field, titles[field]) for field in fields)


def label_facet_items(search_results: dict[str, Any]) -> dict[str, Any]:
    lang = language.current()
    for field, facet in search_results.get("search_facets", {}).items():
        if field in CODELIST_OF_FIELD:
            codelist = codelists.get(CODELIST_OF_FIELD[field])
            for item in facet["items"]:
                item["display_name"] = codelist.label_of(item["name"], lang)
    return search_results
