"""The Atom feed of the change log (/feeds/changes.atom[?type=&organization=&area=&page=]),
the Action API's OpenAPI document (/api/openapi.json) and its page (/api/docs),
a user's e-mail subscriptions (/feeds/subscriptions) and the link in every
digest that unsubscribes without logging in (/feeds/unsubscribe/<token>)."""
from __future__ import annotations

import functools
import json

from flask import Blueprint, make_response

import ckan.plugins.toolkit as tk

from .. import paging
import ckan.model as model

from .. import codelists, formfields
from . import atom, digests, openapi
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


def subscriptions():
    """The signed-in user's subscriptions: follow something, or stop."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.request.full_path)
    context = {"user": tk.current_user.name}
    form = tk.request.form if tk.request.method == "POST" else tk.request.args
    if tk.request.method == "POST":
        try:
            if form.get("delete"):
                tk.get_action("nanjing_subscription_delete")(context, {"id": form["delete"]})
                tk.h.flash_success("已退订")
            else:
                made = tk.get_action("nanjing_subscription_create")(context, {
                    key: form.get(key, "") for key in ("kind", "target", "frequency")})
                tk.h.flash_success(f"已订阅{made['kind_label']}“{made['label']}”的"
                                   f"{made['frequency_label']}更新邮件")
            return tk.redirect_to("nanjing_feeds.subscriptions")
        except tk.ValidationError as error:
            tk.h.flash_error(formfields.joined(error))
        except tk.ObjectNotFound as error:
            tk.h.flash_error(str(error) or "没有这个订阅")
    rows = tk.get_action("nanjing_subscription_list")(context, {})
    return tk.render("nanjing/feeds/subscriptions.html", {
        "rows": rows, "kinds": digests.KINDS, "frequencies": digests.FREQUENCIES,
        "areas": [{"value": item["value"], "label": item["label"]}
                  for item in codelists.get("areas").values],
        "wanted": {key: (form.get(key) or "")[:200] for key in ("kind", "target")},
        "has_email": bool(tk.current_user.email)})


def unsubscribe(token: str):
    """One click from the mail, no login: a page that asks, and a button."""
    row = digests.by_token(token)
    if row is None:
        return tk.render("nanjing/feeds/unsubscribe.html", {"row": None, "done": False}), 404
    if tk.request.method == "POST":
        shown = digests.as_dict(row)
        model.Session.delete(row)
        model.Session.commit()
        return tk.render("nanjing/feeds/unsubscribe.html", {"row": shown, "done": True})
    return tk.render("nanjing/feeds/unsubscribe.html", {"row": digests.as_dict(row),
                                                        "done": False, "token": token})


nanjing_feeds.add_url_rule("/feeds/subscriptions", view_func=subscriptions,
                           endpoint="subscriptions", methods=["GET", "POST"])
nanjing_feeds.add_url_rule("/feeds/unsubscribe/<token>", view_func=unsubscribe,
                           endpoint="unsubscribe", methods=["GET", "POST"])
