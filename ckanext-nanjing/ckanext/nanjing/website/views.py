"""The site's own pages: 网站地图 and the site search (关于本站 is CKAN's
about page, extended in website/templates/home/about.html)."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.lib.pagination import Page

from . import search, sections

__all__ = ["nanjing_website"]

nanjing_website = Blueprint("nanjing_website", __name__)


def site_map():
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    return tk.render("nanjing/website/sitemap.html", {"sections": sections.site_map(context)})


def site_search():
    args = tk.request.args
    q = (args.get("q") or "").strip()[:search.MAX_QUERY]
    selected = args.get("type") or None
    if selected and selected not in search.TYPES:
        return tk.abort(400, tk._("Unknown kind of record: {type}").format(type=selected[:50]))
    page = int(args["page"]) if args.get("page", "").isdigit() else 1
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    found = search.site_search(context, q, selected, min(page, search.MAX_PAGE))
    kept = {key: value for key, value in (("q", q), ("type", selected)) if value}

    def page_url(page: int, **_ignored) -> str:
        return tk.h.url_for("nanjing_website.search", page=page, **kept)
    pager = Page(collection=[], page=found["page_number"], url=page_url,
                 item_count=min(found["count"], search.MAX_PAGE * search.PAGE_SIZE),
                 items_per_page=search.PAGE_SIZE)
    return tk.render("nanjing/website/search.html",
                     dict(found, q=q, selected=selected, pager=pager, kept=kept))


nanjing_website.add_url_rule("/sitemap", view_func=site_map, endpoint="site_map")
nanjing_website.add_url_rule("/search", view_func=site_search, endpoint="search")
