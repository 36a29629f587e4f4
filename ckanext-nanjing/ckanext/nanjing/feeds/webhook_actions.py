"""Webhook endpoints through the Action API (sysadmins): register one (its
secret is answered once), list, show, change, pause or resume, rotate its
secret, delete it, read its delivery log and send messages again."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from .. import localtime
from ..actionkit import bounded_int, rollback_on_error, signed_in
from . import delivery, endpoints
from .model import Attempt, Delivery, Endpoint

__all__ = ["nanjing_webhook_create", "nanjing_webhook_list", "nanjing_webhook_show",
           "nanjing_webhook_update", "nanjing_webhook_rotate_secret", "nanjing_webhook_delete",
           "nanjing_webhook_deliveries", "nanjing_webhook_replay"]

STATUSES = {"pending": "待发送", "delivered": "已送达", "failed": "已放弃（重试用尽）"}
MAX_REPLAY_IDS = 1000


@rollback_on_error
def nanjing_webhook_create(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Register an endpoint: `url` (http/https, a public address), optional
    `description` and filters `type`, `organization`, `area` (as in
    nanjing_changes). Answers the endpoint and its `secret` (whsec_…),
    shown only this once."""
    tk.check_access("nanjing_webhook_create", context, data_dict)
    endpoint, secret = endpoints.create(data_dict, signed_in(context))
    model.Session.commit()
    return dict(endpoints.as_dict(endpoint), secret=secret,
                secret_note="签名密钥只显示这一次，请妥善保存；遗失后可轮换密钥")


@tk.side_effect_free
def nanjing_webhook_list(context: Context, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """Every endpoint (without secrets), newest first."""
    tk.check_access("nanjing_webhook_list", context, data_dict)
    return [endpoints.as_dict(endpoint) for endpoint in
            model.Session.query(Endpoint).order_by(Endpoint.created.desc())]


@tk.side_effect_free
def nanjing_webhook_show(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """One endpoint by `id` (without its secrets)."""
    tk.check_access("nanjing_webhook_show", context, data_dict)
    return endpoints.as_dict(endpoints.get(data_dict.get("id")))


@rollback_on_error
def nanjing_webhook_update(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Change an endpoint's `url`, `description` or filters, or its `state`:
    `paused`, or `active` to resume (its waiting messages are sent, from
    where it stopped)."""
    tk.check_access("nanjing_webhook_update", context, data_dict)
    endpoint = endpoints.get(data_dict.get("id"))
    endpoints.update(endpoint, data_dict)
    model.Session.commit()
    return endpoints.as_dict(endpoint)


@rollback_on_error
def nanjing_webhook_rotate_secret(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """A new secret for endpoint `id`, shown once. The previous one still
    signs beside it until `previous_secret_expires`."""
    tk.check_access("nanjing_webhook_rotate_secret", context, data_dict)
    endpoint = endpoints.get(data_dict.get("id"))
    secret, expires = endpoints.rotate(endpoint)
    model.Session.commit()
    return {"id": endpoint.id, "secret": secret,
            "previous_secret_expires": localtime.local(expires).isoformat(timespec="seconds")}


@rollback_on_error
def nanjing_webhook_delete(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Delete endpoint `id` and its delivery log."""
    tk.check_access("nanjing_webhook_delete", context, data_dict)
    endpoint = endpoints.get(data_dict.get("id"))
    model.Session.delete(endpoint)
    model.Session.commit()
    return {"id": endpoint.id, "deleted": True}


def _time(value: datetime.datetime | None) -> str | None:
    return localtime.local(value).isoformat(timespec="seconds") if value else None


def _delivery(row: Delivery, attempts: list[Attempt]) -> dict[str, Any]:
    return {"id": row.id, "message_id": row.message_id, "event_type": row.event_type,
            "seq": row.seq, "status": row.status, "status_label": STATUSES.get(row.status),
            "attempts": row.attempts, "next_attempt": _time(row.next_attempt),
            "last_code": row.last_code, "last_error": row.last_error,
            "created": _time(row.created), "delivered": _time(row.delivered),
            "log": [{"at": _time(a.at), "code": a.code, "error": a.error,
                     "milliseconds": a.milliseconds, "replay": a.replay} for a in attempts]}


@tk.side_effect_free
def nanjing_webhook_deliveries(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The delivery log of endpoint `id`, newest first: optional `status`
    (pending, delivered, failed), `limit` (0–100, default 20), `offset`.
    Each message with every attempt (time, HTTP status, error, duration)."""
    tk.check_access("nanjing_webhook_deliveries", context, data_dict)
    endpoint = endpoints.get(data_dict.get("id"))
    limit = bounded_int(data_dict.get("limit"), 20, "limit", 100)
    offset = bounded_int(data_dict.get("offset"), 0, "offset", 10_000_000)
    query = model.Session.query(Delivery).filter(Delivery.endpoint_id == endpoint.id)
    status = data_dict.get("status")
    if status not in (None, ""):
        if not isinstance(status, str) or status not in STATUSES:
            raise tk.ValidationError({"status": ["status 只能为 pending、delivered 或 failed"]})
        query = query.filter(Delivery.status == status)
    rows = query.order_by(Delivery.id.desc()).offset(offset).limit(limit).all()
    attempts: dict[int, list[Attempt]] = {}
    for attempt in (model.Session.query(Attempt)
                    .filter(Attempt.delivery_id.in_([row.id for row in rows]))
                    .order_by(Attempt.id)):
        attempts.setdefault(attempt.delivery_id, []).append(attempt)
    return {"count": query.count(),
            "deliveries": [_delivery(row, attempts.get(row.id, [])) for row in rows]}


def _replay_ids(value: Any) -> list[int] | None:
    if value in (None, ""):
        return None
    if isinstance(value, (int, str)):
        value = [value]
    if not isinstance(value, list) or len(value) > MAX_REPLAY_IDS:
        raise tk.ValidationError({"delivery_ids": [
            f"delivery_ids 应为发送记录 id 的列表（至多 {MAX_REPLAY_IDS} 个）"]})
    try:
        return [int(item) for item in value if not isinstance(item, bool)]
    except (TypeError, ValueError):
        raise tk.ValidationError({"delivery_ids": ["delivery_ids 中应为整数 id"]})


def _since(value: Any) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    try:
        stamp = datetime.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=localtime.zone())
        return stamp.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise tk.ValidationError({"since": ["since 应为日期时间，如 2026-12-01T08:00:00+08:00"]})


@rollback_on_error
def nanjing_webhook_replay(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Send messages of endpoint `id` again, with their original webhook-id:
    the `delivery_ids` given, or every message since `since` (ISO date and
    time). Answers how many were queued."""
    tk.check_access("nanjing_webhook_replay", context, data_dict)
    endpoint = endpoints.get(data_dict.get("id"))
    ids, since = _replay_ids(data_dict.get("delivery_ids")), _since(data_dict.get("since"))
    if ids is None and since is None:
        raise tk.ValidationError({"delivery_ids": ["请提供要重发的 delivery_ids，或起始时间 since"]})
    queued = delivery.replay(endpoint, ids, since)
    model.Session.commit()
    return {"id": endpoint.id, "queued": queued}
