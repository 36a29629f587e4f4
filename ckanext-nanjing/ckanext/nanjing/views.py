from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

from .catalog import tree

__all__ = ["nanjing"]

nanjing = Blueprint("nanjing", __name__)


def disclosure_catalog():
    organization = tk.request.args.get("organization") or None
    area = tk.request.args.get("area") or None
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    extra_vars = tree.catalog_tree(context, organization=organization, area=area)
    extra_vars.update(selected_organization=organization, selected_area=area)
    return tk.render("nanjing/gkml/index.html", extra_vars)


nanjing.add_url_rule("/gkml", view_func=disclosure_catalog, endpoint="disclosure_catalog")
