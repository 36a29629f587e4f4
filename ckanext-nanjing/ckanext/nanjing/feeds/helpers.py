"""Template helpers of the feeds: whether the signed-in user already gets
update mails about a record, a body, a 领域 or a search (for the
订阅更新 buttons on those pages)."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from . import digests
from .model import Subscription

__all__ = ["nanjing_subscription_of"]


def nanjing_subscription_of(kind: str, target: str) -> dict[str, Any] | None:
    """The current user's subscription to `target` (a dataset's id, a
    body's name, a 领域 code or a query), or None."""
    if not tk.current_user.is_authenticated or not target:
        return None
    row = model.Session.query(Subscription).filter_by(
        user_id=tk.current_user.id, kind=kind, target=target).first()
    return digests.as_dict(row) if row else None
