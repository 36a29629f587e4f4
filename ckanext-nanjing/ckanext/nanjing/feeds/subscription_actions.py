"""E-mail digests through the Action API: a signed-in user follows a body,
a 领域, a dataset or a saved search, lists and ends their subscriptions."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from ..actionkit import rollback_on_error, signed_in
from . import digests
from .model import Subscription

__all__ = ["nanjing_subscription_create", "nanjing_subscription_list",
           "nanjing_subscription_delete"]


@rollback_on_error
def nanjing_subscription_create(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Follow `target` of `kind` (organization: a body's name; area: a 领域
    code; dataset: a public record's name or id; search: a catalog query),
    `frequency` daily (default) or weekly. Following the same thing again
    changes its frequency."""
    tk.check_access("nanjing_subscription_create", context, data_dict)
    row = digests.subscribe(signed_in(context), data_dict)
    model.Session.commit()
    return digests.as_dict(row)


@tk.side_effect_free
def nanjing_subscription_list(context: Context, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The caller's subscriptions, newest first."""
    tk.check_access("nanjing_subscription_list", context, data_dict)
    user = signed_in(context)
    return [digests.as_dict(row) for row in model.Session.query(Subscription)
            .filter_by(user_id=user.id).order_by(Subscription.created.desc())]


@rollback_on_error
def nanjing_subscription_delete(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """End one of the caller's subscriptions (`id`)."""
    tk.check_access("nanjing_subscription_delete", context, data_dict)
    user = signed_in(context)
    ident = data_dict.get("id")
    row = model.Session.get(Subscription, ident) if isinstance(ident, str) and ident else None
    if row is None or row.user_id != user.id:
        raise tk.ObjectNotFound("没有这个订阅")
    model.Session.delete(row)
    model.Session.commit()
    return {"id": row.id, "deleted": True}
