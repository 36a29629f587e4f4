"""The rules of each step of a request: who may take it (`step_roles`),
whether it is allowed now (`allowed_transitions`: 补正 once and within 7
working days, one extension, one fee, ...), the data it needs, the day it
is dated, its record, its effect on the request and the letter it writes."""
from __future__ import annotations

import datetime
import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from .. import documents, localtime, roles, workdays
from . import clock, fees, letters, results
from .dicts import request_dict
from .model import Request, RequestEvent, RequestLetter
from .states import TRANSITIONS

__all__ = ["DELIVERY_CHANNELS", "DATED_BACK", "step_roles", "allowed_transitions", "record",
           "remedy", "write_letter", "event_day", "text_field", "why_not", "transition_data", "apply"]

DELIVERY_CHANNELS = {"pickup": "自行领取", "post": "邮寄", "email": "电子邮件", "onsite": "当场送达"}
DEFAULT_CORRECTION_DAYS = 15
# Steps that happen outside the body and are recorded afterwards may be dated
# back by a handler; the body's own steps are dated the day they are taken
# (sysadmins may date any step, as when older records are brought in).
DATED_BACK = frozenset(["submit_correction", "end_consultation", "fee_paid", "deliver",
                        "withdraw"])


def step_roles(context: Context, request: Request, role: str) -> set[str]:
    found = {role}
    if roles.is_steward(context.get("user"), request.organization_id):
        found.add("handler")
    if roles.is_reviewer(context.get("user")):
        found.add("reviewer")
    return found


def _has(request: Request, transition: str) -> bool:
    return any(event.transition == transition for event in request.events)


def why_not(request: Request, key: str, today: datetime.date) -> str | None:
    """Why a transition the state machine allows is not allowed now (Chinese)."""
    if key == "request_correction":
        if _has(request, "request_correction"):
            return "补正只能告知一次（条例第三十条）"
        elapsed = workdays.working_days_between(request.received, today)
        if elapsed > clock.CORRECTION_WINDOW:
            return (f"已超过收到申请之日起 {clock.CORRECTION_WINDOW} 个工作日"
                    f"（已过 {elapsed} 个工作日），不能再要求补正（条例第三十条）")
    if key == "correction_expired":
        due = clock.clock_of(request).correction_due
        if due and today <= due:
            return f"补正期限 {due.isoformat()} 尚未届满"
    if key == "request_extension" and (_has(request, "approve_extension")):
        return "延期答复只能一次（条例第三十三条）"
    if key == "request_extension":
        due = clock.clock_of(request).deadline().due
        if due and today > due:
            return f"答复期限 {due.isoformat()} 已过，不能再申请延期（条例第三十三条）"
    if key == "charge_fee" and _has(request, "charge_fee"):
        return "同一申请只能收费一次"
    if key in ("fee_paid", "fee_expired") and request.pause_kind != "fee":
        return "该申请没有待缴的信息处理费"
    if key == "fee_expired":
        due = clock.clock_of(request).fee_due
        if due and today <= due:
            return f"缴费期限 {due.isoformat()} 尚未届满"
    if key == "end_consultation" and request.pause_kind not in ("third_party", "other_agency"):
        return "该申请没有进行中的征求意见或协商"
    return None


def allowed_transitions(request: Request, actor_roles: set[str],
                        today: datetime.date | None = None) -> list[str]:
    today = today or localtime.today()
    return [key for key, t in TRANSITIONS.items()
            if request.state in t.sources and t.actors & actor_roles
            and why_not(request, key, today) is None]


def record(request: Request, transition: str, from_state: str | None, to_state: str,
            context: Context, actor_kind: str, day: datetime.date, note: str,
            data: dict[str, Any]) -> RequestEvent:
    user = model.User.get(context.get("user") or "") if actor_kind != "applicant" else None
    event = RequestEvent(request_id=request.id, transition=transition, from_state=from_state,
                         to_state=to_state, actor_id=user.id if user else None,
                         actor_kind=actor_kind, note=note, day=day,
                         data_json=json.dumps(data, ensure_ascii=False, default=str))
    model.Session.add(event)
    request.events.append(event)
    request.modified = datetime.datetime.utcnow()
    model.Session.flush()
    return event


def remedy(org: model.Group) -> dict[str, str]:
    # Every reply letter names both (条例 Art. 51); the defaults stand in for
    # options set empty by mistake.
    return {"reconsideration_body": org.extras.get("reconsideration_body")
            or tk.config.get("ckanext.nanjing.requests.reconsideration_body") or "南京市人民政府",
            "court": org.extras.get("court") or tk.config.get("ckanext.nanjing.requests.court")
            or "有管辖权的人民法院"}


def write_letter(request: Request, event: RequestEvent, kind: str, role: str
                  ) -> RequestLetter:
    org = model.Group.get(request.organization_id)
    due = clock.clock_of(request).deadline()
    context = {"request": request_dict(request, role), "org": {"title": org.title,
                                                               "name": org.name},
               "event": {"transition": event.transition, "data": event.data,
                         "note": event.note, "created": event.created, "day": event.day},
               "today": localtime.today(), "due": due, "remedy": remedy(org)}
    try:
        rendered = letters.render_html(kind, context)
    except letters.LetterTemplateError as error:
        raise tk.ValidationError({"letter": [f"文书无法生成：{error}"]})
    letter = RequestLetter(request_id=request.id, event_id=event.id, kind=kind,
                           title=rendered.title, html=rendered.html, text=rendered.text)
    model.Session.add(letter)
    request.letters.append(letter)
    model.Session.flush()
    return letter


def event_day(data_dict: dict[str, Any], request: Request, actor_kind: str, key: str,
               sysadmin: bool) -> datetime.date:
    """Handlers may date back what happened outside the body (a correction
    received by post on Monday, registered on Tuesday), never before the
    last event or later than today."""
    if actor_kind == "applicant" or not data_dict.get("day"):
        return localtime.today()
    if key not in DATED_BACK and not sysadmin:
        raise tk.ValidationError({"day": [
            "本机关的办理步骤以当天为准，不能补填日期；只有补正、征求意见结果、缴费和送达等"
            "外来事项可以按实际收到或送达的日期登记"]})
    try:
        day = datetime.date.fromisoformat(str(data_dict["day"])[:10])
    except ValueError:
        raise tk.ValidationError({"day": ["日期格式应为 YYYY-MM-DD，如 2026-12-03"]})
    last = max(event.day for event in request.events)
    if day > localtime.today():
        raise tk.ValidationError({"day": ["日期不能晚于今天"]})
    if day < last:
        raise tk.ValidationError({"day": [f"日期不能早于上一步办理日期 {last.isoformat()}"]})
    return day


def text_field(data_dict: dict[str, Any], field: str, label: str, limit: int = 5000,
          required: bool = True) -> str:
    value = str(data_dict.get(field) or "").strip()
    if required and not value:
        raise tk.ValidationError({field: [f"请填写{label}"]})
    if len(value) > limit:
        raise tk.ValidationError({field: [f"{label}不能超过 {limit} 字（现有 {len(value)} 字）"]})
    return value


def transition_data(request: Request, key: str, data_dict: dict[str, Any],
                     today: datetime.date) -> dict[str, Any]:
    """The data each transition needs, checked; a ValidationError otherwise."""
    if key == "request_correction":
        return {"items": text_field(data_dict, "items", "需要补正的事项"),
                "reply_within": _days(data_dict.get("reply_within"), DEFAULT_CORRECTION_DAYS,
                                      "reply_within", 1, 30)}
    if key == "submit_correction":
        return {"text": text_field(data_dict, "text", "补正内容")}
    if key == "start_consultation":
        kind = data_dict.get("kind")
        if not isinstance(kind, str) or kind not in ("third_party", "other_agency"):
            raise tk.ValidationError({"kind": ["请选择征求第三方意见或与其他机关协商"]})
        return {"kind": kind, "party": text_field(data_dict, "party", "第三方或协商机关名称", 200)}
    if key == "end_consultation":
        return {"outcome": text_field(data_dict, "outcome", "意见或协商结果", required=False)}
    if key == "request_extension":
        return {"days": _days(data_dict.get("days"), None, "days", 1, 20),
                "reason": text_field(data_dict, "reason", "延期理由", 1000)}
    if key == "reject_extension":
        return {"reason": text_field(data_dict, "reason", "不批准的理由", 1000)}
    if key == "approve_extension":
        pending = [e for e in request.events if e.transition == "request_extension"][-1]
        return {"days": pending.data["days"], "reason": pending.data["reason"]}
    if key == "charge_fee":
        return _fee(request, data_dict, today)
    if key == "reply":
        return _reply_data(data_dict)
    if key == "correction_expired":
        return {"result": "other_no_correction", "text": "申请人无正当理由逾期未补正，本机关不再处理该申请。"}
    if key == "fee_expired":
        return {"result": "other_unpaid", "text": "申请人逾期未缴纳信息处理费，本机关不再处理该申请。"}
    if key == "deliver":
        channel = data_dict.get("channel")
        if not isinstance(channel, str) or channel not in DELIVERY_CHANNELS:
            raise tk.ValidationError({"channel": [
                f"送达方式应为：{'、'.join(DELIVERY_CHANNELS.values())}"]})
        return {"channel": channel, "channel_label": DELIVERY_CHANNELS[channel],
                "recipient": text_field(data_dict, "recipient", "签收人或送达记录", 200,
                                   required=False)}
    if key == "withdraw":
        return {"reason": text_field(data_dict, "reason", "撤回理由", 1000, required=False)}
    return {}


def _days(value: Any, default: int | None, field: str, low: int, high: int) -> int:
    if value in (None, "") and default is not None:
        return default
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise tk.ValidationError({field: [f"请填写 {low} 至 {high} 之间的工作日数"]})
    if not low <= days <= high:
        raise tk.ValidationError({field: [f"工作日数应在 {low} 至 {high} 之间（条例第三十三条）"
                                          if field == "days" else
                                          f"工作日数应在 {low} 至 {high} 之间"]})
    return days


def _fee(request: Request, data_dict: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    method = data_dict.get("method")
    if method == "per_page":
        pages = _days(data_dict.get("pages"), None, "pages", 1, 100000)
        fee = fees.per_page(pages)
    elif method == "per_request":
        # The applicant's requests to this body received in the month this one was.
        month = request.received.replace(day=1)
        earlier = (model.Session.query(Request)
                   .filter(Request.applicant_key == request.applicant_key,
                           Request.organization_id == request.organization_id,
                           Request.received >= month, Request.received <= request.received,
                           Request.id != request.id))
        nth = 1 + sum(1 for other in earlier
                      if (other.received, other.created) < (request.received, request.created))
        fee = fees.per_request(nth)
    else:
        raise tk.ValidationError({"method": ["计费方式应为按件计收或按量计收"]})
    if fee.amount == 0:
        raise tk.ValidationError({"method": [f"按该方式不应收费：{fee.breakdown[0]}"]})
    return {"kind": "fee", "method": method, "amount": fee.amount,
            "breakdown": list(fee.breakdown)}


def _reply_data(data_dict: dict[str, Any]) -> dict[str, Any]:
    result = results.get(str(data_dict.get("result") or ""))
    if result is None or result.key in ("other_no_correction", "other_unpaid"):
        raise tk.ValidationError({"result": ["请选择答复结果（年度报告表三所列的一种）"]})
    data = {"result": result.key, "text": text_field(data_dict, "text", "答复内容", 20000),
            "reasons": text_field(data_dict, "reasons", "理由和依据", 5000,
                             required=result.group in results.REASONS_REQUIRED),
            "where": text_field(data_dict, "where", "获取方式或公开位置", 1000, required=False)}
    return data


def apply(request: Request, key: str, data: dict[str, Any], day: datetime.date,
           uploads: list[documents.Upload]) -> None:
    """The transition's effect on the request's own fields."""
    target = TRANSITIONS[key].target
    request.state = target
    request.pause_kind = data.get("kind") if target == "paused" else None
    if key in ("reply", "correction_expired", "fee_expired"):
        request.result = data["result"]
        request.replied = day
    if key == "approve_extension":
        request.extension_days = data["days"]
