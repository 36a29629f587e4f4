"""Pages of requests for disclosure (依申请公开): the public's guidance and
statistics, the application form and its receipt, the lookup by number and
查询码, and the handlers' queue and request pages. Every step goes through the
Action API; every refusal of an action is shown on the page in Chinese."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, make_response

import ckan.plugins.toolkit as tk

from .. import codelists, directory, documents, localtime, paging
from ..privatepages import private_page
from . import bodies, forms, states
from .dicts import APPLICANT_LETTERS
from .stats import total as stats_total

__all__ = ["nanjing_requests"]

nanjing_requests = Blueprint("nanjing_requests", __name__)

WRONG_CODE = "申请编号或查询码不正确"
NOT_FOUND = "申请不存在，或您无权查看"
LETTER_FORMATS = ("pdf", "docx")
CLOSED_WITH_REPLY = ("replied", "delivered", "archived")


# -- helpers ---------------------------------------------------------------

def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def _message(error: Exception, default: str) -> str:
    text = str(error).strip()
    # CKAN's own refusals are English sentences; the page speaks Chinese.
    if not text or text.isascii():
        return default
    return text


def _render(template: str, extra: dict, status: int = 200, private: bool = False):
    """`private`: a page carrying a 查询码 or an applicant's data."""
    if private:
        return private_page(template, extra, status)
    return make_response(tk.render(template, extra), status)


def _organizations() -> list[dict]:
    """Every organization, in pinyin order, with its extras (credit code)."""
    return directory.all_organizations(include_extras=True)


def _results() -> list[dict]:
    try:
        return tk.get_action("nanjing_request_results")(_context(), {})
    except (tk.ObjectNotFound, tk.NotAuthorized, KeyError):
        return []


def _form_value(field: str) -> Any:
    if field in forms.CHECKBOXES:
        return tk.request.form.get(field) in ("on", "true", "1", "yes")
    return tk.request.form.get(field, "").strip()


# -- the public pages --------------------------------------------------------

def index():
    year = tk.request.args.get("year", "")
    data = {"year": int(year)} if year.isdigit() else {}
    try:
        stats = tk.get_action("nanjing_request_stats")(_context(), data)
    except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound):
        stats = None
    return tk.render("nanjing/requests/index.html", {"stats": stats,
                                                     "total": stats_total(stats or []),
                                                     "groups": _result_groups(),
                                                     "this_year": localtime.today().year})


def _result_groups() -> list[tuple[str, str]]:
    groups: list[tuple[str, str]] = []
    for result in _results():
        pair = (result.get("group"), result.get("group_label"))
        if pair not in groups:
            groups.append(pair)
    return groups


def _new_form(values: dict, errors: dict, status: int = 200):
    extra = {"values": values, "errors": errors,
             "organization_groups": bodies.grouped(_organizations()),
             "applicant_types": forms.APPLICANT_TYPES, "categories": forms.CATEGORIES,
             "id_types": forms.ID_TYPES, "provisions": forms.PROVISIONS,
             "deliveries": forms.DELIVERIES}
    return _render("nanjing/requests/new.html", extra, status, private=bool(values))


def new():
    if tk.request.method != "POST":
        values = {"applicant_type": "natural", "provision": "email", "delivery": "email"}
        chosen = tk.request.args.get("organization", "")
        if chosen:
            values["organization"] = chosen
        return _new_form(values, {})
    values = {field: _form_value(field) for field in forms.CREATE_FIELDS}
    data = {key: value for key, value in values.items() if value not in ("", None)}
    data["fee_waiver"] = values["fee_waiver"]
    if data.get("applicant_type") == "natural":
        data["applicant_category"] = "natural"
    try:
        created = tk.get_action("nanjing_request_create")(_context(), data)
    except tk.ValidationError as error:
        return _new_form(values, forms.errors(error), 400)
    except tk.NotAuthorized as error:
        return _new_form(values, {"__all__": [_message(
            error, "暂时无法提交申请，请稍后再试")]}, 403)
    return _render("nanjing/requests/receipt.html", {"request": created}, private=True)


def mine():
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.url_for("nanjing_requests.mine"))
    try:
        found = tk.get_action("nanjing_request_list")(_context(), {"mine": True, "limit": 100})
    except (tk.ValidationError, tk.NotAuthorized) as error:
        return _render("nanjing/requests/mine.html", {"requests": [], "error": _message(
            error, "无法列出您的申请")}, 403)
    return _render("nanjing/requests/mine.html", {"requests": _rows(found)}, private=True)


def _rows(found: Any) -> list[dict]:
    if isinstance(found, dict):
        return found.get("results") or []
    return list(found or [])


def _credentials() -> dict[str, str]:
    return {"number": tk.request.form.get("number", "").strip()[:100],
            "code": tk.request.form.get("code", "").strip()[:100]}


def _lookup_form(credentials: dict, error: str, status: int):
    return _render("nanjing/requests/lookup.html",
                   {"number": credentials.get("number", ""), "error": error}, status, private=True)


def _status_page(credentials: dict, message: str = "", form: str = "",
                 values: dict | None = None, errors: dict | None = None, status: int = 200):
    try:
        found = tk.get_action("nanjing_request_show")(_context(), dict(credentials))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return _lookup_form(credentials, _message(error, WRONG_CODE), 403)
    except tk.ValidationError as error:
        return _lookup_form(credentials, forms.joined(error), 400)
    # Letters to a third party or another agency are not the applicant's.
    found["letters"] = [letter for letter in found.get("letters") or []
                        if letter["kind"] in APPLICANT_LETTERS]
    allowed = {t["key"] for t in found.get("allowed_transitions") or []}
    extra = {"request": found, "credentials": credentials, "message": message, "form": form,
             "values": values or {}, "errors": errors or {},
             "can_correct": "submit_correction" in allowed,
             "can_withdraw": "withdraw" in allowed}
    return _render("nanjing/requests/status.html", extra, status, private=True)


def lookup():
    if tk.request.method != "POST":
        # The receipt's QR code opens this page with the number filled in;
        # the 查询码 is never put in a link.
        return _lookup_form({"number": tk.request.args.get("number", "").strip()[:100]}, "", 200)
    credentials = _credentials()
    if not credentials["number"] or not credentials["code"]:
        return _lookup_form(credentials, "请填写申请编号和查询码", 400)
    return _status_page(credentials)


def lookup_transition():
    credentials = _credentials()
    transition = tk.request.form.get("transition", "")
    if transition not in forms.APPLICANT_TRANSITIONS:
        return _lookup_form(credentials, "不支持的操作", 400)
    if not credentials["number"] or not credentials["code"]:
        return _lookup_form(credentials, "请填写申请编号和查询码", 400)
    fields = [name for name, *_ in forms.TRANSITION_FIELDS[transition]]
    values = {name: tk.request.form.get(name, "").strip() for name in fields}
    if transition == "withdraw" and not tk.request.form.get("confirm"):
        return _status_page(credentials, form=transition, values=values,
                            errors={"confirm": ["请勾选“我确认撤回本申请”后再提交"]}, status=400)
    data = dict(credentials, transition=transition, **values)
    try:
        tk.get_action("nanjing_request_transition")(_context(), data)
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return _lookup_form(credentials, _message(error, WRONG_CODE), 403)
    except tk.ValidationError as error:
        return _status_page(credentials, form=transition, values=values,
                            errors=forms.errors(error), status=400)
    done = "补正材料已提交，办理期限自今日起重新计算" if transition == "submit_correction" \
        else "申请已撤回"
    return _status_page(credentials, message=done)


def lookup_letter(letter_id: str, fmt: str):
    credentials = _credentials()
    if fmt not in LETTER_FORMATS:
        return _lookup_form(credentials, f"不支持的下载格式：{fmt[:10]}", 404)
    data = dict(credentials, letter_id=letter_id, format=fmt)
    try:
        letter = tk.get_action("nanjing_request_letter_show")(_context(), data)
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return _lookup_form(credentials, _message(error, WRONG_CODE), 403)
    except tk.ValidationError as error:
        return _lookup_form(credentials, forms.joined(error), 400)
    return documents.download_response(letter, f"{letter_id}.{fmt}")


def lookup_file(file_id: str):
    """A document provided with the reply, for the applicant holding the code."""
    credentials = _credentials()
    try:
        found = tk.get_action("nanjing_request_file_show")(
            _context(), dict(credentials, file_id=file_id))
    except (tk.NotAuthorized, tk.ObjectNotFound) as error:
        return _lookup_form(credentials, _message(error, WRONG_CODE), 403)
    return documents.download_response(found, file_id)


# -- the handlers' pages -----------------------------------------------------

def _login_first(endpoint: str, **args):
    return tk.redirect_to("user.login", came_from=tk.url_for(endpoint, **args))


def queue():
    if not tk.current_user.is_authenticated:
        return _login_first("nanjing_requests.queue")
    args = tk.request.args
    filters = {key: args.get(key, "").strip()[:100] for key in ("organization", "state")}
    page = paging.requested_page(args)
    limit = 50
    data: dict[str, Any] = {key: value for key, value in filters.items() if value}
    if args.get("overdue") == "1":
        data["status"] = "overdue"
        filters["overdue"] = "1"
    data.update(limit=limit, offset=(page - 1) * limit)
    error = ""
    try:
        found = tk.get_action("nanjing_request_list")(_context(), data)
    except tk.ValidationError as failure:
        found, error = [], forms.joined(failure)
    except tk.NotAuthorized as failure:
        found, error = [], _message(failure, "您不是任何受理机关的办理人员，无权查看申请")
    rows = _rows(found)
    count = found.get("count", len(rows)) if isinstance(found, dict) else len(rows)
    extra = {"requests": rows, "count": count, "filters": filters, "page": page,
             "limit": limit, "error": error, "organizations": _queue_organizations(),
             "notices": _open_notices()}
    return _render("nanjing/requests/queue.html", extra, 403 if error and not rows else 200,
                   private=True)


def _open_notices() -> list[dict]:
    """The latest reminders (near or past the deadline) of requests still open."""
    found = tk.get_action("nanjing_request_notices")(_context(), {"limit": 30})
    return [notice for notice in found["results"]
            if notice["state"] in states.OPEN_STATES][:10]


def _queue_organizations() -> list[dict]:
    if tk.current_user.sysadmin or tk.h.nanjing_is_reviewer():
        return _organizations()
    return tk.get_action("organization_list_for_user")(
        _context(), {"id": tk.current_user.id, "permission": "read"})


def _detail_page(id: str, form: str = "", values: dict | None = None,
                 errors: dict | None = None, status: int = 200):
    try:
        found = tk.get_action("nanjing_request_show")(_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, NOT_FOUND)
    except tk.NotAuthorized as error:
        return tk.abort(403, _message(error, "您无权查看该申请"))
    extra = {"request": found, "form": form, "values": values or {}, "errors": errors or {},
             "fields": forms.TRANSITION_FIELDS, "results": _results(),
             "appeal_kinds": forms.APPEAL_KINDS, "appeal_outcomes": forms.APPEAL_OUTCOMES,
             "today": localtime.today().isoformat(),
             "areas": [(area["value"], area["label"]) for area in codelists.get("areas").values],
             "can_publish": _allowed("nanjing_request_publish", found),
             "can_appeal": _allowed("nanjing_request_appeal_record", found)}
    return _render("nanjing/requests/detail.html", extra, status, private=True)


def _allowed(action: str, found: dict) -> bool:
    if action == "nanjing_request_publish" and (
            found.get("state") not in CLOSED_WITH_REPLY
            or found.get("result_group") not in ("disclose", "partial")
            or found.get("published_package_id")):
        return False
    if action == "nanjing_request_appeal_record" and found.get("state") not in CLOSED_WITH_REPLY:
        return False
    try:
        tk.check_access(action, _context(), {"id": found["id"]})
    except (tk.NotAuthorized, tk.ObjectNotFound, KeyError):
        return False
    return True


def detail(id: str):
    if not tk.current_user.is_authenticated:
        return _login_first("nanjing_requests.detail", id=id)
    return _detail_page(id)


def transition(id: str):
    if not tk.current_user.is_authenticated:
        return _login_first("nanjing_requests.detail", id=id)
    key = tk.request.form.get("transition", "")
    values: dict[str, Any] = {"note": tk.request.form.get("note", "").strip()}
    data: dict[str, Any] = {"id": id, "transition": key}
    for name, _label, kind, _extra in forms.TRANSITION_FIELDS.get(key, []):
        if kind == "files":
            uploads = [f for f in tk.request.files.getlist(name) if f and f.filename]
            if uploads:
                data[name] = uploads
        else:
            values[name] = tk.request.form.get(name, "").strip()
    data.update({name: value for name, value in values.items() if value != ""})
    try:
        done = tk.get_action("nanjing_request_transition")(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, NOT_FOUND)
    except tk.NotAuthorized as error:
        return _detail_page(id, key, values, {"__all__": [_message(
            error, "您无权进行该操作")]}, 403)
    except tk.ValidationError as error:
        return _detail_page(id, key, values, forms.errors(error), 400)
    label = next((event.get("label") for event in reversed(done.get("events") or [])
                  if event.get("transition") == key), "") or key
    tk.h.flash_success(f"已办理：{label}")
    return tk.redirect_to("nanjing_requests.detail", id=id)


def publish(id: str):
    if not tk.current_user.is_authenticated:
        return _login_first("nanjing_requests.detail", id=id)
    values = {"area": tk.request.form.get("area", "")}
    try:
        result = tk.get_action("nanjing_request_publish")(_context(), dict(values, id=id))
    except tk.ObjectNotFound:
        return tk.abort(404, NOT_FOUND)
    except (tk.NotAuthorized, tk.ValidationError) as error:
        message = (_message(error, "您无权将该申请转为主动公开")
                   if isinstance(error, tk.NotAuthorized)
                   else forms.joined(error))
        return _detail_page(id, "publish", values, {"__all__": [message]}, 400)
    tk.h.flash_success("已生成主动公开草稿（未公开），请完善后发布")
    return tk.redirect_to("gkml_item.read", id=result["name"])


def appeal(id: str):
    if not tk.current_user.is_authenticated:
        return _login_first("nanjing_requests.detail", id=id)
    values = {name: tk.request.form.get(name, "").strip() for name in forms.APPEAL_FIELDS}
    data = dict({name: value for name, value in values.items() if value}, id=id)
    try:
        tk.get_action("nanjing_request_appeal_record")(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, NOT_FOUND)
    except tk.NotAuthorized as error:
        return _detail_page(id, "appeal", values, {"__all__": [_message(
            error, "您无权登记行政复议或诉讼")]}, 403)
    except tk.ValidationError as error:
        return _detail_page(id, "appeal", values, forms.errors(error), 400)
    tk.h.flash_success("已登记行政复议/诉讼情况")
    return tk.redirect_to("nanjing_requests.detail", id=id)


def letter(id: str, letter_id: str, fmt: str):
    if not tk.current_user.is_authenticated:
        return _login_first("nanjing_requests.detail", id=id)
    if fmt not in LETTER_FORMATS:
        return tk.abort(404, f"不支持的下载格式：{fmt[:10]}")
    try:
        content = tk.get_action("nanjing_request_letter_show")(
            _context(), {"id": id, "letter_id": letter_id, "format": fmt})
    except tk.ObjectNotFound:
        return tk.abort(404, "文书不存在")
    except tk.NotAuthorized as error:
        return tk.abort(403, _message(error, "您无权下载该文书"))
    except tk.ValidationError as error:
        return tk.abort(400, forms.joined(error))
    return documents.download_response(content, f"{letter_id}.{fmt}")


def provided_file(id: str, file_id: str):
    if not tk.current_user.is_authenticated:
        return _login_first("nanjing_requests.detail", id=id)
    try:
        found = tk.get_action("nanjing_request_file_show")(
            _context(), {"id": id, "file_id": file_id})
    except tk.ObjectNotFound:
        return tk.abort(404, "该申请没有这个文件")
    except tk.NotAuthorized as error:
        return tk.abort(403, _message(error, "您无权下载该文件"))
    return documents.download_response(found, file_id)


_rule = nanjing_requests.add_url_rule
_rule("/requests", view_func=index, endpoint="index")
_rule("/requests/new", view_func=new, endpoint="new", methods=["GET", "POST"])
_rule("/requests/mine", view_func=mine, endpoint="mine")
_rule("/requests/lookup", view_func=lookup, endpoint="lookup", methods=["GET", "POST"])
_rule("/requests/lookup/transition", view_func=lookup_transition,
      endpoint="lookup_transition", methods=["POST"])
_rule("/requests/lookup/letter/<letter_id>.<fmt>", view_func=lookup_letter,
      endpoint="lookup_letter", methods=["POST"])
_rule("/requests/lookup/file/<file_id>", view_func=lookup_file, endpoint="lookup_file",
      methods=["POST"])
_rule("/requests/queue", view_func=queue, endpoint="queue")
_rule("/requests/<id>", view_func=detail, endpoint="detail")
_rule("/requests/<id>/transition", view_func=transition, endpoint="transition",
      methods=["POST"])
_rule("/requests/<id>/publish", view_func=publish, endpoint="publish", methods=["POST"])
_rule("/requests/<id>/appeal", view_func=appeal, endpoint="appeal", methods=["POST"])
_rule("/requests/<id>/letters/<letter_id>.<fmt>", view_func=letter, endpoint="letter")
_rule("/requests/<id>/files/<file_id>", view_func=provided_file, endpoint="file")
