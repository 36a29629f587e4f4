"""The Action API of requests for disclosure: every step a person or the
mobile client takes is one of these actions."""
from __future__ import annotations

import base64
import datetime
import json
import logging
from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import validate
from ckan.types import Context
from sqlalchemy import text as sql

from .. import directory, documents, localtime, personal_data, printing, ratelimit, roles
from ..actionkit import rollback_on_error
from . import access, applicant_mail, dicts, numbering, privacy, results, stats, steps
from .model import Request, RequestAppeal, RequestFile, RequestLetter
from .schema import applicant_problems, create_schema, integer
from .states import STATES, TRANSITIONS

__all__ = [
    "nanjing_request_create", "nanjing_request_show", "nanjing_request_list",
    "nanjing_request_transition", "nanjing_request_letter_show", "nanjing_request_file_show",
    "nanjing_request_results", "nanjing_request_stats", "nanjing_request_publish",
    "nanjing_request_appeal_record",
]

log = logging.getLogger(__name__)



def _commit(context: Context) -> None:
    if not context.get("defer_commit"):
        model.Session.commit()


# Create

def _find_organization(value: str) -> model.Group:
    org = model.Group.get(value)
    if org is None or not org.is_organization or org.state != "active":
        raise tk.ValidationError({"organization": ["申请对象不存在，请从列表中选择受理机关"]})
    return org


def _next_number(org: model.Group, year: int) -> str:
    """宁发改公开申〔2026〕第3号: numbered per prefix and year; the row lock of
    the upsert makes concurrent applications wait for each other."""
    prefix = (org.extras.get("request_prefix") or "宁").strip()
    last = model.Session.execute(sql(
        "INSERT INTO nanjing_request_sequence (prefix, year, last) VALUES (:p, :y, 1) "
        "ON CONFLICT (prefix, year) DO UPDATE SET last = nanjing_request_sequence.last + 1 "
        "RETURNING last"), {"p": prefix, "y": year}).scalar()
    return numbering.format_number(prefix, year, last)


def _refuse_bulk(context: Context, applicant_key: str, handler: bool) -> None:
    """Art. 35 and plain abuse: applications per client address per hour and
    per applicant per day are limited (handlers registering paper
    applications are not)."""
    if handler:
        return
    per_address = tk.config.get("ckanext.nanjing.requests.max_per_address_per_hour")
    address = ratelimit.client_address()
    if address != "api-local" and ratelimit.count("request-create", address) >= per_address:
        raise tk.ValidationError({"__before": [
            f"同一网络地址每小时最多提交 {per_address} 件申请，请稍后再试"]})
    per_applicant = tk.config.get("ckanext.nanjing.requests.max_per_applicant_per_day")
    since = datetime.datetime.utcnow() - datetime.timedelta(days=1)
    recent = (model.Session.query(Request)
              .filter(Request.applicant_key == applicant_key, Request.created >= since).count())
    if recent >= per_applicant:
        raise tk.ValidationError({"__before": [
            f"同一申请人 24 小时内最多提交 {per_applicant} 件申请；如确有需要，"
            f"请合并为一件申请或与受理机关联系"]})
    if address != "api-local":
        ratelimit.hit("request-create", address, 3600)


@rollback_on_error
def nanjing_request_create(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Apply for disclosure. Returns the request with `lookup_code`, the
    查询码 that is shown only in this answer."""
    tk.check_access("nanjing_request_create", context, data_dict)
    data, errors = validate(data_dict, create_schema(), context)
    errors = {key: value for key, value in errors.items() if value}
    org = None
    if not errors.get("organization"):
        try:
            org = _find_organization(data["organization"])
        except tk.ValidationError as error:
            errors.update(error.error_dict)
    # Every problem at once, so the form is corrected in one round.
    for field, messages in applicant_problems(data).items():
        errors.setdefault(field, messages)
    if errors:
        raise tk.ValidationError(errors)
    handler = roles.is_steward(context.get("user"), org.id)
    id_number = data["id_number"].strip().upper()
    applicant_key = privacy.code_hash("id:" + id_number)
    _refuse_bulk(context, applicant_key, handler)
    received = data.get("received") if handler else None
    received = received or localtime.today()
    user = model.User.get(context.get("user") or "")
    code = privacy.new_lookup_code()
    request = Request(
        number=_next_number(org, received.year), year=received.year, organization_id=org.id,
        user_id=user.id if user and not handler else None, state="registered",
        lookup_code_hash=privacy.code_hash(code),
        applicant_type=data["applicant_type"], applicant_category=data["applicant_category"],
        applicant_name=data["name"], id_type=data["id_type"],
        id_number_encrypted=privacy.encrypt(id_number),
        id_number_masked=personal_data.mask_id(id_number), applicant_key=applicant_key,
        phone=data.get("phone") or "", email=data.get("email") or "", address=data.get("address") or "",
        description=data["description"], doc_number=data.get("doc_number") or "",
        purpose=data.get("purpose") or "", provision=data["provision"],
        delivery=data["delivery"], fee_waiver=bool(data.get("fee_waiver")),
        fee_waiver_reason=data.get("fee_waiver_reason") or "",
        channel=(data.get("channel") or "online") if handler else "online",
        received=received)
    model.Session.add(request)
    model.Session.flush()
    event = steps.record(request, "create", None, "registered", context,
                    "handler" if handler else "applicant", received, "", {})
    letter = steps.write_letter(request, event, "receipt", "handler")
    _commit(context)
    applicant_mail.receipt_sent(request, code, letter)
    answer = dicts.request_dict(request, "handler" if handler else "applicant")
    answer["lookup_code"] = code
    return answer


# Read

@tk.side_effect_free
def nanjing_request_show(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """One request: by `id` for its handlers, reviewers and the applicant's
    account, or by `number` and `code` (查询码) for anyone holding them."""
    tk.check_access("nanjing_request_show", context, data_dict)
    request, role = access.resolve(context, data_dict)
    answer = dicts.request_dict(request, role)
    answer["allowed_transitions"] = [
        {"key": key, "label": TRANSITIONS[key].label}
        for key in steps.allowed_transitions(request, steps.step_roles(context, request, role))]
    return answer


@tk.side_effect_free
def nanjing_request_list(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The queue: requests of the organizations the user handles (all for
    reviewers), or with `mine=true` the user's own applications. Filters:
    `organization`, `state`, `status` (on_time/near/overdue/paused/closed)."""
    tk.check_access("nanjing_request_list", context, data_dict)
    query = model.Session.query(Request)
    mine = str(data_dict.get("mine", "")).lower() in ("true", "1", "yes")
    user = model.User.get(context.get("user") or "")
    if mine:
        query = query.filter(Request.user_id == (user.id if user else None))
        role = "applicant"
    else:
        handled = roles.steward_organizations(context.get("user"))
        if handled is not None:
            query = query.filter(Request.organization_id.in_(handled or [""]))
        role = "handler"
    if data_dict.get("organization"):
        query = query.filter(
            Request.organization_id == access.organization_filter(data_dict["organization"]))
    if data_dict.get("state"):
        if not isinstance(data_dict["state"], str) or data_dict["state"] not in STATES:
            raise tk.ValidationError({"state": [f"状态应为：{'、'.join(STATES)}"]})
        query = query.filter(Request.state == data_dict["state"])
    rows = [dicts.request_dict(r, role) for r in query.order_by(Request.received, Request.created)]
    status = data_dict.get("status")
    if status:
        rows = [row for row in rows if row["deadline"]["status"] == status]
    order = {"overdue": 0, "near": 1, "on_time": 2, "paused": 3, "closed": 4}
    rows.sort(key=lambda row: (order.get(row["deadline"]["status"], 5),
                               row["deadline"]["due"] or "9999"))
    limit = integer(data_dict.get("limit"), 100, "limit")
    offset = integer(data_dict.get("offset"), 0, "offset")
    return {"count": len(rows), "results": rows[offset:offset + limit]}


@tk.side_effect_free
def nanjing_request_results(context: Context, data_dict: dict[str, Any]) -> list[dict]:
    """The results a reply may have (the annual report's table 三)."""
    tk.check_access("nanjing_request_results", context, data_dict)
    return [{"key": r.key, "label": r.label, "group": r.group,
             "group_label": results.GROUPS[r.group], "article": r.article,
             "reasons_required": r.group in results.REASONS_REQUIRED}
            for r in results.RESULTS.values()]


@tk.side_effect_free
def nanjing_request_stats(context: Context, data_dict: dict[str, Any]) -> list[dict]:
    """Public counts per body for a year: received, answered, answered on
    time, still open and, of those, overdue today, the average working days
    to a reply, and the replies by result group. Every body is listed, with
    zeros when nothing came in. In the current year `overdue` also counts
    requests of earlier years that are still unanswered past their deadline.
    The figures 公开情况 and 依申请公开 show. Never a request's text or
    applicant."""
    tk.check_access("nanjing_request_stats", context, data_dict)
    today = localtime.today()
    year = integer(data_dict.get("year"), today.year, "year")
    if data_dict.get("organization"):
        wanted = access.organization_filter(data_dict["organization"])
        bodies = [dicts.organization_of_id(wanted)] if wanted else []
    else:
        bodies = [{"id": org["id"], "name": org["name"], "title": org.get("title") or org["name"]}
                  for org in directory.all_organizations({"ignore_auth": True})]
    return stats.yearly(bodies, year, today)


@tk.side_effect_free
def nanjing_request_letter_show(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """A letter as `format` pdf, docx or html: {"filename", "mimetype",
    "content_base64"}."""
    tk.check_access("nanjing_request_letter_show", context, data_dict)
    request, _role = access.resolve(context, data_dict)
    letter = next((l for l in request.letters if l.id == data_dict.get("letter_id")), None)
    if letter is not None and _role == "applicant" and letter.kind not in dicts.APPLICANT_LETTERS:
        letter = None
    if letter is None:
        raise tk.ObjectNotFound("该申请没有这份文书")
    kind = str(data_dict.get("format") or "pdf").lower()
    if kind not in ("pdf", "docx", "html"):
        raise tk.ValidationError({"format": ["格式应为 pdf、docx 或 html"]})
    content = _letter_bytes(letter, kind)
    mimetypes = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
                 "docx": "application/vnd.openxmlformats-officedocument."
                         "wordprocessingml.document"}
    return {"filename": f"{request.number}-{letter.title}.{kind}", "mimetype": mimetypes[kind],
            "content_base64": base64.b64encode(content).decode()}


def _letter_bytes(letter: RequestLetter, kind: str) -> bytes:
    """PDF and DOCX are made once from the kept HTML and kept too."""
    if kind == "html":
        return letter.html.encode()
    if getattr(letter, kind) is None:
        made = printing.Document(letter.kind, letter.title, letter.html, letter.text)
        setattr(letter, kind, printing.to_pdf(made) if kind == "pdf" else printing.to_docx(made))
        model.Session.commit()
    return getattr(letter, kind)


@tk.side_effect_free
def nanjing_request_file_show(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """A document provided with the reply: {"filename", "mimetype", "content_base64"}."""
    tk.check_access("nanjing_request_file_show", context, data_dict)
    request, _role = access.resolve(context, data_dict)
    found = next((f for f in request.files if f.id == data_dict.get("file_id")), None)
    if found is None:
        raise tk.ObjectNotFound("该申请没有这个文件")
    return {"filename": found.name, "mimetype": found.mimetype,
            "content_base64": base64.b64encode(found.content).decode()}


@rollback_on_error
def nanjing_request_transition(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Take a request one step: `transition` is a key of states.TRANSITIONS;
    the step's data as its table in the README says."""
    tk.check_access("nanjing_request_transition", context, data_dict)
    request, role = access.resolve(context, data_dict)
    # Two handlers answering at once: the second waits, then sees the new state.
    model.Session.refresh(request, with_for_update=True)
    key = data_dict.get("transition")
    transition = TRANSITIONS.get(key) if isinstance(key, str) else None
    if transition is None:
        raise tk.ValidationError({"transition": ["没有这种办理步骤"]})
    actor_roles = steps.step_roles(context, request, role)
    if not transition.actors & actor_roles:
        raise tk.NotAuthorized(f"您不能执行“{transition.label}”")
    if request.state not in transition.sources:
        raise tk.ValidationError({"transition": [
            f"申请当前为“{STATES[request.state]}”，不能“{transition.label}”"]})
    if key in ("approve_extension", "reject_extension"):
        actor_kind = "reviewer"
    else:
        actor_kind = "handler" if "handler" in actor_roles else "applicant"
    # The legal windows are judged on the day the step is dated.
    day = steps.event_day(data_dict, request, actor_kind, key,
                     authz.is_sysadmin(context.get("user")))
    why_not = steps.why_not(request, key, day)
    if why_not:
        raise tk.ValidationError({"transition": [why_not]})
    if key == "approve_extension" and not authz.is_sysadmin(context.get("user")):
        asked = [e for e in request.events if e.transition == "request_extension"][-1]
        user = model.User.get(context.get("user") or "")
        if user is not None and asked.actor_id == user.id:
            raise tk.NotAuthorized("申请延期的人员不能自己批准延期")
    data = steps.transition_data(request, key, data_dict, day)
    # Several files come as files, files_2, files_3… (the Action API keeps
    # one upload per form field).
    uploads = documents.read_uploads(
        [value for name, value in sorted(data_dict.items())
         if name == "files" or name.startswith("files_")],
        limit_mb=tk.config.get("ckanext.nanjing.requests.max_file_mb")) if key == "reply" else []
    if key == "reply" and results.RESULTS[data["result"]].group in ("disclose", "partial") \
            and not uploads and not data["where"]:
        raise tk.ValidationError({"files": [
            "予以公开或部分公开时，请上传提供的信息，或写明获取方式和公开位置"]})
    note = steps.text_field(data_dict, "note", "办理备注", 2000, required=False)
    from_state = request.state
    event = steps.record(request, key, from_state, transition.target, context, actor_kind, day,
                    note, data)
    if uploads:
        for upload in uploads:
            request.files.append(RequestFile(
                request_id=request.id, event_id=event.id, name=upload.name,
                mimetype=upload.mimetype, size=len(upload.content), content=upload.content))
        data["files"] = [upload.name for upload in uploads]
        event.data_json = json.dumps(data, ensure_ascii=False, default=str)
    steps.apply(request, key, data, day, uploads)
    letter = None
    if transition.letter:
        kind = transition.letter
        if kind == "consultation" and data.get("kind") == "other_agency":
            kind = "agency"
        letter = steps.write_letter(request, event, kind, "handler")
    _commit(context)
    if letter is not None and letter.kind in dicts.APPLICANT_LETTERS:
        applicant_mail.letter_sent(request, letter)
    answer = dicts.request_dict(request, role)
    answer["allowed_transitions"] = [{"key": k, "label": TRANSITIONS[k].label}
                                     for k in steps.allowed_transitions(request, actor_roles)]
    return answer


# After the reply

@rollback_on_error
def nanjing_request_publish(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """依申请公开转主动公开: a private `gkml_item` draft in the organization
    from a reply of 予以公开 or 部分公开; `area` (one of the nine pilot
    areas) is required."""
    tk.check_access("nanjing_request_publish", context, data_dict)
    request, role = access.resolve(context, data_dict)
    group = results.RESULTS[request.result].group if request.result else None
    if group not in ("disclose", "partial"):
        raise tk.ValidationError({"id": ["只有予以公开或部分公开的答复可以转为主动公开"]})
    if request.published_package_id and model.Package.get(request.published_package_id):
        raise tk.ValidationError({"id": ["该申请已转为主动公开草稿"]})
    org = model.Group.get(request.organization_id)
    # What was asked for, not the reply (which is addressed to the applicant);
    # the platform's personal-data detector keeps numbers out of the draft.
    content = steps.text_field(data_dict, "disclosure_content", "公开内容", 2000, required=False) \
        or request.description[:2000]
    title = steps.text_field(data_dict, "title", "公开事项名称", 200, required=False) \
        or f"依申请公开：{content[:60]}"
    kind = personal_data.personal_info_kind(content + " " + title)
    if kind or request.applicant_name in content + title:
        found = personal_data.PERSONAL_KINDS.get(kind, "申请人姓名")
        raise tk.ValidationError({"disclosure_content": [
            f"草稿内容含有个人信息（{found}），请在“公开内容”中填写去除个人信息后的内容"]})
    draft = {
        "type": "gkml_item", "owner_org": org.id, "private": True,
        "name": f"ysq-{request.year}-{request.id[:8]}",
        "title": title,
        "area": data_dict.get("area"), "level1_item": "依申请公开转主动公开",
        "level2_item": steps.text_field(data_dict, "level2_item", "二级事项", 100, required=False)
        or "经申请公开的政府信息",
        "item_code": f"YSQ-{request.year}-{request.id[:8]}",
        "disclosure_content": content,
        "disclosure_basis": "《中华人民共和国政府信息公开条例》第四十四条",
        "disclosure_deadline": "自信息形成或者变更之日起20个工作日内",
        "audience": "public", "disclosure_method": "proactive",
        "disclosure_level": data_dict.get("disclosure_level") or "city",
        "disclosure_attribute": "proactive", "formed_date": request.replied.isoformat(),
        "notes": f"由{request.number}的答复转为主动公开。",
    }
    package = tk.get_action("package_create")(
        {"user": context.get("user"), "ignore_auth": False}, draft)
    request.published_package_id = package["id"]
    _commit(context)
    return {"package_id": package["id"], "name": package["name"]}


@rollback_on_error
def nanjing_request_appeal_record(context: Context, data_dict: dict[str, Any]
                                  ) -> dict[str, Any]:
    """Record (or with `appeal_id`, update) a 行政复议 or 行政诉讼 against the
    reply, with its outcome: the annual report's table 四."""
    tk.check_access("nanjing_request_appeal_record", context, data_dict)
    request, role = access.resolve(context, data_dict)
    if request.result is None:
        raise tk.ValidationError({"id": ["申请尚未答复，不能登记行政复议或行政诉讼"]})
    errors = {}
    if not isinstance(data_dict.get("kind"), str) or data_dict["kind"] not in dicts.APPEAL_KINDS:
        errors["kind"] = [f"类型应为：{'、'.join(dicts.APPEAL_KINDS.values())}"]
    if not isinstance(data_dict.get("outcome"), str) or data_dict["outcome"] not in dicts.APPEAL_OUTCOMES:
        errors["outcome"] = [f"结果应为：{'、'.join(dicts.APPEAL_OUTCOMES.values())}"]
    dates = {}
    for field, label in (("filed", "申请或起诉日期"), ("decided", "审结日期")):
        value = data_dict.get(field)
        if not value:
            if field == "filed":
                errors[field] = [f"请填写{label}"]
            continue
        try:
            dates[field] = datetime.date.fromisoformat(str(value)[:10])
        except ValueError:
            errors[field] = ["日期格式应为 YYYY-MM-DD"]
    if data_dict.get("outcome") != "pending" and "outcome" not in errors and "decided" not in dates \
            and "decided" not in errors:
        errors["decided"] = ["已审结的，请填写审结日期"]
    if errors:
        raise tk.ValidationError(errors)
    appeal = None
    if data_dict.get("appeal_id"):
        appeal = next((a for a in request.appeals if a.id == data_dict["appeal_id"]), None)
        if appeal is None:
            raise tk.ObjectNotFound("该申请没有这条复议或诉讼记录")
    if appeal is None:
        appeal = RequestAppeal(request_id=request.id)
        request.appeals.append(appeal)
    appeal.kind, appeal.outcome = data_dict["kind"], data_dict["outcome"]
    appeal.filed, appeal.decided = dates["filed"], dates.get("decided")
    appeal.note = steps.text_field(data_dict, "note", "说明", 2000, required=False)
    appeal.modified = datetime.datetime.utcnow()
    _commit(context)
    return dicts.appeal_dict(appeal)
