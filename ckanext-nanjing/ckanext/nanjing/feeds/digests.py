"""E-mail digests: a signed-in user follows a body, a 领域, a dataset or a
saved search (a catalog query), daily or weekly, and gets one mail with
what changed since the last one, read from the change log (so withdrawals
and deletions are in it). Each mail has a link that unsubscribes without
logging in. A mail that cannot be sent moves nothing: the next run sends
the same changes."""
from __future__ import annotations

import datetime
import secrets
import uuid
from typing import Any

from sqlalchemy import tuple_

import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import codelists, localtime, mail
from . import changes
from .model import Change, Subscription

__all__ = ["KINDS", "FREQUENCIES", "subscribe", "as_dict", "send_digests", "by_token"]

KINDS = {"organization": "部门", "area": "领域", "dataset": "数据集", "search": "检索"}
FREQUENCIES = {"daily": "每日", "weekly": "每周"}
MAX_TARGET = 200
LISTED = 100          # changes listed in one mail; the rest are counted and linked
READ_AT_MOST = 5000   # changes read for one subscription in one run


def _text(data: dict[str, Any], key: str, label: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise tk.ValidationError({key: [f"请填写{label}"]})
    if len(value) > MAX_TARGET:
        raise tk.ValidationError({key: [f"{label}不能超过 {MAX_TARGET} 个字符"]})
    return value.strip()


def _choice(data: dict[str, Any], key: str, options: dict[str, str], default: str | None):
    value = data.get(key)
    if value in (None, "") and default:
        return default
    if not isinstance(value, str) or value not in options:
        raise tk.ValidationError({key: [f"{key} 应为：" + "、".join(
            f"{code}（{label}）" for code, label in options.items())]})
    return value


def _what(kind: str, target: str) -> tuple[str, str]:
    """The subscription's stored target and its label, or a Chinese error."""
    if kind == "organization":
        group = model.Group.get(target)
        if group is None or not group.is_organization or group.state != "active":
            raise tk.ValidationError({"target": ["没有这个部门（请填写部门的名称）"]})
        return group.name, group.title or group.name
    if kind == "area":
        areas = codelists.get("areas")
        if target not in areas:
            raise tk.ValidationError({"target": ["没有这个领域（请填写领域代码，如 budgets）"]})
        return target, areas.label_of(target)
    if kind == "dataset":
        try:
            found = tk.get_action("package_show")({"user": ""}, {"id": target})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            raise tk.ValidationError({"target": ["没有这个公开的数据集或目录条目"]})
        return found["id"], found.get("title") or found["name"]
    return target, f"检索“{target}”"


def subscribe(user: model.User, data: dict[str, Any]) -> Subscription:
    """Follow something (or change how often); one subscription per thing."""
    if not user.email:
        raise tk.ValidationError({"email": ["请先在个人资料中填写电子邮箱，才能订阅更新邮件"]})
    kind = _choice(data, "kind", KINDS, None)
    frequency = _choice(data, "frequency", FREQUENCIES, "daily")
    target, label = _what(kind, _text(data, "target", "订阅对象"))
    found = model.Session.query(Subscription).filter_by(
        user_id=user.id, kind=kind, target=target).first()
    if found is not None:
        found.frequency = frequency
        return found
    txid, seq = changes.end_of_log()
    row = Subscription(id=str(uuid.uuid4()), user_id=user.id, kind=kind, target=target,
                       label=label, frequency=frequency, token=secrets.token_urlsafe(32),
                       after_txid=txid, after_seq=seq)
    model.Session.add(row)
    return row


def by_token(token: object) -> Subscription | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    return model.Session.query(Subscription).filter_by(token=token).first()


def as_dict(row: Subscription) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "kind_label": KINDS[row.kind], "target": row.target,
            "label": row.label, "frequency": row.frequency,
            "frequency_label": FREQUENCIES[row.frequency],
            "created": localtime.local(row.created).isoformat(timespec="seconds"),
            "last_sent": (localtime.local(row.last_sent).isoformat(timespec="seconds")
                          if row.last_sent else None)}


def _changes_for(row: Subscription) -> tuple[list[Change], tuple[int, int]]:
    """The subscription's new changes, and the position to move to."""
    query = changes.final({}).filter(
        tuple_(Change.txid, Change.seq) > tuple_(row.after_txid, row.after_seq))
    newest = query.order_by(Change.txid.desc(), Change.seq.desc()).first()
    if newest is None:
        return [], (row.after_txid, row.after_seq)
    if row.kind == "organization":
        query = query.filter(Change.organization == row.target)
    elif row.kind == "area":
        query = query.filter(Change.area == row.target)
    elif row.kind == "dataset":
        query = query.filter(Change.object_id == row.target)
    rows = query.order_by(Change.txid, Change.seq).limit(READ_AT_MOST).all()
    if row.kind == "search":
        rows = _matching_search(row.target, rows)
    return rows, (newest.txid, newest.seq)


def _matching_search(query: str, rows: list[Change]) -> list[Change]:
    """The changes to records the saved search finds now (a record that is
    gone cannot be found, so its tombstone is not listed)."""
    ids = sorted({r.object_id for r in rows if r.change not in ("withdrawn", "deleted")})
    found: set[str] = set()
    for start in range(0, len(ids), 200):
        chunk = ids[start:start + 200]
        result = tk.get_action("package_search")({"user": ""}, {
            "q": query, "fq": "id:(" + " OR ".join(f'"{i}"' for i in chunk) + ")",
            "rows": len(chunk), "fl": "id"})
        found.update(item["id"] for item in result["results"])
    return [r for r in rows if r.object_id in found]


def _line(row: Change) -> str:
    label = changes.CHANGES.get(row.change, {}).get("zh", row.change)
    when = localtime.local(row.occurred).strftime("%m-%d %H:%M")
    text = f"· {when}【{label}】{row.title or row.name}"
    if row.change not in ("withdrawn", "deleted"):
        text += "\n  " + tk.url_for(f"{row.object_type}.read", id=row.name, _external=True)
    return text


def _mail(user: model.User, row: Subscription, found: list[Change],
          unsubscribe: str) -> tuple[str, str]:
    site = tk.config.get("ckan.site_title")
    period = FREQUENCIES[row.frequency]
    lines = [f"{user.display_name}，您好：", "",
             f"您订阅的{KINDS[row.kind]}“{row.label}”有 {len(found)} 条更新：", ""]
    lines += [_line(change) for change in found[:LISTED]]
    if len(found) > LISTED:
        lines += ["", f"另有 {len(found) - LISTED} 条未列出，完整记录见变更订阅源："
                      + tk.url_for("nanjing_feeds.changes", _external=True)]
    lines += ["", "——", f"这是{site}的{period}更新邮件。",
              f"退订（无需登录）：{unsubscribe}",
              "管理全部订阅：" + tk.url_for("nanjing_feeds.subscriptions", _external=True)]
    return f"【{site}】{period}更新：{row.label}（{len(found)} 条）", "\n".join(lines) + "\n"


def send_digests(frequency: str) -> tuple[int, int]:
    """Send the digests of `frequency`; answers (mails sent, mails that failed)."""
    sent = failed = 0
    for row in model.Session.query(Subscription).filter_by(frequency=frequency).order_by(
            Subscription.created).all():
        user = model.User.get(row.user_id)
        if user is None or user.state != "active" or not user.email:
            continue
        found, position = _changes_for(row)
        if found:
            unsubscribe = tk.url_for("nanjing_feeds.unsubscribe", token=row.token,
                                     _external=True)
            subject, body = _mail(user, row, found, unsubscribe)
            if not mail.send(user.display_name, user.email, subject, body,
                             f"digest {row.id}", headers={"List-Unsubscribe": f"<{unsubscribe}>"}):
                failed += 1
                continue
            sent += 1
            row.last_sent = datetime.datetime.utcnow()
        row.after_txid, row.after_seq = position
        model.Session.commit()
    return sent, failed
