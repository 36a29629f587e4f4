"""The Action API of 互动交流. The public send a message (with the
anti-spam question unless signed in), follow it by number and 查询码, rate
the answer and say "我也需要" of a data request; the open-data office
reviews (审看), merges and routes; the body it is assigned to sends it
back, passes it on, notes progress, extends once and answers."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Context

from .. import formfields, localtime, personal_data, ratelimit, roles, sealing
from ..actionkit import bounded_int, rollback_on_error, signed_in
from . import access, challenge, dicts, notify, rules, steps
from .model import Item

__all__ = ["nanjing_interaction_challenge", "nanjing_interaction_create",
           "nanjing_interaction_show", "nanjing_interaction_list", "nanjing_interaction_queue",
           "nanjing_interaction_moderate", "nanjing_interaction_merge",
           "nanjing_interaction_assign", "nanjing_interaction_send_back",
           "nanjing_interaction_transfer", "nanjing_interaction_acknowledge",
           "nanjing_interaction_extend", "nanjing_interaction_answer",
           "nanjing_interaction_rate", "nanjing_interaction_vote"]

MAX_TITLE, MAX_TEXT, MAX_NOTE, MAX_DETAIL, MAX_NAME = 100, 5000, 1000, 500, 50
NOT_HANDLER = "只有承办该留言的部门可以办理；请先由平台分办到本部门"


def _text(data: dict[str, Any], name: str, label: str, limit: int, needed: bool) -> str:
    return formfields.text_value(data, name, label, limit, needed)


def _check(validator, data: dict[str, Any], name: str) -> Any:
    value = data.get(name)
    try:
        return validator(value, {})
    except tk.Invalid as invalid:
        raise tk.ValidationError({name: [str(invalid.error)]})


def _public_dataset(ident: object, field: str = "dataset") -> model.Package:
    if not isinstance(ident, str) or len(ident) > 200:
        raise tk.ValidationError({field: ["应为数据集的名称或 id"]})
    package = model.Package.get(ident.strip())
    if package is None or package.state != "active" or package.private:
        raise tk.ValidationError({field: ["没有这个公开的数据集"]})
    return package


def _organization(ident: object) -> model.Group:
    if not isinstance(ident, str) or not ident.strip() or len(ident) > 200:
        raise tk.ValidationError({"organization": ["请选择承办部门"]})
    group = model.Group.get(ident.strip())
    if group is None or not group.is_organization or group.state != "active":
        raise tk.ValidationError({"organization": ["没有这个部门"]})
    return group


def _submission(data: dict[str, Any]) -> dict[str, Any]:
    kinds = rules.kinds()
    fields: dict[str, Any] = {"kind": _check(formfields.choice(kinds, "留言类型"), data, "kind")}
    fields["title"] = _text(data, "title", "标题", MAX_TITLE, True)
    fields["text"] = _text(data, "text", "内容", MAX_TEXT, True)
    fields["name"] = _text(data, "name", "姓名", MAX_NAME, False)
    fields["email"] = _check(formfields.email, data, "email") or ""
    fields["phone"] = _check(formfields.phone, data, "phone") or ""
    if isinstance(fields["email"], str):
        fields["email"] = fields["email"].strip()
    fields["private_answer"] = formfields.boolean(data.get("private_answer") or False, {})
    fields["target_url"] = _text(data, "target_url", "所指页面", MAX_DETAIL, False)
    if fields["target_url"] and not (fields["target_url"].startswith("/")
                                     or fields["target_url"].startswith(("http://", "https://"))):
        raise tk.ValidationError({"target_url": ["所指页面应为本站页面的地址"]})
    fields["target_detail"] = _text(data, "target_detail", "有异议的行或列", MAX_DETAIL, False)
    if data.get("dataset") not in (None, ""):
        fields["dataset_id"] = _public_dataset(data.get("dataset")).id
    if data.get("resource") not in (None, ""):
        resource = model.Resource.get(str(data.get("resource"))[:100]) \
            if isinstance(data.get("resource"), str) else None
        if resource is None or resource.package_id != fields.get("dataset_id") \
                or resource.state != "active":
            raise tk.ValidationError({"resource": ["没有这个资源（应为所指数据集的资源）"]})
        fields["resource_id"] = resource.id
    if fields["kind"] == "objection" and not fields.get("dataset_id"):
        raise tk.ValidationError({"dataset": ["数据异议须指明数据集"]})
    if fields["kind"] == "objection" and not fields["target_detail"]:
        raise tk.ValidationError({"target_detail": ["请写明有异议的行或列"]})
    if fields["kind"] == "correction" and not (fields["target_url"] or fields.get("dataset_id")):
        raise tk.ValidationError({"target_url": ["纠错须指明所指页面或数据集"]})
    if fields["private_answer"] and not fields["email"]:
        raise tk.ValidationError({"email": ["不公开答复时，答复只发到邮箱，请填写电子邮箱"]})
    return fields


def _refuse_flood(fields: dict[str, Any], user: model.User | None) -> None:
    """Per address and per contact; not for the bodies' stewards and the
    office, who may enter what reached them by telephone or letter."""
    if user is not None and roles.steward_organizations(user.name) != []:
        return
    address = ratelimit.client_address()
    if address != "api-local":
        if ratelimit.hit("interaction-create", address, 3600) > tk.config.get(
                "ckanext.nanjing.interaction.max_per_address_per_hour"):
            raise tk.ValidationError({"__before": [
                "本网络地址一小时内提交过多，请稍后再提交；紧急事项请拨打 12345 热线"]})
    for contact in (fields["email"].lower(), fields["phone"].replace(" ", "")):
        if contact:
            key = sealing.keyed_hash(contact, "nanjing-interaction/contact")
            if ratelimit.hit("interaction-contact", key, 86400) > tk.config.get(
                    "ckanext.nanjing.interaction.max_per_contact_per_day"):
                raise tk.ValidationError({"__before": [
                    "同一联系方式今天提交过多，请明天再提交，或补充到已提交的留言中"]})


@tk.side_effect_free
def nanjing_interaction_challenge(context: Context, data_dict: dict[str, Any]) -> dict[str, str]:
    """An anti-spam question and its token, for a visitor's
    nanjing_interaction_create (`challenge_token`, `challenge_answer`)."""
    tk.check_access("nanjing_interaction_challenge", context, data_dict)
    return challenge.new()


@rollback_on_error
def nanjing_interaction_create(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Send a message: `kind` (consult, suggestion, complaint, correction,
    objection, data_request), `title`, `text`; optional `name`, `email`,
    `phone`, `private_answer`, and what it is about: `target_url`,
    `dataset`, `resource`, `target_detail` (an objection's rows or
    columns). A visitor not signed in answers `challenge_answer` to the
    `challenge_token` of nanjing_interaction_challenge. Answers the message
    with its `number` and `lookup_code` (shown only this once)."""
    tk.check_access("nanjing_interaction_create", context, data_dict)
    user = access.user_of(context)
    fields = _submission(data_dict)
    if user is not None:   # an account's own address and name, unless others are given
        if data_dict.get("email") is None:   # "" asks for no mail at all
            fields["email"] = user.email or ""
        fields["name"] = fields["name"] or user.fullname or ""
    if user is None:
        challenge.check(data_dict.get("challenge_token"), data_dict.get("challenge_answer"),
                        data_dict.get("website"))
    _refuse_flood(fields, user)
    item, code = steps.submit(fields, user)
    model.Session.commit()
    mailed = notify.receipt(item, code)
    return dict(dicts.as_dict(item, "sender"), lookup_code=code, receipt_mailed=mailed)


def _visible(context: Context, data_dict: dict[str, Any]) -> tuple[Item, str | None]:
    number, code = data_dict.get("number"), data_dict.get("code")
    if code not in (None, ""):
        return access.by_code(number, code), "sender"
    item = access.get(data_dict.get("id"))
    role = access.role_of(context, item)
    if role is None and item.state not in rules.PUBLIC_STATES:
        raise tk.ObjectNotFound("没有这条留言")
    return item, role


@tk.side_effect_free
def nanjing_interaction_show(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """One message by `id` (or number): as the public see it once it is
    accepted; the sender (`number` and `code`, or their account) and its
    handlers see more."""
    tk.check_access("nanjing_interaction_show", context, data_dict)
    item, role = _visible(context, data_dict)
    return dicts.as_dict(item, role)


def _kind_filter(value: Any) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or value not in rules.kinds():
        raise tk.ValidationError({"kind": ["kind 应为：" + "、".join(rules.kinds())]})
    return value


@tk.side_effect_free
def nanjing_interaction_list(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The 互动交流 list: accepted messages, newest first, optionally one
    `kind`, one `organization`, only `answered`; `limit` (≤ 100), `offset`."""
    tk.check_access("nanjing_interaction_list", context, data_dict)
    query = model.Session.query(Item).filter(Item.state.in_(rules.PUBLIC_STATES))
    kind = _kind_filter(data_dict.get("kind"))
    if kind:
        query = query.filter(Item.kind == kind)
    if data_dict.get("organization") not in (None, ""):
        query = query.filter(Item.organization_id == _organization(
            data_dict.get("organization")).id)
    if formfields.boolean(data_dict.get("answered") or False, {}):
        query = query.filter(Item.state == "answered")
    limit = bounded_int(data_dict.get("limit"), 20, "limit", 100)
    offset = bounded_int(data_dict.get("offset"), 0, "offset", 1_000_000)
    order = (Item.votes.desc(), Item.received.desc()) if kind == "data_request" and \
        data_dict.get("sort") == "votes" else (Item.received.desc(),)
    rows = query.order_by(*order).offset(offset).limit(limit).all()
    today = localtime.today()
    return {"count": query.count(), "items": [dicts.as_dict(row, None, today) for row in rows]}


@tk.side_effect_free
def nanjing_interaction_queue(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The stewards' queue: the office sees every message (待审看 first),
    a body those assigned to it. Optional `state`, `kind`, `standing`
    (near 临期, overdue 超期); soonest due first."""
    tk.check_access("nanjing_interaction_queue", context, data_dict)
    user = signed_in(context)
    query = model.Session.query(Item)
    if not roles.is_reviewer(user.name):
        query = query.filter(Item.organization_id.in_(
            roles.steward_organizations(user.name) or [""]))
    state = data_dict.get("state")
    if state not in (None, ""):
        if not isinstance(state, str) or state not in rules.STATES:
            raise tk.ValidationError({"state": ["state 应为：" + "、".join(rules.STATES)]})
        query = query.filter(Item.state == state)
    else:
        query = query.filter(Item.state.in_(("submitted", *rules.OPEN_STATES)))
    kind = _kind_filter(data_dict.get("kind"))
    if kind:
        query = query.filter(Item.kind == kind)
    today = localtime.today()
    standing = data_dict.get("standing")
    if standing not in (None, "", "near", "overdue"):
        raise tk.ValidationError({"standing": ["standing 应为 near（临期）或 overdue（超期）"]})
    rows = query.order_by(Item.due.asc().nullsfirst(), Item.received).limit(2000).all()
    # A steward's or the office's role depends only on the body handling the
    # item: asked once per body, not once per item.
    role_by_body: dict[str | None, str] = {}
    found = []
    for row in rows:
        if row.organization_id not in role_by_body:
            role_by_body[row.organization_id] = access.role_of(context, row) or "moderator"
        found.append(dicts.as_dict(row, role_by_body[row.organization_id], today))
    if standing:
        found = [row for row in found if row["standing"] == standing]
    limit = bounded_int(data_dict.get("limit"), 50, "limit", 200)
    offset = bounded_int(data_dict.get("offset"), 0, "offset", 1_000_000)
    counts = {key: sum(1 for row in found if row["standing"] == key)
              for key in ("near", "overdue")}
    return {"count": len(found), "near": counts["near"], "overdue": counts["overdue"],
            "items": found[offset:offset + limit]}


def _item_in(data_dict: dict[str, Any], states: tuple[str, ...], doing: str) -> Item:
    item = access.get(data_dict.get("id"))
    if item.state not in states:
        raise tk.ValidationError({"state": [
            f"该留言当前为“{rules.STATES.get(item.state, item.state)}”，不能{doing}"]})
    return item


def _done(item: Item, role: str) -> dict[str, Any]:
    model.Session.commit()
    return dicts.as_dict(item, role)


@rollback_on_error
def nanjing_interaction_moderate(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """审看 (the open-data office): `decision` accept or reject. Accept may
    edit the public `public_title` / `public_text` (masked again) and name
    the `organization` to handle it; reject needs a `reason` (spam, abuse,
    duplicate, disclosure_request, hotline_12345) and may add a `note`."""
    tk.check_access("nanjing_interaction_moderate", context, data_dict)
    actor = signed_in(context)
    item = _item_in(data_dict, ("submitted",), "再审看")
    decision = _check(formfields.choice({"accept": "受理", "reject": "不予受理"}, "审看结果"),
                      data_dict, "decision")
    note = _text(data_dict, "note", "说明", MAX_NOTE, False)
    organization = None
    if decision == "accept":
        public_title = _text(data_dict, "public_title", "公开标题", MAX_TITLE, False)
        public_text = _text(data_dict, "public_text", "公开内容", MAX_TEXT, False)
        if data_dict.get("organization") not in (None, ""):
            organization = _organization(data_dict.get("organization"))
        steps.accept(item, actor, public_title=public_title, public_text=public_text, note=note)
        if organization is not None:
            steps.assign(item, organization.id, actor, "")
    else:
        reason = _check(formfields.choice(rules.labels("interaction_reject_reasons"),
                                          "不予受理的理由"), data_dict, "reason")
        steps.reject(item, actor, reason, note)
    answer = _done(item, "moderator")
    if organization is not None:
        notify.assigned(item)
    return answer


@rollback_on_error
def nanjing_interaction_merge(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Merge duplicate `id` into the message `into` (its number or id)."""
    tk.check_access("nanjing_interaction_merge", context, data_dict)
    actor = signed_in(context)
    item = _item_in(data_dict, ("submitted", "accepted"), "合并")
    try:
        into = access.get(data_dict.get("into"))
    except (tk.ObjectNotFound, tk.ValidationError):
        raise tk.ValidationError({"into": ["没有要合并到的留言（请填写其编号）"]})
    if into.id == item.id or into.state not in rules.PUBLIC_STATES:
        raise tk.ValidationError({"into": ["只能合并到另一条已受理的留言"]})
    steps.merge(item, into, actor, _text(data_dict, "note", "说明", MAX_NOTE, False))
    return _done(item, "moderator")


@rollback_on_error
def nanjing_interaction_assign(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """分办: the office gives message `id` to `organization`."""
    tk.check_access("nanjing_interaction_assign", context, data_dict)
    actor = signed_in(context)
    item = _item_in(data_dict, ("accepted", "assigned", "reviewing"), "分办")
    organization = _organization(data_dict.get("organization"))
    if organization.id == item.organization_id:
        raise tk.ValidationError({"organization": ["该留言已由这个部门办理"]})
    steps.assign(item, organization.id, actor, _text(data_dict, "note", "说明", MAX_NOTE, False))
    answer = _done(item, "moderator")
    notify.assigned(item)
    return answer


def _handled_by(context: Context, data_dict: dict[str, Any], doing: str) -> tuple[Item,
                                                                                 model.User]:
    actor = signed_in(context)
    item = _item_in(data_dict, ("assigned", "reviewing"), doing)
    if not access.is_handler(actor.name, item):
        raise tk.NotAuthorized(NOT_HANDLER)
    return item, actor


@rollback_on_error
def nanjing_interaction_send_back(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """退回: the body gives message `id` back to the office, with a `reason`."""
    tk.check_access("nanjing_interaction_send_back", context, data_dict)
    item, actor = _handled_by(context, data_dict, "退回")
    steps.send_back(item, actor, _text(data_dict, "reason", "退回理由", MAX_NOTE, True))
    return _done(item, "moderator")


@rollback_on_error
def nanjing_interaction_transfer(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """转办: message `id` passes to another `organization`, with a `reason`
    (by the body handling it, or the office)."""
    tk.check_access("nanjing_interaction_transfer", context, data_dict)
    actor = signed_in(context)
    item = _item_in(data_dict, ("assigned", "reviewing"), "转办")
    reviewer = roles.is_reviewer(actor.name)
    handler = access.is_handler(actor.name, item)
    if not (handler or reviewer):
        raise tk.NotAuthorized(NOT_HANDLER)
    organization = _organization(data_dict.get("organization"))
    if organization.id == item.organization_id:
        raise tk.ValidationError({"organization": ["请选择另一个部门"]})
    reason = _text(data_dict, "reason", "转办理由", MAX_NOTE, True)
    steps.transfer(item, organization.id, actor, "handler" if handler else "moderator", reason)
    answer = _done(item, "moderator" if reviewer else "handler")
    notify.assigned(item)
    return answer


@rollback_on_error
def nanjing_interaction_acknowledge(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """A progress `note` on message `id` ("已转××办理"); it is not an answer
    and the clock runs on."""
    tk.check_access("nanjing_interaction_acknowledge", context, data_dict)
    item, actor = _handled_by(context, data_dict, "记录办理进展")
    steps.acknowledge(item, actor, _text(data_dict, "note", "办理进展", MAX_NOTE, True))
    return _done(item, "handler")


@rollback_on_error
def nanjing_interaction_extend(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The one extension of message `id` its kind allows, with a `reason`."""
    tk.check_access("nanjing_interaction_extend", context, data_dict)
    item, actor = _handled_by(context, data_dict, "延期")
    if rules.extension_for(item.kind) <= 0:
        raise tk.ValidationError({"id": [f"{rules.kind_label(item.kind)}不能延期"]})
    if item.extension:
        raise tk.ValidationError({"id": ["该留言已经延期过一次"]})
    steps.extend(item, actor, _text(data_dict, "reason", "延期理由", MAX_NOTE, True))
    return _done(item, "handler")


def _record_public_answer(item: Item) -> None:
    """An answer the public may read joins the change log (feeds, webhooks)."""
    if item.private_answer or not p.plugin_loaded("nanjing_feeds"):
        return
    from ..feeds import api as feeds_api
    body = dicts.body_of(item.organization_id)
    feeds_api.record("answer_published", "interaction", item.id, dicts.as_dict(item, None),
                     name=item.number, title=item.public_title,
                     organization=body["name"] if body else "")


@rollback_on_error
def nanjing_interaction_answer(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The body's answer to message `id`: `text`; a data request's
    `outcome` (opened, partly_opened, not_now, exists) and, when opened or
    existing, the `dataset`; an objection's `outcome` (corrected,
    maintained). A public answer may not carry personal data."""
    tk.check_access("nanjing_interaction_answer", context, data_dict)
    item, actor = _handled_by(context, data_dict, "答复")
    text_ = _text(data_dict, "text", "答复内容", MAX_TEXT, True)
    if not item.private_answer:
        found = personal_data.mask_text(text_)[1]
        if found:
            raise tk.ValidationError({"text": [
                "答复将公开，其中含有" + "、".join(personal_data.TEXT_KINDS[k] for k in found)
                + "，请删除或打码后再答复"]})
    outcome, dataset_id = None, None
    if item.kind in rules.OUTCOMES:
        outcome = _check(formfields.choice(rules.labels(rules.OUTCOMES[item.kind]), "办理结果"),
                         data_dict, "outcome")
    if data_dict.get("dataset") not in (None, ""):
        dataset_id = _public_dataset(data_dict.get("dataset")).id
    elif outcome in ("opened", "partly_opened", "exists"):
        raise tk.ValidationError({"dataset": ["请填写已开放的数据集，答复中将链接到它"]})
    steps.answer(item, actor, text_, outcome, dataset_id)
    _record_public_answer(item)
    answer = _done(item, "handler")
    notify.answered(item)
    return answer


@rollback_on_error
def nanjing_interaction_rate(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The sender rates the answer of message `number` with `code` (or
    `id`, signed in as the sender): `rating` satisfied, fairly_satisfied or
    dissatisfied, optional `note`. 不满意 reopens it once for 复核."""
    tk.check_access("nanjing_interaction_rate", context, data_dict)
    if data_dict.get("code") not in (None, ""):
        item = access.by_code(data_dict.get("number"), data_dict.get("code"))
    else:
        item = access.get(data_dict.get("id"))
        user = access.user_of(context)
        if user is None or item.sender_user_id != user.id:
            raise tk.NotAuthorized("只有留言人本人可以评价（请用编号和查询码，或登录提交时的账号）")
    rating = _check(formfields.choice(rules.labels("interaction_ratings"), "评价"),
                    data_dict, "rating")
    note = _text(data_dict, "note", "评价说明", MAX_NOTE, False)
    if item.rating is not None:
        raise tk.ValidationError({"rating": ["每条留言只能评价一次，您已评价过"]})
    if item.state != "answered":
        raise tk.ValidationError({"rating": ["答复之后才能评价"]})
    steps.rate(item, access.user_of(context), rating, note)
    answer = _done(item, "sender")
    if item.state == "reviewing":
        notify.assigned(item)
    return answer


@rollback_on_error
def nanjing_interaction_vote(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """我也需要: one vote for data request `id` per account, or per address."""
    tk.check_access("nanjing_interaction_vote", context, data_dict)
    item = access.get(data_dict.get("id"))
    if item.kind != "data_request" or item.state not in rules.PUBLIC_STATES:
        raise tk.ValidationError({"id": ["只能为已受理的数据需求投票"]})
    user = access.user_of(context)
    key = f"user:{user.id}" if user else "address:" + sealing.keyed_hash(
        ratelimit.client_address(), "nanjing-interaction/voter")
    if not steps.vote(item, key):
        raise tk.ValidationError({"id": ["您已经表示过需要这项数据"]})
    model.Session.commit()
    return {"id": item.id, "number": item.number, "votes": item.votes}

