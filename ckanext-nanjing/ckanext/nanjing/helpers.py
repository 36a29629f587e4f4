from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from . import codelists

__all__ = ["nanjing_codelist_choices", "nanjing_codelist_label", "nanjing_lang"]


def nanjing_lang() -> str:
    """The request's language, or the site default outside a request
    (CLI, background jobs, direct action calls)."""
    try:
        return tk.h.lang() or tk.config["ckan.locale_default"]
    except RuntimeError:
        return tk.config["ckan.locale_default"]


def nanjing_codelist_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """`choices_helper` for scheming fields that name a `codelist`."""
    return codelists.get(field["codelist"]).choices()


def nanjing_codelist_label(codelist: str, value: str) -> str:
    return codelists.get(codelist).label_of(value, nanjing_lang())
