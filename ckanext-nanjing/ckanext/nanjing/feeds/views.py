"""The Atom feed of the change log (/feeds/changes.atom[?type=&organization=&area=&page=]),
the Action API's OpenAPI document (/api/openapi.json) and its page (/api/docs)."""
from __future__ import annotations

import functools
import json

from flask import Blueprint, make_response

import ckan.plugins.toolkit as tk

from .. import paging
from . import atom, openapi
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


@functools.lru_cache(maxsize=1)
def _openapi_json() -> bytes:
    # The registry does not change while the process runs.
    return json.dumps(openapi.document(), ensure_ascii=False, indent=1).encode("utf-8")


def openapi_document():
    response = make_response(_openapi_json(), 200)
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Access-Control-Allow-Origin"] = "*"   # for editors and code generators
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def api_docs():
    return tk.render("nanjing/feeds/api_docs.html")


nanjing_feeds.add_url_rule("/api/openapi.json", view_func=openapi_document, endpoint="openapi")
nanjing_feeds.add_url_rule("/api/docs", view_func=api_docs, endpoint="api_docs")
