"""The Action API of applications for conditional data (申请获取): apply,
see and list applications, take each step (formal check, 补正, approve with
a scope and period, reject, accept the agreement, withdraw), fetch their
attachments and agreement, and keep one's real-name profile."""
from __future__ import annotations

import base64
import datetime
import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import validate
from ckan.types import Context
from sqlalchemy import text as sql

from .. import documents, localtime, ratelimit, roles, workdays
from ..actionkit import bounded_int, rollback_on_error, signed_in
from ..formfields import boolean, choice, required, text, text_value
from . import agreement as agreements
from . import clock, grants, notify, profiles, rule
from .dicts import DELIVERIES, application_dict
from .model import Agreement, Application, ApplicationEvent, ApplicationFile
from .states import OPEN_STATES, STATES, STEPS

__all__ = [
    "nanjing_access_profile_show", "nanjing_access_profile_update",
    "nanjing_access_application_create", "nanjing_access_application_show",
    "nanjing_access_application_list", "nanjing_access_application_step",
    "nanjing_access_application_file_show", "nanjing_access_agreement_show",
]

NOT_FOUND = "申请不存在，或您无权查看"
FILE_KINDS = {"application_form": "申请表", "undertaking": "安全承诺书", "correction": "补正材料"}
AGREEMENT_FORMATS = {"pdf": "application/pdf",
                     "docx": "application/vnd.openxmlformats-officedocument"
                             ".wordprocessingml.document",
                     "html": "text/html; charset=utf-8"}


def roles_of(user: model.User | None, application: Application,
             known: dict[Any, bool] | None = None) -> set[str]:
    """What the user is to the application. `known` keeps the answers on
    bodies and the office across the applications of one list."""
    if user is None:
        return set()
    known = {} if known is None else known
    org = application.organization_id
    if ("steward", org) not in known:
        known[("steward", org)] = roles.is_steward(user.name, org)
    if "reviewer" not in known:
        known["reviewer"] = roles.is_reviewer(user.name)
    found = set()
    if user.id == application.user_id:
        found.add("applicant")
    if known[("steward", org)]:
        found.add("steward")
    if known["reviewer"]:
        found.add("reviewer")
    return found


def _application(context: Context, data_dict: dict[str, Any]
                 ) -> tuple[Application, set[str], model.User]:
    user = signed_in(context)
    found = model.Session.get(Application, str(data_dict.get("id") or "")[:100])
    if found is None:
        raise tk.ObjectNotFound(NOT_FOUND)
    who = roles_of(user, found)
    if not who:
        raise tk.ObjectNotFound(NOT_FOUND)
    return found, who, user


def _as_list(value: Any) -> list[str]:
    """A list of ids or names from a list, or from text split at commas or lines."""
    if value in (None, ""):
        return []
    items = value if isinstance(value, (list, tuple)) else str(value).replace("，", ",") \
        .replace("\n", ",").split(",")
    return [str(item).strip()[:200] for item in items if str(item).strip()]


def _day(value: Any, field: str, label: str, errors: dict[str, list[str]]
         ) -> datetime.date | None:
    if value in (None, ""):
        errors[field] = [f"请填写{label}"]
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        errors[field] = [f"{label}格式应为 YYYY-MM-DD，如 2027-01-01"]
        return None


def _datastore_fields(resource_ids: list[str]) -> set[str]:
    fields: set[str] = set()
    for resource_id in resource_ids:
        try:
            info = tk.get_action("datastore_info")({"ignore_auth": True}, {"id": resource_id})
        except (tk.ObjectNotFound, tk.ValidationError, KeyError):
            continue
        fields.update(field["id"] for field in info.get("fields", []))
    return fields


def _scope(package: model.Package, data_dict: dict[str, Any], errors: dict[str, list[str]],
           within_resources: list[str] | None = None, within_fields: list[str] | None = None
           ) -> tuple[list[str], list[str] | None]:
    """The resources and fields asked for (or approved), checked against the
    dataset, or against what was applied for when approving."""
    own = [r.id for r in package.resources if r.state == "active"]
    names = {r.name: r.id for r in package.resources if r.state == "active" and r.name}
    wanted = [names.get(item, item) for item in _as_list(data_dict.get("resource_ids"))]
    allowed = within_resources or own
    if not wanted and within_resources and "resource_ids" not in data_dict:
        wanted = list(allowed)  # approving without a choice: what was applied for
    if not wanted:
        errors["resource_ids"] = ["请选择需要获取的数据资源"]
    elif any(item not in allowed for item in wanted):
        errors["resource_ids"] = ["所选数据资源不属于该数据集" if within_resources is None
                                  else "同意的数据资源只能是申请范围内的资源"]
    fields = _as_list(data_dict.get("fields")) or None
    if fields and not errors.get("resource_ids"):
        known = set(within_fields) if within_fields else _datastore_fields(wanted)
        unknown = [field for field in fields if field not in known]
        if unknown:
            errors["fields"] = [f"所选资源中没有以下字段：{'、'.join(unknown[:10])}"
                                if within_fields is None else
                                f"同意的字段只能是申请范围内的字段：{'、'.join(unknown[:10])}"]
    return list(dict.fromkeys(wanted)), list(dict.fromkeys(fields)) if fields else None


def _period(data_dict: dict[str, Any], errors: dict[str, list[str]],
            within: tuple[datetime.date, datetime.date] | None = None
            ) -> tuple[datetime.date | None, datetime.date | None]:
    starts = _day(data_dict.get("starts_on"), "starts_on", "起始日期", errors)
    ends = _day(data_dict.get("ends_on"), "ends_on", "截止日期", errors)
    if starts and ends:
        longest = tk.config.get("ckanext.nanjing.access.longest_grant_days")
        if within is None and starts < localtime.today():
            errors["starts_on"] = ["起始日期不能早于今天"]
        elif ends < starts:
            errors["ends_on"] = ["截止日期不能早于起始日期"]
        elif (ends - starts).days + 1 > longest:
            errors["ends_on"] = [f"期限最长 {longest} 天"]
        elif within and (starts < within[0] or ends > within[1]):
            errors["ends_on"] = [f"同意的期限只能在申请的期限（{within[0].isoformat()} 至 "
                                 f"{within[1].isoformat()}）之内"]
        elif ends < localtime.today():
            errors["ends_on"] = ["截止日期已过"]
    return starts, ends


def _attachments(data_dict: dict[str, Any], kinds: tuple[str, ...], event_id: str | None = None
                 ) -> list[ApplicationFile]:
    limit = tk.config.get("ckanext.nanjing.access.max_file_mb")
    found = []
    for kind in kinds:
        uploads = documents.read_uploads(data_dict.get(kind), limit_mb=limit, field=kind,
                                         what=FILE_KINDS[kind], most=3)
        found.extend(ApplicationFile(kind=kind, name=u.name, mimetype=u.mimetype,
                                     size=len(u.content), content=u.content, event_id=event_id)
                     for u in uploads)
    return found


def _next_number(year: int) -> str:
    last = model.Session.execute(sql(
        "INSERT INTO nanjing_access_sequence (year, last) VALUES (:y, 1) "
        "ON CONFLICT (year) DO UPDATE SET last = nanjing_access_sequence.last + 1 "
        "RETURNING last"), {"y": year}).scalar()
    return f"数据开放申〔{year}〕第{last}号"


def record_event(application: Application, key: str, from_state: str | None, to_state: str,
                 user: model.User | None, actor_kind: str, data: dict[str, Any] | None = None,
                 note: str = "") -> ApplicationEvent:
    """One step on the application's timeline (the clock is computed from these)."""
    event = ApplicationEvent(transition=key, from_state=from_state, to_state=to_state,
                             actor_id=user.id if user else None, actor_kind=actor_kind,
                             note=note, data_json=json.dumps(data or {}, ensure_ascii=False,
                                                             default=str),
                             day=localtime.today())
    application.events.append(event)
    model.Session.flush()
    return event


# Profile

def nanjing_access_profile_show(context: Context, data_dict: dict[str, Any]
                                ) -> dict[str, Any] | None:
    """The caller's real-name profile, masked; None when not yet given."""
    tk.check_access("nanjing_access_profile_show", context, data_dict)
    user = signed_in(context)
    return profiles.profile_dict(profiles.profile_of(user.id))


@rollback_on_error
def nanjing_access_profile_update(context: Context, data_dict: dict[str, Any]
                                  ) -> dict[str, Any]:
    """Give or replace the caller's real-name profile: kind (individual |
    organisation), real_name, id_type, id_number, contact_person, phone."""
    tk.check_access("nanjing_access_profile_update", context, data_dict)
    user = signed_in(context)
    profile = profiles.save_profile(user, data_dict, context)
    model.Session.commit()
    return profiles.profile_dict(profile)


# Create

def _create_schema() -> dict[str, list]:
    ignore_missing = tk.get_validator("ignore_missing")
    return {
        "purpose": [required("用途"), text(1000)],
        "scenario": [required("应用场景"), text(1000)],
        "delivery": [choice(DELIVERIES, "获取方式")],
        "security": [required("安全保障措施"), text(2000)],
        "undertaking_accepted": [ignore_missing, boolean],
    }


def _refuse_too_many(user: model.User) -> None:
    most = tk.config.get("ckanext.nanjing.access.applications_per_day")
    since = datetime.datetime.utcnow() - datetime.timedelta(days=1)
    recent = (model.Session.query(Application)
              .filter(Application.user_id == user.id, Application.created >= since).count())
    if recent >= most:
        raise tk.ValidationError({"__before": [
            f"同一账号 24 小时内最多提交 {most} 件申请，请稍后再试"]})


def _conditional_package(value: Any) -> model.Package:
    package = model.Package.get(str(value or "")[:100])
    if package is None or package.state != "active" or package.private:
        raise tk.ObjectNotFound("数据集不存在")
    if rule.openness_of(package) != rule.CONDITIONAL:
        raise tk.ValidationError({"package_id": ["该数据集不是有条件开放数据，无需申请"]})
    return package


@rollback_on_error
def nanjing_access_application_create(context: Context, data_dict: dict[str, Any]
                                      ) -> dict[str, Any]:
    """Apply for the data of a conditional dataset: package_id, purpose,
    scenario, resource_ids, fields (optional), starts_on, ends_on, delivery
    (download | api | both), security, undertaking_accepted, and optional
    attachments application_form and undertaking (PDF, Word or scans)."""
    tk.check_access("nanjing_access_application_create", context, data_dict)
    user = signed_in(context)
    package = _conditional_package(data_dict.get("package_id") or data_dict.get("id"))
    if rule.verdict(rule.reader(user.name), package).allowed:
        raise tk.ValidationError({"package_id": [
            "您已经可以获取该数据集的数据（所属机构成员或已有有效授权），无需申请"]})
    profile = profiles.profile_of(user.id)
    if profile is None:
        raise tk.ValidationError({"profile": ["请先填写实名信息（个人或单位），再提交申请"]})
    pending = (model.Session.query(Application)
               .filter(Application.user_id == user.id, Application.package_id == package.id,
                       Application.state.in_(OPEN_STATES | {"approved"})).first())
    if pending is not None:
        raise tk.ValidationError({"__before": [
            f"您对该数据集已有一件申请正在办理（{pending.number}），请勿重复申请"]})
    _refuse_too_many(user)
    data, errors = validate(data_dict, _create_schema(), context)
    errors = {key: value for key, value in errors.items() if value}
    resource_ids, fields = _scope(package, data_dict, errors)
    starts, ends = _period(data_dict, errors)
    if not data.get("undertaking_accepted"):
        errors["undertaking_accepted"] = ["请阅读并勾选安全承诺：按申请的用途使用数据，"
                                          "不向第三方提供，不试图识别个人身份"]
    if errors:
        raise tk.ValidationError(errors)
    files = _attachments(data_dict, ("application_form", "undertaking"))
    today = localtime.today()
    first = "formal_check" if clock.formal_check_on() else "reviewing"
    application = Application(
        number=_next_number(today.year), user_id=user.id, package_id=package.id,
        organization_id=package.owner_org, state=first, applicant_kind=profile.kind,
        applicant_name=profile.real_name, applicant_id_masked=profile.id_number_masked,
        purpose=data["purpose"], scenario=data["scenario"], starts_on=starts, ends_on=ends,
        delivery=data["delivery"], security=data["security"], received=today)
    application.resource_ids, application.fields = resource_ids, fields
    model.Session.add(application)
    model.Session.flush()
    record_event(application, "submit", None, first, user, "applicant")
    application.files.extend(files)
    model.Session.commit()
    notify.to_stewards(application, "有条件开放数据申请", [
        f"{application.applicant_name} 申请获取“{package.title}”的数据。",
        f"用途：{application.purpose}",
        f"请在 {clock.deadline_dict(application)['due']} 前作出决定。"])
    return application_dict(application, {"applicant"})


# Read

def nanjing_access_application_show(context: Context, data_dict: dict[str, Any]
                                    ) -> dict[str, Any]:
    """An application, as the caller (applicant, owning body, office) may see it."""
    tk.check_access("nanjing_access_application_show", context, data_dict)
    application, who, _user = _application(context, data_dict)
    return application_dict(application, who)


def nanjing_access_application_list(context: Context, data_dict: dict[str, Any]
                                    ) -> dict[str, Any]:
    """scope "mine" (default): the caller's applications; "queue": those the
    caller's bodies (or, for the office, every body) decide, overdue first.
    Optional state and package_id filters; limit (≤ 500) and offset."""
    tk.check_access("nanjing_access_application_list", context, data_dict)
    user = signed_in(context)
    query = model.Session.query(Application)
    scope = data_dict.get("scope") or "mine"
    if scope == "mine":
        query = query.filter(Application.user_id == user.id)
    elif scope == "queue":
        bodies = roles.steward_organizations(user.name)
        if bodies is not None:
            if not bodies:
                raise tk.NotAuthorized("只有数据提供单位和数据开放主管部门可以查看待办申请")
            query = query.filter(Application.organization_id.in_(bodies))
    else:
        raise tk.ValidationError({"scope": ["scope 应为 mine 或 queue"]})
    if data_dict.get("state"):
        if not isinstance(data_dict["state"], str) or data_dict["state"] not in STATES:
            raise tk.ValidationError({"state": [f"state 应为：{'、'.join(STATES)}"]})
        query = query.filter(Application.state == data_dict["state"])
    if data_dict.get("package_id"):
        query = query.filter(Application.package_id == str(data_dict["package_id"]))
    limit, offset = bounded_int(data_dict.get("limit"), 100, "limit", 500), \
        bounded_int(data_dict.get("offset"), 0, "offset", 1_000_000)
    total = query.count()
    found = query.order_by(Application.created.desc()).offset(offset).limit(limit).all()
    known: dict[Any, bool] = {}
    results = [application_dict(a, roles_of(user, a, known)) for a in found]
    if scope == "queue":
        order = {"overdue": 0, "near": 1, "on_time": 2, "paused": 3, "closed": 4}
        results.sort(key=lambda a: (order.get(a["deadline"]["status"], 5),
                                    a["deadline"]["due"] or "9999"))
    return {"count": total, "results": results}


def nanjing_access_application_file_show(context: Context, data_dict: dict[str, Any]
                                         ) -> dict[str, Any]:
    """An attachment: id (the application), file_id; content as base64."""
    tk.check_access("nanjing_access_application_file_show", context, data_dict)
    application, _who, _user = _application(context, data_dict)
    found = next((f for f in application.files if f.id == data_dict.get("file_id")), None)
    if found is None:
        raise tk.ObjectNotFound("附件不存在")
    return {"filename": found.name, "mimetype": found.mimetype,
            "content_base64": base64.b64encode(found.content).decode()}


def nanjing_access_agreement_show(context: Context, data_dict: dict[str, Any]
                                  ) -> dict[str, Any]:
    """The agreement of an approved application: id, format (html | pdf |
    docx | text). html and text come as they are, pdf and docx as base64."""
    tk.check_access("nanjing_access_agreement_show", context, data_dict)
    application, _who, _user = _application(context, data_dict)
    found = application.agreement
    if found is None:
        raise tk.ObjectNotFound("该申请尚未同意，还没有数据利用协议")
    kind = data_dict.get("format") or "html"
    answer = {"title": found.title, "template_version": found.template_version,
              "text_sha256": found.text_sha256,
              "accepted_at": found.accepted_at.isoformat() if found.accepted_at else None,
              "filename": f"{found.title}-{application.number}.{kind}"}
    if kind == "html":
        return {**answer, "html": found.html}
    if kind == "text":
        return {**answer, "text": found.text}
    if kind == "pdf":
        content = agreements.to_pdf(found)
    elif kind == "docx":
        content = agreements.to_docx(found)
    else:
        raise tk.ValidationError({"format": ["format 应为 html、text、pdf 或 docx"]})
    return {**answer, "mimetype": AGREEMENT_FORMATS[kind],
            "content_base64": base64.b64encode(content).decode()}


# Steps

def _write_agreement(application: Application, package: model.Package) -> Agreement:
    org = model.Group.get(application.organization_id)
    profile = profiles.profile_dict(profiles.profile_of(application.user_id)) or {
        "kind_label": "", "real_name": application.applicant_name, "id_type_label": "",
        "id_number_masked": application.applicant_id_masked, "contact_person": "",
        "phone_masked": ""}
    ids = application.approved_resource_ids
    names = [r.name or r.id for r in package.resources if ids is None or r.id in ids]
    ends = application.approved_ends_on
    values = {
        "agreement": {"number": application.number.replace("申", "协"),
                      "title": agreements.TITLE, "made_on": localtime.today()},
        "body": {"title": org.title}, "applicant": profile,
        "dataset": {"title": package.title, "url": f"/dataset/{package.name}"},
        "resources": names, "fields": application.approved_fields or [],
        "purpose": application.purpose, "scenario": application.scenario,
        "security": application.security,
        "delivery_label": DELIVERIES[application.delivery],
        "starts_on": application.approved_starts_on, "ends_on": ends,
        "report_due": ends, "site_title": tk.config.get("ckan.site_title") or "本平台",
    }
    html, text_, version = agreements.write(values)
    if application.agreement is not None:
        model.Session.delete(application.agreement)
        model.Session.flush()
    application.agreement = Agreement(template_version=version, title=agreements.TITLE,
                                      html=html, text=text_,
                                      text_sha256=agreements.text_hash(text_))
    return application.agreement


def _step_data(application: Application, key: str, data_dict: dict[str, Any],
               user: model.User) -> dict[str, Any]:
    """The step's own fields, checked; a ValidationError names what is wrong."""
    errors: dict[str, list[str]] = {}

    def field(name: str, label: str, limit: int, needed: bool) -> str:
        # Gathered, not raised: approval reports its scope and its text at once.
        try:
            return text_value(data_dict, name, label, limit, needed)
        except tk.ValidationError as error:
            errors.update(error.error_dict)
            return ""

    data: dict[str, Any] = {}
    if key == "request_correction":
        data["items"] = field("items", "需补正的内容", 2000, True)
        days = tk.config.get("ckanext.nanjing.access.correction_days")
        data["due"] = workdays.add_working_days(localtime.today(), days).isoformat()
        data["back_to"] = application.state
    elif key == "submit_correction":
        data["text"] = field("text", "补正内容", 2000, True)
    elif key == "reject":
        data["reason"] = field("reason", "不予同意的理由", 2000, True)
    elif key == "withdraw":
        data["reason"] = field("reason", "撤回理由", 500, False)
    elif key == "approve":
        package = model.Package.get(application.package_id)
        resource_ids, fields = _scope(package, data_dict, errors,
                                      within_resources=application.resource_ids,
                                      within_fields=application.fields)
        if data_dict.get("starts_on") in (None, "") and data_dict.get("ends_on") in (None, ""):
            starts, ends = application.starts_on, application.ends_on
            if ends < localtime.today():
                errors["ends_on"] = ["申请的期限已过，请填写同意的期限"]
        else:
            starts, ends = _period(data_dict, errors,
                                   within=(application.starts_on, application.ends_on))
        data.update(resource_ids=resource_ids, fields=fields,
                    starts_on=starts.isoformat() if starts else None,
                    ends_on=ends.isoformat() if ends else None,
                    reason=field("reason", "说明", 2000, False))
    elif key == "accept_agreement":
        if not boolean(data_dict.get("agree"), {}):
            errors["agree"] = ["请阅读协议全文并勾选“同意并签署”"]
        found = application.agreement
        if found is None or data_dict.get("text_sha256") != found.text_sha256:
            errors["text_sha256"] = ["协议文本与您阅读的版本不一致，请重新打开协议阅读后签署"]
        elif application.approved_ends_on < localtime.today():
            errors["agree"] = ["同意的授权期限已过，无法签署，请重新申请"]
    if errors:
        raise tk.ValidationError(errors)
    return data


def _apply(application: Application, key: str, data: dict[str, Any], user: model.User,
           data_dict: dict[str, Any]) -> str:
    """The step's effect; returns the state it leads to."""
    step = STEPS[key]
    target = step.target
    today = localtime.today()
    if key == "submit_correction":
        asked = [e for e in application.events if e.transition == "request_correction"]
        target = asked[-1].data.get("back_to") or "reviewing"
    elif key == "approve":
        application.approved_resource_ids = data["resource_ids"]
        application.approved_fields = data["fields"]
        application.approved_starts_on = datetime.date.fromisoformat(data["starts_on"])
        application.approved_ends_on = datetime.date.fromisoformat(data["ends_on"])
        application.decided, application.decision_reason = today, data.get("reason") or ""
        _write_agreement(application, model.Package.get(application.package_id))
    elif key == "reject":
        application.decided, application.decision_reason = today, data["reason"]
    elif key == "accept_agreement":
        found = application.agreement
        found.accepted_at = datetime.datetime.utcnow()
        found.accepted_by = user.id
        found.client_address = ratelimit.client_address()
        grants.issue(application.user_id, model.Package.get(application.package_id),
                     max(application.approved_starts_on, today), application.approved_ends_on,
                     resource_ids=application.approved_resource_ids,
                     fields=application.approved_fields, application_id=application.id,
                     commit=False)
    return target


MAILS = {
    "request_correction": ("有条件开放数据申请需要补正",
                           lambda a, d: [f"请于 {d['due']} 前补正：{d['items']}"]),
    "approve": ("有条件开放数据申请已同意",
                lambda a, d: ["数据提供单位已同意您的申请，请登录平台阅读并签署数据利用协议，"
                              "签署后即可获取数据。"]),
    "reject": ("有条件开放数据申请不予同意", lambda a, d: [f"理由：{d['reason']}"]),
}


@rollback_on_error
def nanjing_access_application_step(context: Context, data_dict: dict[str, Any]
                                    ) -> dict[str, Any]:
    """Take a step of an application: id, step (pass_formal_check,
    request_correction, submit_correction, approve, reject,
    accept_agreement, withdraw) and the step's fields."""
    tk.check_access("nanjing_access_application_step", context, data_dict)
    application, who, user = _application(context, data_dict)
    key = data_dict.get("step")
    step = STEPS.get(key) if isinstance(key, str) else None
    if step is None:
        raise tk.ValidationError({"step": [f"step 应为：{'、'.join(STEPS)}"]})
    actor = step.actors.get(application.state)
    if actor is None:
        raise tk.ValidationError({"step": [
            f"申请当前为“{STATES[application.state]}”，不能“{step.label}”"]})
    if actor not in who:
        raise tk.NotAuthorized({"applicant": "只有申请人本人可以执行此操作",
                                "steward": "只有数据提供单位的工作人员可以执行此操作",
                                "reviewer": "只有数据开放主管部门可以执行此操作"}[actor])
    if key == "request_correction" and any(
            e.transition == "request_correction" for e in application.events):
        raise tk.ValidationError({"step": ["补正只能要求一次"]})
    data = _step_data(application, key, data_dict, user)
    from_state = application.state
    event = record_event(application, key, from_state, from_state, user, actor, data,
                    note=str(data_dict.get("note") or "")[:2000])
    if key == "submit_correction":
        application.files.extend(_attachments(data_dict, ("correction",), event.id))
    event.to_state = application.state = _apply(application, key, data, user, data_dict)
    model.Session.commit()
    if key in MAILS:
        subject, lines = MAILS[key]
        notify.to_applicant(application, subject, lines(application, data))
    if key == "submit_correction":
        notify.to_stewards(application, "申请人已提交补正", [f"申请 {application.number} 已补正。"])
    return application_dict(application, who)
