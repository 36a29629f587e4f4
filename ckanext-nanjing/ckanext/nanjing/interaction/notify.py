"""The mails of 互动交流, sent after the step is committed (a mail server
that is down undoes nothing): the sender's receipt with the number and
查询码, the sender's answer, and the body's notice of a new assignment."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from .. import mail, roles
from . import rules
from .model import Item

__all__ = ["receipt", "answered", "assigned", "item_url"]


def item_url(item: Item) -> str:
    return tk.config.get("ckan.site_url").rstrip("/") + f"/interaction/{item.number}"


def _site() -> str:
    return tk.config.get("ckan.site_title") or "南京市政务公开与数据开放平台"


def receipt(item: Item, code: str) -> bool:
    if not item.sender_email:
        return False
    body = (f"{item.sender_name or '您好'}：\n\n"
            f"您的{rules.kind_label(item.kind)}“{item.title}”已收到，编号 {item.number}，"
            f"查询码 {code}。\n审看通过后即受理并转有关部门办理，凭编号和查询码可随时查看进展和答复：\n"
            f"{item_url(item)}\n\n请妥善保存查询码，平台不会再次告知。\n\n{_site()}\n")
    return mail.send(item.sender_name, item.sender_email,
                     f"已收到您的{rules.kind_label(item.kind)}（{item.number}）", body, item.number)


def answered(item: Item) -> bool:
    if not item.sender_email or not item.answers:
        return False
    reply = item.answers[-1]
    body = (f"{item.sender_name or '您好'}：\n\n"
            f"您的{rules.kind_label(item.kind)}“{item.title}”（编号 {item.number}）"
            f"已{'复核并' if reply.round else ''}答复。\n\n{reply.text}\n\n"
            f"请凭编号和查询码在此查看并评价（满意、基本满意或不满意）：\n{item_url(item)}\n\n{_site()}\n")
    return mail.send(item.sender_name, item.sender_email,
                     f"您的{rules.kind_label(item.kind)}已答复（{item.number}）", body, item.number)


def assigned(item: Item) -> int:
    """Tell the body's stewards; answers how many were mailed."""
    sent = 0
    for user in roles.stewards_with_email(item.organization_id):
        body = (f"{user.fullname or user.name}：\n\n"
                f"平台转来{rules.kind_label(item.kind)}“{item.public_title}”（编号 {item.number}），"
                f"请于 {item.due.isoformat() if item.due else '期限内'} 前答复，"
                f"或说明理由退回、转办：\n{item_url(item)}\n\n{_site()}\n")
        sent += mail.send(user.fullname or user.name, user.email,
                          f"待办：{rules.kind_label(item.kind)} {item.number}", body, item.number)
    return sent
