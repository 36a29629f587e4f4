"""The Atom feed of the change log: /feeds/changes.atom[?type=&organization=&area=&page=]."""
from __future__ import annotations

from flask import Blueprint, make_response

import ckan.plugins.toolkit as tk

from .. import paging
from . import atom
from .changes import FILTERS

__all__ = ["nanjing_feeds"]

nanjing_feeds = Blueprint("nanjing_feeds", __name__)
MAX_FILTER = 100


def changes():
    args = tk.request.args
    filters = {key: (args.get(key) or "").strip() for key in FILTERS}
    too_long = [key for key, value in filters.items() if len(value) > MAX_FILTER]
    if too_long:
        return tk.abort(400, f"参数 {too_long[0]} 过长（最多 {MAX_FILTER} 个字符）")
    page = paging.requested_page(args, atom.MAX_PAGE)
    response = make_response(atom.changes_feed(filters, page), 200)
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response


nanjing_feeds.add_url_rule("/feeds/changes.atom", view_func=changes, endpoint="changes")
