"""Webhook deliveries: each active endpoint's new changes become messages
(`queue`), due messages are sent (`due`, `send`), and what the receiver
answered decides what happens next (`settle`): 2xx delivered, never sent
again; 410 disables the endpoint; anything else is retried on the Standard
Webhooks schedule (ckanext.nanjing.webhooks.retry_schedule), not before the
receiver's Retry-After. An endpoint failing for longer than
ckanext.nanjing.webhooks.pause_after_hours is paused and its administrator
told; its changes wait in the log until it is resumed."""
from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass, field

import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import mail
from . import changes, sender, signing
from .model import Attempt, Delivery, Endpoint, FeedState

__all__ = ["Message", "payload", "queue", "due", "next_due", "send", "settle", "replay",
           "resume", "schedule", "secrets_in_use", "prune"]

log = logging.getLogger(__name__)
QUEUE_BATCH = 500          # changes taken from the log per endpoint and round
SEND_BATCH = 50            # messages sent per endpoint and round
LONGEST_WAIT = 86400       # a Retry-After is honoured up to a day


@dataclass
class Message:
    """What a sending thread needs; no database objects cross threads."""
    delivery_id: int
    endpoint_id: str
    url: str
    message_id: str
    body: bytes
    secrets: list[str]


@dataclass
class Sent:
    message: Message
    outcome: sender.Outcome
    at: datetime.datetime


@dataclass
class Round:
    sent: list[Sent] = field(default_factory=list)
    held_back: list[Message] = field(default_factory=list)   # not tried: the endpoint was down


def schedule() -> list[int]:
    """Seconds to wait before each attempt after the first fails."""
    text = tk.config.get("ckanext.nanjing.webhooks.retry_schedule") or ""
    return [int(part) for part in text.split()]


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


def payload(entry: dict) -> str:
    """The message body: Standard Webhooks' {type, timestamp, data}. <, > and
    & are written as \\u escapes, so a receiver that pastes a value into a
    page cannot be made to run markup from a record's title."""
    body = json.dumps({"type": f"{entry['type']}.{entry['change']}", "timestamp": entry["at"],
                       "data": entry}, ensure_ascii=False, separators=(",", ":"))
    return body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def queue() -> tuple[int, bool]:
    """Turn each active endpoint's new changes into messages. Answers how
    many, and whether some endpoint has more waiting."""
    queued, more = 0, False
    for endpoint in model.Session.query(Endpoint).filter(Endpoint.state == "active"):
        cursor = changes.encode(endpoint.after_txid, endpoint.after_seq)
        try:
            found = changes.page(cursor, QUEUE_BATCH, endpoint.filters)
        except changes.ExpiredCursor:
            # Paused past the log's retention: what was pruned cannot be sent.
            state = model.Session.get(FeedState, 1)
            log.warning("Webhook endpoint %s missed pruned changes", endpoint.id)
            endpoint.state_reason = "部分变更在暂停期间已超过保留期限被清理，请用 package_search 核对"
            endpoint.after_txid, endpoint.after_seq = state.pruned_txid, state.pruned_seq
            continue
        for entry in found["changes"]:
            model.Session.add(Delivery(
                endpoint_id=endpoint.id, seq=entry["seq"], message_id=f"msg_{entry['seq']}",
                event_type=f"{entry['type']}.{entry['change']}", body=payload(entry),
                next_attempt=_now()))
        endpoint.after_txid, endpoint.after_seq = changes.decode(found["next_cursor"])
        queued += len(found["changes"])
        more = more or found["has_more"]
    model.Session.commit()
    return queued, more


def secrets_in_use(endpoint: Endpoint, now: datetime.datetime) -> list[str]:
    if endpoint.previous_secret and endpoint.previous_expires and endpoint.previous_expires > now:
        return [endpoint.secret, endpoint.previous_secret]
    return [endpoint.secret]


def due(busy: set[str]) -> dict[str, list[Message]]:
    """The messages due now, per endpoint, leaving out the `busy` endpoints."""
    now = _now()
    query = (model.Session.query(Delivery, Endpoint).join(Endpoint)
             .filter(Delivery.status == "pending", Delivery.next_attempt <= now,
                     Endpoint.state == "active"))
    if busy:
        query = query.filter(Delivery.endpoint_id.notin_(busy))
    batches: dict[str, list[Message]] = {}
    for delivery, endpoint in query.order_by(Delivery.id).limit(SEND_BATCH * 20):
        batch = batches.setdefault(endpoint.id, [])
        if len(batch) < SEND_BATCH:
            batch.append(Message(delivery.id, endpoint.id, endpoint.url, delivery.message_id,
                                 delivery.body.encode("utf-8"), secrets_in_use(endpoint, now)))
    return batches


def next_due() -> datetime.datetime | None:
    return (model.Session.query(Delivery.next_attempt).join(Endpoint)
            .filter(Delivery.status == "pending", Endpoint.state == "active")
            .order_by(Delivery.next_attempt).limit(1).scalar())


def send(batch: list[Message], timeout: float) -> Round:
    """Send one endpoint's messages in order (in a worker thread). Once the
    endpoint does not answer at all, the rest wait for its next attempt."""
    done = Round()
    for number, message in enumerate(batch):
        at = _now()
        outcome = sender.post(message.url, message.body,
                              signing.headers(message.message_id, message.body,
                                              message.secrets, at), timeout)
        done.sent.append(Sent(message, outcome, at))
        if outcome.unreachable or outcome.code == 410:
            done.held_back = batch[number + 1:]
            break
    return done


def _next_attempt(delivery: Delivery, sent: Sent) -> datetime.datetime | None:
    waits = schedule()
    if delivery.attempts > len(waits):
        return None
    wait = waits[delivery.attempts - 1]
    if sent.outcome.retry_after is not None:
        wait = max(wait, min(sent.outcome.retry_after, LONGEST_WAIT))
    return sent.at + datetime.timedelta(seconds=wait)


def settle(done: Round) -> None:
    """Record a round's answers: the log of attempts, the messages' state
    and the endpoint's health."""
    now = _now()
    pause_after = datetime.timedelta(hours=tk.config.get(
        "ckanext.nanjing.webhooks.pause_after_hours"))
    retry_at = None
    for sent in done.sent:
        delivery = model.Session.get(Delivery, sent.message.delivery_id)
        endpoint = model.Session.get(Endpoint, sent.message.endpoint_id)
        if delivery is None or endpoint is None:
            continue   # the endpoint was deleted meanwhile
        replayed = delivery.attempts == 0 and model.Session.query(Attempt).filter(
            Attempt.delivery_id == delivery.id).count() > 0
        outcome = sent.outcome
        model.Session.add(Attempt(delivery_id=delivery.id, at=sent.at, code=outcome.code,
                                  error=outcome.error, milliseconds=outcome.milliseconds,
                                  replay=replayed))
        delivery.attempts += 1
        delivery.last_code, delivery.last_error = outcome.code, outcome.error
        if outcome.delivered:
            delivery.status, delivery.delivered, delivery.next_attempt = "delivered", sent.at, None
            endpoint.last_success, endpoint.failing_since = sent.at, None
            continue
        endpoint.failing_since = endpoint.failing_since or sent.at
        if outcome.code == 410:
            # Sent again, as it was, should the endpoint be enabled again.
            delivery.attempts -= 1
            delivery.next_attempt = now
            _stop(endpoint, "disabled", "接收端返回 410（已不存在），已自动停用", outcome.error)
            continue
        delivery.next_attempt = _next_attempt(delivery, sent)
        if delivery.next_attempt is None:
            delivery.status = "failed"
        retry_at = delivery.next_attempt
        if endpoint.state == "active" and now - endpoint.failing_since > pause_after:
            hours = int(pause_after.total_seconds() // 3600)
            _stop(endpoint, "paused", f"连续 {hours} 小时发送失败，已自动暂停", outcome.error)
    for message in done.held_back:
        delivery = model.Session.get(Delivery, message.delivery_id)
        if delivery is not None and retry_at is not None and delivery.next_attempt < retry_at:
            delivery.next_attempt = retry_at
    model.Session.commit()


def _stop(endpoint: Endpoint, state: str, reason: str, last_error: str) -> None:
    """Pause or disable the endpoint and tell the administrator who registered it."""
    if endpoint.state == state:
        return
    endpoint.state, endpoint.state_reason = state, reason
    log.warning("Webhook endpoint %s %s: %s", endpoint.id, state, reason)
    owner = model.User.get(endpoint.created_by) if endpoint.created_by else None
    if owner is None or not owner.email or not mail.configured():
        return
    site = tk.config.get("ckan.site_title")
    what = "停用" if state == "disabled" else "暂停"
    mail.send(owner.display_name, owner.email, f"【{site}】Webhook 接收地址已{what}",
              f"您登记的 Webhook 接收地址\n\n  {endpoint.url}\n\n{reason}。\n"
              f"最近一次的错误：{last_error}\n\n"
              f"此后的变更不会丢失：排除故障后，请通过 nanjing_webhook_update（state=active）"
              f"恢复，平台会从{what}处继续发送。\n", f"webhook endpoint {endpoint.id}")


def resume(endpoint: Endpoint) -> None:
    """Active again: its waiting messages are due now and nothing is lost."""
    endpoint.state, endpoint.state_reason, endpoint.failing_since = "active", "", None
    model.Session.query(Delivery).filter(
        Delivery.endpoint_id == endpoint.id, Delivery.status == "pending").update(
        {"next_attempt": _now()}, synchronize_session=False)


def replay(endpoint: Endpoint, delivery_ids: list[int] | None = None,
           since: datetime.datetime | None = None) -> int:
    """Send messages again: the given ones, or all since a time (UTC)."""
    query = model.Session.query(Delivery).filter(Delivery.endpoint_id == endpoint.id)
    if delivery_ids is not None:
        query = query.filter(Delivery.id.in_(delivery_ids))
    if since is not None:
        query = query.filter(Delivery.created >= since)
    return query.update({"status": "pending", "attempts": 0, "next_attempt": _now(),
                         "delivered": None}, synchronize_session=False)


def prune(before: datetime.datetime) -> int:
    """Delete the finished deliveries (and their attempts) created before `before`."""
    count = model.Session.query(Delivery).filter(
        Delivery.created < before, Delivery.status != "pending").delete(synchronize_session=False)
    model.Session.commit()
    return count
