"""The language of what is being answered: the page's, or the site's
default outside a web request (CLI, background jobs, direct action calls).
Code lists, facets and the catalog tree label themselves in it."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

__all__ = ["current"]


def current() -> str:
    try:
        return tk.h.lang() or tk.config["ckan.locale_default"]
    except RuntimeError:
        return tk.config["ckan.locale_default"]
