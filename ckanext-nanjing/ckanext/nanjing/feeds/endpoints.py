"""Registering webhook endpoints: the address checked (addresses.py), the
filters the change feed knows, a secret shown once, and key rotation. A
new endpoint starts at the end of the change log: it receives what changes
from then on, not the history (the change feed serves that)."""
from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

from sqlalchemy import func

import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import localtime
from . import addresses, changes, delivery, signing
from .model import Delivery, Endpoint

__all__ = ["STATES", "create", "update", "rotate", "as_dict", "filters_from", "get"]

STATES = {"active": "启用", "paused": "暂停", "disabled": "停用"}
MAX_DESCRIPTION = 500


def get(ident: object) -> Endpoint:
    if not isinstance(ident, str) or not ident:
        raise tk.ValidationError({"id": ["请提供接收地址的 id"]})
    endpoint = model.Session.get(Endpoint, ident)
    if endpoint is None:
        raise tk.ObjectNotFound("没有这个 Webhook 接收地址")
    return endpoint


def filters_from(data_dict: dict[str, Any]) -> dict[str, str]:
    chosen = {}
    for key in changes.FILTERS:
        value = data_dict.get(key)
        if value in (None, ""):
            continue
        if not isinstance(value, str) or len(value) > 200:
            raise tk.ValidationError({key: [f"{key} 应为不超过 200 个字符的文本"]})
        chosen[key] = value.strip()
    return chosen


def _checked_url(url: object) -> str:
    try:
        addresses.resolve(url)   # refused now rather than failing at every delivery
    except addresses.Refused as refused:
        raise tk.ValidationError({"url": [str(refused)]})
    return url.strip()


def _description(value: object) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
        raise tk.ValidationError({"description": [f"说明应为不超过 {MAX_DESCRIPTION} 个字符的文本"]})
    return value.strip()


def create(data_dict: dict[str, Any], user: model.User) -> tuple[Endpoint, str]:
    """A new endpoint and its secret (which is shown only this once)."""
    secret = signing.new_secret()
    txid, seq = changes.end_of_log()
    endpoint = Endpoint(id=str(uuid.uuid4()), url=_checked_url(data_dict.get("url")),
                        description=_description(data_dict.get("description")),
                        filters_json=json.dumps(filters_from(data_dict), ensure_ascii=False),
                        secret=secret, state="active", after_txid=txid, after_seq=seq,
                        created_by=user.id)
    model.Session.add(endpoint)
    return endpoint, secret


def update(endpoint: Endpoint, data_dict: dict[str, Any]) -> None:
    if "url" in data_dict:
        endpoint.url = _checked_url(data_dict["url"])
    if "description" in data_dict:
        endpoint.description = _description(data_dict["description"])
    if any(key in data_dict for key in changes.FILTERS):
        merged = dict(endpoint.filters, **{k: data_dict[k] for k in changes.FILTERS
                                           if k in data_dict})
        endpoint.filters_json = json.dumps(filters_from(merged), ensure_ascii=False)
    state = data_dict.get("state")
    if state is None:
        return
    if state not in ("active", "paused"):
        raise tk.ValidationError({"state": ["state 只能为 active（启用）或 paused（暂停）"]})
    if state == "active" and endpoint.state != "active":
        delivery.resume(endpoint)
    elif state == "paused":
        endpoint.state, endpoint.state_reason = "paused", "管理员暂停"


def rotate(endpoint: Endpoint) -> tuple[str, datetime.datetime]:
    """A new secret; the old one keeps signing (beside it) for
    ckanext.nanjing.webhooks.rotation_hours, so receivers can switch."""
    hours = tk.config.get("ckanext.nanjing.webhooks.rotation_hours")
    expires = datetime.datetime.utcnow() + datetime.timedelta(hours=hours)
    endpoint.previous_secret, endpoint.previous_expires = endpoint.secret, expires
    endpoint.secret = signing.new_secret()
    return endpoint.secret, expires


def _time(value: datetime.datetime | None) -> str | None:
    return localtime.local(value).isoformat(timespec="seconds") if value else None


def as_dict(endpoint: Endpoint) -> dict[str, Any]:
    """The endpoint as the API shows it: never its secrets."""
    counts = dict(model.Session.query(Delivery.status, func.count(Delivery.id))
                  .filter(Delivery.endpoint_id == endpoint.id).group_by(Delivery.status).all())
    return {"id": endpoint.id, "url": endpoint.url, "description": endpoint.description,
            "filters": endpoint.filters, "state": endpoint.state,
            "state_label": STATES.get(endpoint.state, endpoint.state),
            "state_reason": endpoint.state_reason, "created": _time(endpoint.created),
            "last_success": _time(endpoint.last_success),
            "failing_since": _time(endpoint.failing_since),
            "previous_secret_expires": _time(endpoint.previous_expires),
            "deliveries": {status: counts.get(status, 0)
                           for status in ("pending", "delivered", "failed")}}
