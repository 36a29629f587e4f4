"""The site's own pages: 网站地图 (关于本站 is CKAN's about page, extended
in website/templates/home/about.html)."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

from . import sections

__all__ = ["nanjing_website"]

nanjing_website = Blueprint("nanjing_website", __name__)


def site_map():
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    return tk.render("nanjing/website/sitemap.html", {"sections": sections.site_map(context)})


nanjing_website.add_url_rule("/sitemap", view_func=site_map, endpoint="site_map")
