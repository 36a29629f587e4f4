"""Actions of the withheld-entry review, and the chained core actions that
keep a withheld entry private until it is approved, whatever path changes it."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Action, Context

from ..catalog import review
from ..model import Review
from . import schema

__all__ = [
    "package_create", "package_update", "bulk_update_public",
    "nanjing_review_decide", "nanjing_review_history", "nanjing_review_queue",
]

# Set by nanjing_review_decide so that its own update may publish the entry.
APPROVAL_FLAG = "nanjing_review_approval"


def _commit(context: Context) -> None:
    if not context.get("defer_commit"):
        model.repo.commit()


def _submit_if_needed(context: Context, package_id: str) -> None:
    if review.status(package_id) != review.SUBMITTED:
        review.record(package_id, review.SUBMITTED, context.get("user"))
        _commit(context)


def _package_id(result: dict[str, Any] | str) -> str:
    # package_create/update return the id alone when asked with return_id_only.
    return result["id"] if isinstance(result, dict) else result


@tk.chained_action
def package_create(original: Action, context: Context, data_dict: dict[str, Any]):
    withheld = review.needs_review(data_dict)
    if withheld:
        data_dict = dict(data_dict, private=True)
    result = original(context, data_dict)
    if withheld:
        _submit_if_needed(context, _package_id(result))
    return result


@tk.chained_action
def package_update(original: Action, context: Context, data_dict: dict[str, Any]):
    existing = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    withheld = review.needs_review(data_dict, existing.type if existing else None)
    approving = context.get(APPROVAL_FLAG)
    if withheld and not approving:
        # Any change to a withheld entry goes back to the reviewers.
        data_dict = dict(data_dict, private=True)
    result = original(context, data_dict)
    if withheld and not approving:
        _submit_if_needed(context, _package_id(result))
    return result


@tk.chained_action
def bulk_update_public(original: Action, context: Context, data_dict: dict[str, Any]):
    waiting = []
    for package_id in data_dict.get("datasets", []):
        package = model.Package.get(package_id)
        if package and review.is_under_review(package) \
                and review.status(package.id) != review.APPROVED:
            waiting.append(package.title)
    if waiting:
        raise tk.ValidationError({"datasets": [
            tk._("These withheld entries cannot be made public before a reviewer approves "
                 "them: {titles}").format(titles="、".join(waiting))]})
    return original(context, data_dict)


@validate(schema.review_decide_schema)
def nanjing_review_decide(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Approve a withheld entry (it becomes public) or return it to its
    steward with a comment.

    :param id: the entry's id or name
    :param decision: ``approve`` or ``return``
    :param comment: required when returning
    """
    tk.check_access("nanjing_review_decide", context, data_dict)
    package = model.Package.get(data_dict["id"])
    if package is None:
        raise tk.ObjectNotFound(tk._("Catalog entry not found"))
    if review.status(package.id) != review.SUBMITTED:
        raise tk.ValidationError({"id": [tk._("This entry is not waiting for review.")]})
    comment = (data_dict.get("comment") or "").strip()
    user = context.get("user")
    if data_dict["decision"] == "return":
        if not comment:
            raise tk.ValidationError({"comment": [
                tk._("Say why the entry is returned, so its steward can correct it.")]})
        review.record(package.id, review.RETURNED, user, comment)
    else:
        tk.get_action("package_patch")(
            {"user": user, APPROVAL_FLAG: True, "ignore_auth": True},
            {"id": package.id, "private": False})
        review.record(package.id, review.APPROVED, user, comment)
    model.repo.commit()
    return nanjing_review_history(context, {"id": package.id})


@tk.side_effect_free
@validate(schema.review_id_schema)
def nanjing_review_history(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The review status of an entry and every step of its review."""
    tk.check_access("nanjing_review_history", context, data_dict)
    package = model.Package.get(data_dict["id"])
    if package is None:
        raise tk.ObjectNotFound(tk._("Catalog entry not found"))
    steps = [_step_dict(step) for step in Review.history(package.id)]
    return {"id": package.id, "status": steps[-1]["event"] if steps else None,
            "history": steps}


@tk.side_effect_free
def nanjing_review_queue(context: Context, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """Withheld entries waiting for a reviewer, oldest first."""
    tk.check_access("nanjing_review_queue", context, data_dict)
    latest = (model.Session.query(Review.package_id, sa.func.max(Review.created).label("at"))
              .group_by(Review.package_id).subquery())
    rows = (model.Session.query(Review, model.Package)
            .join(latest, (Review.package_id == latest.c.package_id)
                  & (Review.created == latest.c.at))
            .join(model.Package, model.Package.id == Review.package_id)
            .filter(Review.event == review.SUBMITTED, model.Package.state == "active")
            .order_by(Review.created))
    return [{"id": package.id, "name": package.name, "title": package.title,
             "owner_org": package.owner_org, "submitted": step.created.isoformat()}
            for step, package in rows]


def _step_dict(step: Review) -> dict[str, Any]:
    user = model.User.get(step.user_id) if step.user_id else None
    return {"event": step.event, "comment": step.comment, "created": step.created.isoformat(),
            "user": user.name if user else None,
            "user_display_name": user.display_name if user else None}
