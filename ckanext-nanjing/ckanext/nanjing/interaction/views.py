"""The pages of 互动交流: the list (/interaction), the form
(/interaction/new, with the anti-spam question for visitors), the receipt,
following a message by number and 查询码 (/interaction/lookup) and rating
it, "我也需要", a message's page (/interaction/<number>: what the public
see, and for the office and the handling body the forms of every step), and
the stewards' queue (/interaction/queue). Every step goes through the
actions, so pages and API refuse alike."""
from __future__ import annotations

from typing import Any

from flask import Blueprint

import ckan.plugins.toolkit as tk

from .. import directory, formfields, paging, privatepages, roles
from . import rules

__all__ = ["interaction"]

# Named as the change log's object type, so feeds link to interaction.read.
interaction = Blueprint("interaction", __name__)
PER_PAGE = 20
FORM_FIELDS = ("kind", "title", "text", "name", "email", "phone", "target_url", "dataset",
               "resource", "target_detail")
STEPS = {
    "moderate": ("nanjing_interaction_moderate", ("decision", "public_title", "public_text",
                                                  "organization", "reason", "note")),
    "merge": ("nanjing_interaction_merge", ("into", "note")),
    "assign": ("nanjing_interaction_assign", ("organization", "note")),
    "send_back": ("nanjing_interaction_send_back", ("reason",)),
    "transfer": ("nanjing_interaction_transfer", ("organization", "reason")),
    "acknowledge": ("nanjing_interaction_acknowledge", ("note",)),
    "extend": ("nanjing_interaction_extend", ("reason",)),
    "answer": ("nanjing_interaction_answer", ("text", "outcome", "dataset")),
}
DONE = {"moderate": "已审看", "merge": "已合并", "assign": "已分办", "send_back": "已退回",
        "transfer": "已转办", "acknowledge": "已记录办理进展", "extend": "已延期",
        "answer": "已答复，并已通知留言人"}


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _call(name: str, data: dict[str, Any]) -> Any:
    return tk.get_action(name)(_context(), data)


def _form(names) -> dict[str, str]:
    return {name: (tk.request.form.get(name) or "").strip() for name in names}


def _bodies() -> list[tuple[str, str]]:
    return [(org["name"], org.get("title") or org["name"])
            for org in directory.all_organizations()]


def index():
    args = tk.request.args
    kind = args.get("kind", "") if args.get("kind", "") in rules.kinds() else ""
    answered = args.get("answered") == "1"
    page = paging.requested_page(args)
    query = {"kind": kind, "answered": answered, "limit": PER_PAGE,
             "offset": (page - 1) * PER_PAGE}
    if kind == "data_request" and args.get("sort") == "votes":
        query["sort"] = "votes"
    found = _call("nanjing_interaction_list", query)
    pager = paging.pager("interaction.index", page, found["count"], PER_PAGE,
                         {"kind": kind, "answered": "1" if answered else "",
                          "sort": query.get("sort", "")})
    return tk.render("nanjing/interaction/index.html", {
        "found": found, "kind": kind, "answered": answered, "kinds": rules.kinds(),
        "pager": pager, "sort": query.get("sort", "")})


def _new_form(values: dict[str, Any], errors: dict[str, list[str]], status: int = 200):
    question = None if tk.current_user.is_authenticated else _call(
        "nanjing_interaction_challenge", {})
    return tk.render("nanjing/interaction/new.html", {
        "values": values, "errors": errors, "question": question,
        "kinds": list(rules.kinds().items())}), status


def new():
    if tk.request.method == "GET":
        args = tk.request.args
        values = {name: (args.get(name) or "")[:500] for name in FORM_FIELDS}
        values["kind"] = values["kind"] if values["kind"] in rules.kinds() else "consult"
        return _new_form(values, {})
    values = _form(FORM_FIELDS)
    data = {key: value for key, value in values.items() if value}
    data["private_answer"] = tk.request.form.get("private_answer") == "on"
    for name in ("challenge_token", "challenge_answer", "website"):
        data[name] = tk.request.form.get(name, "")
    try:
        created = _call("nanjing_interaction_create", data)
    except tk.ValidationError as error:
        return _new_form(values, formfields.errors(error), 400)
    except tk.NotAuthorized as refused:
        return _new_form(values, {"__all__": [str(refused) or "无法提交"]}, 403)
    return privatepages.private_page("nanjing/interaction/receipt.html", {"item": created})


def lookup():
    """Number and 查询码 (always POSTed, never in an address), then the
    message as its sender sees it, with the rating form."""
    if tk.request.method == "GET":
        return privatepages.private_page("nanjing/interaction/lookup.html",
                                         {"values": {}, "errors": {}})
    values = _form(("number", "code"))
    try:
        if tk.request.form.get("rating"):
            item = _call("nanjing_interaction_rate", dict(
                values, rating=tk.request.form.get("rating"),
                note=tk.request.form.get("note", "")))
            tk.h.flash_success("感谢评价。" + ("答复已转入复核，承办部门将重新答复。"
                                            if item["state"] == "reviewing" else ""))
        else:
            item = _call("nanjing_interaction_show", values)
    except tk.NotAuthorized as refused:
        return privatepages.private_page("nanjing/interaction/lookup.html", {
            "values": {"number": values["number"]}, "errors": {"code": [str(refused)]}}, 403)
    except tk.ValidationError as error:
        item = _call("nanjing_interaction_show", values)
        return privatepages.private_page("nanjing/interaction/lookup.html", {
            "values": values, "errors": formfields.errors(error), "item": item,
            "ratings": list(rules.labels("interaction_ratings").items())}, 400)
    return privatepages.private_page("nanjing/interaction/lookup.html", {
        "values": values, "errors": {}, "item": item,
        "ratings": list(rules.labels("interaction_ratings").items())})


def vote(id: str):
    try:
        found = _call("nanjing_interaction_vote", {"id": id})
        tk.h.flash_success(f"已记录，共 {found['votes']} 人需要这项数据")
    except tk.ValidationError as error:
        tk.h.flash_error(formfields.joined(error))
    except tk.ObjectNotFound:
        return tk.abort(404, "没有这条留言")
    return tk.redirect_to("interaction.read", id=id)


def _staff_extra(item: dict[str, Any]) -> dict[str, Any]:
    return {"bodies": _bodies(),
            "reasons": list(rules.labels("interaction_reject_reasons").items()),
            "outcomes": list(rules.labels(rules.OUTCOMES[item["kind"]]).items())
            if item["kind"] in rules.OUTCOMES else [],
            "can_extend": rules.extension_for(item["kind"]) > 0 and not item["extended"]}


def read(id: str):
    if tk.request.method == "POST":
        return _step(id)
    try:
        item = _call("nanjing_interaction_show", {"id": id})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, "没有这条留言，或它尚未通过审看")
    extra = {"item": item}
    if item.get("role") in ("handler", "moderator"):
        extra.update(_staff_extra(item), values={}, errors={})
        return privatepages.private_page("nanjing/interaction/read.html", extra)
    return tk.render("nanjing/interaction/read.html", extra)


def _step(id: str):
    step = tk.request.form.get("step", "")
    if step not in STEPS:
        return tk.abort(400, "未知的办理操作")
    action, names = STEPS[step]
    values = _form(names)
    try:
        _call(action, dict({k: v for k, v in values.items() if v}, id=id))
    except tk.NotAuthorized as refused:
        return tk.abort(403, str(refused) or "无权办理这条留言")
    except tk.ObjectNotFound:
        return tk.abort(404, "没有这条留言")
    except tk.ValidationError as error:
        item = _call("nanjing_interaction_show", {"id": id})
        extra = dict(_staff_extra(item), item=item, values={step: values},
                     errors={step: formfields.errors(error)})
        return privatepages.private_page("nanjing/interaction/read.html", extra, 400)
    tk.h.flash_success(DONE[step])
    return tk.redirect_to("interaction.read", id=id)


def queue():
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.request.full_path)
    args = tk.request.args
    data = {key: args.get(key) for key in ("state", "kind", "standing")
            if args.get(key) in {"state": rules.STATES, "kind": rules.kinds(),
                                 "standing": ("near", "overdue")}[key]}
    try:
        found = _call("nanjing_interaction_queue", dict(data, limit=200))
    except tk.NotAuthorized as refused:
        return tk.abort(403, str(refused))
    return privatepages.private_page("nanjing/interaction/queue.html", {
        "found": found, "chosen": data, "states": rules.STATES, "kinds": rules.kinds(),
        "office": roles.is_reviewer(tk.current_user.name)})


interaction.add_url_rule("/interaction", view_func=index, endpoint="index")
interaction.add_url_rule("/interaction/new", view_func=new, endpoint="new",
                         methods=["GET", "POST"])
interaction.add_url_rule("/interaction/lookup", view_func=lookup, endpoint="lookup",
                         methods=["GET", "POST"])
interaction.add_url_rule("/interaction/queue", view_func=queue, endpoint="queue")
interaction.add_url_rule("/interaction/<id>/vote", view_func=vote, endpoint="vote",
                         methods=["POST"])
interaction.add_url_rule("/interaction/<id>", view_func=read, endpoint="read",
                         methods=["GET", "POST"])
