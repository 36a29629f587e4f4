"""Who is asking about a message: the open-data office's reviewers
(审看 and routing), the stewards of the body it is assigned to, or its
sender (their account, or the number with its 查询码). A wrong 查询码 and
an unknown number get the same answer, and are counted per client address."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from .. import lookupcodes, ratelimit, roles
from .model import Item

__all__ = ["CODE_PURPOSE", "WRONG_CODE", "get", "by_code", "role_of", "is_handler", "user_of",
           "canonical_number"]

CODE_PURPOSE = "nanjing-interaction/lookup-code"
WRONG_CODE = "编号或查询码不正确，请核对提交后得到的编号和查询码"
TOO_MANY_TRIES = "查询码错误次数过多，请 {minutes} 分钟后再试"
FAILURES = "interaction-lookup-failures"


def canonical_number(typed: object) -> str:
    """HD2026-00012 however it is typed (case, spaces, full width)."""
    text = lookupcodes.normalise(str(typed or ""))
    return f"{text[:6]}-{text[6:]}" if len(text) > 6 else text


def user_of(context: Context) -> model.User | None:
    name = context.get("user")
    return model.User.get(name) if name else None


def get(ident: object) -> Item:
    """The item by id or number, or a Chinese 404."""
    if not isinstance(ident, str) or not ident.strip() or len(ident) > 100:
        raise tk.ValidationError({"id": ["请提供留言的编号或 id"]})
    ident = ident.strip()
    item = model.Session.get(Item, ident) or model.Session.query(Item).filter(
        Item.number == canonical_number(ident)).one_or_none()
    if item is None:
        raise tk.ObjectNotFound("没有这条留言")
    return item


def by_code(number: object, code: object) -> Item:
    address = ratelimit.client_address()
    minutes = tk.config.get("ckanext.nanjing.interaction.lookup_window")
    if ratelimit.count(FAILURES, address) >= tk.config.get(
            "ckanext.nanjing.interaction.lookup_attempts"):
        raise tk.NotAuthorized(TOO_MANY_TRIES.format(minutes=minutes))
    item = None
    if isinstance(number, str) and isinstance(code, str) and len(number) < 100 \
            and len(code) < 100:
        item = model.Session.query(Item).filter(
            Item.number == canonical_number(number)).one_or_none()
    if item is None or not lookupcodes.codes_match(code, item.lookup_code_hash, CODE_PURPOSE):
        ratelimit.hit(FAILURES, address, minutes * 60)
        raise tk.NotAuthorized(WRONG_CODE)
    return item


def is_handler(user_name: str | None, item: Item) -> bool:
    """A steward of the body the item is assigned to (or a sysadmin)."""
    return bool(item.organization_id) and roles.is_steward(user_name, item.organization_id)


def role_of(context: Context, item: Item, data_dict: dict[str, Any] | None = None) -> str | None:
    """moderator, handler, sender or None. A sender proves it with their
    account or with `number` and `code` in `data_dict`."""
    name = context.get("user")
    if is_handler(name, item):
        return "handler"
    if roles.is_reviewer(name):
        return "moderator"
    user = user_of(context)
    if user is not None and item.sender_user_id == user.id:
        return "sender"
    if data_dict and data_dict.get("code"):
        by_code(data_dict.get("number") or item.number, data_dict.get("code"))
        return "sender"
    return None
