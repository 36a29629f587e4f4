"""The site's own pages: 网站地图 and the site search (关于本站 is CKAN's
about page, extended in website/templates/home/about.html)."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

from .. import paging
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
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    found = search.site_search(context, q, selected,
                               paging.requested_page(args, search.MAX_PAGE))
    pager = paging.pager("nanjing_website.search", found["page_number"],
                         min(found["count"], search.MAX_PAGE * search.PAGE_SIZE),
                         search.PAGE_SIZE, {"q": q, "type": selected})
    return tk.render("nanjing/website/search.html",
                     dict(found, q=q, selected=selected, pager=pager))


nanjing_website.add_url_rule("/sitemap", view_func=site_map, endpoint="site_map")
nanjing_website.add_url_rule("/search", view_func=site_search, endpoint="search")
