"""The sysadmins' pages for webhook endpoints, under CKAN's 系统管理:
/ckan-admin/webhooks lists them and registers a new one (its secret shown
on the page that answers, once); /ckan-admin/webhooks/<id> shows one with
its delivery log, and pauses, resumes, edits, rotates, replays or deletes
it. Every change goes through the nanjing_webhook_* actions, so the page
and the API refuse the same things in the same words."""
from __future__ import annotations

import functools
import re
from typing import Any, Callable

from flask import Blueprint

import ckan.plugins.toolkit as tk

from .. import codelists, directory, formfields, paging
from . import delivery
from .changes import FILTERS
from .webhook_actions import STATUSES

__all__ = ["nanjing_webhooks"]

nanjing_webhooks = Blueprint("nanjing_webhooks", __name__, url_prefix="/ckan-admin/webhooks")
PER_PAGE = 20


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _call(name: str, data: dict[str, Any]) -> Any:
    return tk.get_action(name)(_context(), data)


def _short_about(about: str) -> str:
    return re.split(r"[，（；]", about or "", maxsplit=1)[0]


def _choices() -> dict[str, list[dict[str, str]]]:
    """What the filters may be: the catalog's types, the bodies, the 领域."""
    types = [{"value": name, "label": f"{_short_about(schema.get('about', ''))}（{name}）"}
             for name, schema in sorted(tk.h.scheming_dataset_schemas().items())]
    bodies = [{"value": org["name"], "label": org.get("title") or org["name"]}
              for org in directory.all_organizations()]
    areas = [{"value": item["value"], "label": item["label"]}
             for item in codelists.get("areas").values]
    return {"type": types, "organization": bodies, "area": areas}


def _duration(seconds: int) -> str:
    for size, unit in ((86400, "天"), (3600, "小时"), (60, "分钟")):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} 秒"


def _retry_plan() -> dict[str, str]:
    """The retry schedule and pause time as configured, for the page's note."""
    return {"schedule": "、".join(_duration(s) for s in delivery.schedule()),
            "pause_after": _duration(
                int(tk.config.get("ckanext.nanjing.webhooks.pause_after_hours")) * 3600)}


def _guarded(view: Callable) -> Callable:
    """Anyone but a sysadmin gets CKAN's 403 page with the action's reason."""
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any):
        try:
            return view(*args, **kwargs)
        except tk.NotAuthorized as refused:
            if not tk.current_user.is_authenticated:
                return tk.redirect_to("user.login", came_from=tk.request.full_path)
            return tk.abort(403, str(refused) or "只有系统管理员可以管理 Webhook 接收地址")
        except tk.ObjectNotFound as missing:
            return tk.abort(404, str(missing) or "没有这个 Webhook 接收地址")
    return guarded


def _form_fields(form: Any) -> dict[str, str]:
    return {key: (form.get(key) or "").strip()
            for key in ("url", "description", *FILTERS)}


@_guarded
def index():
    wanted: dict[str, str] = {}
    created = None
    if tk.request.method == "POST":
        wanted = _form_fields(tk.request.form)
        try:
            created = _call("nanjing_webhook_create",
                            {key: value for key, value in wanted.items() if value})
            wanted = {}
        except tk.ValidationError as error:
            tk.h.flash_error(formfields.joined(error))
    endpoints = _call("nanjing_webhook_list", {})
    return tk.render("nanjing/feeds/webhooks.html", {
        "endpoints": endpoints, "created": created, "wanted": wanted,
        "choices": _choices(), "retry_plan": _retry_plan()}), 400 if wanted and not created else 200


def _status_filter() -> str:
    status = tk.request.args.get("status", "")
    return status if status in STATUSES else ""


@_guarded
def read(ident: str):
    endpoint = _call("nanjing_webhook_show", {"id": ident})
    status = _status_filter()
    page = paging.requested_page(tk.request.args)
    log = _call("nanjing_webhook_deliveries", {"id": ident, "status": status,
                                               "limit": PER_PAGE,
                                               "offset": (page - 1) * PER_PAGE})
    if log["count"] and not log["deliveries"]:
        page = paging.within(page, log["count"], PER_PAGE)
        log = _call("nanjing_webhook_deliveries", {"id": ident, "status": status,
                                                   "limit": PER_PAGE,
                                                   "offset": (page - 1) * PER_PAGE})
    pager = paging.pager("nanjing_webhooks.read", page, log["count"], PER_PAGE,
                         {"ident": ident, "status": status})
    return tk.render("nanjing/feeds/webhook.html", {
        "endpoint": endpoint, "log": log, "status": status, "statuses": STATUSES,
        "pager": pager, "choices": _choices(), "retry_plan": _retry_plan(),
        "values": dict(endpoint["filters"], url=endpoint["url"],
                       description=endpoint["description"]),
        "new_secret": tk.g.get("nanjing_new_secret")})


def _replay(ident: str, form: Any) -> str:
    since = (form.get("since") or "").strip()
    data: dict[str, Any] = {"id": ident}
    if since:
        data["since"] = since
    elif form.getlist("delivery_id"):
        data["delivery_ids"] = form.getlist("delivery_id")
    else:
        raise tk.ValidationError({"delivery_ids": ["请先勾选要重发的消息，或填写起始时间"]})
    queued = _call("nanjing_webhook_replay", data)["queued"]
    return f"已安排重发 {queued} 条消息（沿用原 webhook-id）"


@_guarded
def change(ident: str):
    """One POST per button on an endpoint's page: state, edit, rotate,
    replay, delete."""
    form = tk.request.form
    what = form.get("do", "")
    try:
        if what == "pause":
            _call("nanjing_webhook_update", {"id": ident, "state": "paused"})
            tk.h.flash_success("已暂停；恢复后从暂停处继续发送，不会遗漏")
        elif what == "resume":
            _call("nanjing_webhook_update", {"id": ident, "state": "active"})
            tk.h.flash_success("已恢复，等待中的消息将陆续发送")
        elif what == "edit":
            _call("nanjing_webhook_update", dict(_form_fields(form), id=ident))
            tk.h.flash_success("已保存")
        elif what == "rotate":
            rotated = _call("nanjing_webhook_rotate_secret", {"id": ident})
            # Shown on this answer only; a redirect would have to keep it somewhere.
            tk.g.nanjing_new_secret = rotated
            return read(ident)
        elif what == "replay":
            tk.h.flash_success(_replay(ident, form))
        elif what == "delete":
            if form.get("confirm") != "yes":
                raise tk.ValidationError({"confirm": ["请勾选“确认删除”后再删除"]})
            _call("nanjing_webhook_delete", {"id": ident})
            tk.h.flash_success("已删除该接收地址及其发送记录")
            return tk.redirect_to("nanjing_webhooks.index")
        else:
            raise tk.ValidationError({"do": ["未知的操作"]})
    except tk.ValidationError as error:
        tk.h.flash_error(formfields.joined(error))
    return tk.redirect_to("nanjing_webhooks.read", ident=ident)


nanjing_webhooks.add_url_rule("", view_func=index, endpoint="index", methods=["GET", "POST"])
nanjing_webhooks.add_url_rule("/<ident>", view_func=read, endpoint="read")
nanjing_webhooks.add_url_rule("/<ident>", view_func=change, endpoint="change",
                              methods=["POST"])
