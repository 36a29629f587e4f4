"""Pages of conditional open data: the real-name profile, the application
form (“申请获取” on a dataset), one's applications and grants, an
application's page with the steps the viewer may take and the agreement to
read and sign, and the owning bodies' queue. Every step goes through the
Action API; every refusal is shown on the page in Chinese. None of these
pages is cached: each carries one person's data."""
from __future__ import annotations

from typing import Any

from flask import Blueprint

import ckan.plugins.toolkit as tk

from .. import documents, localtime
from ..privatepages import private_page
from ..formfields import errors as field_errors
from ..formfields import joined
from . import profiles
from .accountpages import nanjing_register
from .dicts import DELIVERIES
from .states import GRANT_CHANGES, STEPS

__all__ = ["nanjing_access", "nanjing_register"]

nanjing_access = Blueprint("nanjing_access", __name__)

NOT_FOUND = "申请不存在，或您无权查看"
CREATE_FIELDS = ("purpose", "scenario", "fields", "starts_on", "ends_on", "delivery",
                 "security")
STEP_FIELDS = {"request_correction": ("items",), "submit_correction": ("text",),
               "approve": ("fields", "starts_on", "ends_on", "reason"),
               "reject": ("reason",), "withdraw": ("reason",), "pass_formal_check": (),
               "accept_agreement": ("text_sha256",)}
FILE_FIELDS = {"submit_correction": ("correction",)}
DONE = {"pass_formal_check": "形式审查已通过，已转数据提供单位审核",
        "request_correction": "已告知申请人补正，补正期间暂停计时",
        "submit_correction": "补正材料已提交，审核继续计时",
        "approve": "已同意申请，数据利用协议已生成，待申请人签署",
        "reject": "已作出不予同意的决定",
        "accept_agreement": "协议已签署，授权已生效：现在可以下载数据或用 API 令牌调用",
        "withdraw": "申请已撤回"}


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _message(error: Exception, default: str) -> str:
    text = str(error).strip()
    if isinstance(error, tk.NotAuthorized) and error.args and isinstance(error.args[0], str):
        text = error.args[0]
    return text if text and not text.isascii() else default


def _login(here: str):
    return tk.redirect_to("user.login", came_from=here)


# -- profile -----------------------------------------------------------------

def _safe_next(value: str) -> str:
    """Only a path on this site (no scheme, no //host)."""
    return value if value.startswith("/") and not value.startswith("//") else ""


def profile():
    here = tk.url_for("nanjing_access.profile")
    if not tk.current_user.is_authenticated:
        return _login(here)
    after = _safe_next(tk.request.values.get("next", ""))
    current = tk.get_action("nanjing_access_profile_show")(_context(), {})
    values, errors, status = dict(current or {"kind": "individual", "id_type": "id_card"}), {}, 200
    if tk.request.method == "POST":
        values = {name: tk.request.form.get(name, "").strip()
                  for name in ("kind", "real_name", "id_type", "id_number", "contact_person",
                               "phone")}
        try:
            tk.get_action("nanjing_access_profile_update")(_context(), dict(values))
        except tk.ValidationError as error:
            errors, status = field_errors(error), 400
        else:
            tk.h.flash_success("实名信息已保存")
            return tk.redirect_to(after or tk.url_for("nanjing_access.mine"))
        values.pop("id_number", None)
        values.pop("phone", None)
    return private_page("nanjing/access/profile.html", {
        "values": values, "errors": errors, "current": current, "next": after,
        "kinds": list(profiles.KINDS.items()), "id_types": list(profiles.ID_TYPES.items())},
        status)


# -- the application form ----------------------------------------------------

def _package(id: str) -> dict | None:
    try:
        return tk.get_action("package_show")(_context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


def apply(id: str):
    here = tk.url_for("nanjing_access.apply", id=id)
    if not tk.current_user.is_authenticated:
        return _login(here)
    package = _package(id)
    if package is None:
        return tk.abort(404, "数据集不存在")
    if tk.get_action("nanjing_access_profile_show")(_context(), {}) is None:
        tk.h.flash_notice("申请获取有条件开放数据需实名：请先填写实名信息")
        return tk.redirect_to(tk.url_for("nanjing_access.profile", next=here))
    today = localtime.today()
    values: dict[str, Any] = {"delivery": "download", "starts_on": today.isoformat(),
                              "resource_ids": [r["id"] for r in package.get("resources", [])]}
    errors: dict[str, list[str]] = {}
    status = 200
    if tk.request.method == "POST":
        form = tk.request.form
        values = {name: form.get(name, "").strip() for name in CREATE_FIELDS}
        values["resource_ids"] = form.getlist("resource_ids")
        values["undertaking_accepted"] = form.get("undertaking_accepted") == "on"
        data = dict(values, package_id=package["id"])
        for kind in ("application_form", "undertaking"):
            chosen = [f for f in tk.request.files.getlist(kind) if f and f.filename]
            if chosen:
                data[kind] = chosen
        try:
            created = tk.get_action("nanjing_access_application_create")(_context(), data)
        except tk.ValidationError as error:
            errors, status = field_errors(error), 400
        except (tk.NotAuthorized, tk.ObjectNotFound) as error:
            errors, status = {"__all__": [_message(error, "暂时无法提交申请")]}, 403
        else:
            tk.h.flash_success(f"申请已提交，编号 {created['number']}")
            return tk.redirect_to("nanjing_access.application", id=created["id"])
    return private_page("nanjing/access/apply.html", {
        "pkg": package, "values": values, "errors": errors,
        "deliveries": list(DELIVERIES.items()),
        "decision_days": tk.config.get("ckanext.nanjing.access.decision_days"),
        "max_file_mb": tk.config.get("ckanext.nanjing.access.max_file_mb")}, status)


# -- lists -------------------------------------------------------------------

def mine():
    if not tk.current_user.is_authenticated:
        return _login(tk.url_for("nanjing_access.mine"))
    applications = tk.get_action("nanjing_access_application_list")(_context(), {})
    grants = tk.get_action("nanjing_access_grant_list")(_context(), {})
    current = tk.get_action("nanjing_access_profile_show")(_context(), {})
    return private_page("nanjing/access/mine.html", {
        "applications": applications["results"], "grants": grants, "profile": current})


def queue():
    if not tk.current_user.is_authenticated:
        return _login(tk.url_for("nanjing_access.queue"))
    try:
        applications = tk.get_action("nanjing_access_application_list")(
            _context(), {"scope": "queue", "limit": 500})
    except tk.NotAuthorized as error:
        return private_page("nanjing/access/queue.html", {
            "error": _message(error, "无权查看"), "applications": [], "grants": []}, 403)
    grants = tk.get_action("nanjing_access_grant_list")(_context(), {"scope": "managed"})
    return private_page("nanjing/access/queue.html", {
        "applications": applications["results"], "grants": grants,
        "changes": GRANT_CHANGES})


# -- an application ----------------------------------------------------------

def _application_page(id: str, form: str = "", values: dict | None = None,
                      errors: dict | None = None, status: int = 200):
    try:
        found = tk.get_action("nanjing_access_application_show")(_context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return tk.abort(404, NOT_FOUND)
    agreement = None
    if found.get("agreement"):
        agreement = tk.get_action("nanjing_access_agreement_show")(
            _context(), {"id": id, "format": "text"})
    return private_page("nanjing/access/application.html", {
        "application": found, "agreement": agreement, "form": form,
        "values": values or {}, "errors": errors or {}, "steps": STEPS,
        "changes": GRANT_CHANGES}, status)


def application(id: str):
    if not tk.current_user.is_authenticated:
        return _login(tk.url_for("nanjing_access.application", id=id))
    return _application_page(id)


def step(id: str, key: str):
    if not tk.current_user.is_authenticated:
        return _login(tk.url_for("nanjing_access.application", id=id))
    if key not in STEP_FIELDS:
        return tk.abort(404, "不支持的操作")
    form = tk.request.form
    values: dict[str, Any] = {name: form.get(name, "").strip() for name in STEP_FIELDS[key]}
    data: dict[str, Any] = dict(values, id=id, step=key)
    if key == "approve":
        data["resource_ids"] = values["resource_ids"] = form.getlist("resource_ids")
    if key == "accept_agreement":
        data["agree"] = form.get("agree") == "on"
    if key == "withdraw" and form.get("confirm") != "on":
        return _application_page(id, key, values, {"confirm": ["请勾选“我确认撤回本申请”"]}, 400)
    for name in FILE_FIELDS.get(key, ()):
        chosen = [f for f in tk.request.files.getlist(name) if f and f.filename]
        if chosen:
            data[name] = chosen
    try:
        tk.get_action("nanjing_access_application_step")(_context(), data)
    except tk.ValidationError as error:
        return _application_page(id, key, values, field_errors(error), 400)
    except tk.NotAuthorized as error:
        return _application_page(id, key, values,
                                 {"__all__": [_message(error, "您无权执行此操作")]}, 403)
    except tk.ObjectNotFound:
        return tk.abort(404, NOT_FOUND)
    tk.h.flash_success(DONE[key])
    return tk.redirect_to("nanjing_access.application", id=id)


def agreement_file(id: str, fmt: str):
    if not tk.current_user.is_authenticated:
        return _login(tk.url_for("nanjing_access.application", id=id))
    if fmt not in ("pdf", "docx"):
        return tk.abort(404, "不支持的下载格式")
    try:
        found = tk.get_action("nanjing_access_agreement_show")(
            _context(), {"id": id, "format": fmt})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError) as error:
        return tk.abort(404, _message(error, NOT_FOUND))
    return documents.download_response(found, f"agreement.{fmt}")


def attachment(id: str, file_id: str):
    if not tk.current_user.is_authenticated:
        return _login(tk.url_for("nanjing_access.application", id=id))
    try:
        found = tk.get_action("nanjing_access_application_file_show")(
            _context(), {"id": id, "file_id": file_id})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError) as error:
        return tk.abort(404, _message(error, "附件不存在"))
    return documents.download_response(found, "attachment")


# -- grants ------------------------------------------------------------------

def grant_change(id: str, change: str):
    if not tk.current_user.is_authenticated:
        return _login(tk.url_for("nanjing_access.queue"))
    back = _safe_next(tk.request.form.get("next", "")) or tk.url_for("nanjing_access.queue")
    try:
        tk.get_action("nanjing_access_grant_change")(
            _context(), {"id": id, "change": change,
                         "reason": tk.request.form.get("reason", "")})
    except tk.ValidationError as error:
        tk.h.flash_error(joined(error))
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return tk.abort(404, _message(error, "授权不存在，或您无权变更"))
    else:
        tk.h.flash_success(f"已{GRANT_CHANGES[change]}，即时生效")
    return tk.redirect_to(back)


def use_report(id: str):
    if not tk.current_user.is_authenticated:
        return _login(tk.url_for("nanjing_access.mine"))
    form = tk.request.form
    try:
        tk.get_action("nanjing_access_use_report_create")(_context(), {
            "grant_id": id, "usage": form.get("usage", ""),
            "outcomes": form.get("outcomes", ""), "benefits": form.get("benefits", "")})
    except tk.ValidationError as error:
        tk.h.flash_error(joined(error))
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return tk.abort(404, _message(error, "授权不存在"))
    else:
        tk.h.flash_success("利用情况反馈已提交，谢谢")
    return tk.redirect_to("nanjing_access.mine")


nanjing_access.add_url_rule("/access/profile", view_func=profile, methods=["GET", "POST"])
nanjing_access.add_url_rule("/dataset/<id>/apply", view_func=apply, methods=["GET", "POST"])
nanjing_access.add_url_rule("/access/mine", view_func=mine)
nanjing_access.add_url_rule("/access/queue", view_func=queue)
nanjing_access.add_url_rule("/access/application/<id>", view_func=application)
nanjing_access.add_url_rule("/access/application/<id>/step/<key>", view_func=step,
                            methods=["POST"])
nanjing_access.add_url_rule("/access/application/<id>/agreement.<fmt>",
                            view_func=agreement_file)
nanjing_access.add_url_rule("/access/application/<id>/file/<file_id>", view_func=attachment)
nanjing_access.add_url_rule("/access/grant/<id>/report", view_func=use_report,
                            methods=["POST"])
nanjing_access.add_url_rule("/access/grant/<id>/<change>", view_func=grant_change,
                            methods=["POST"])
