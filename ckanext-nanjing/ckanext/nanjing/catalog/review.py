"""The review of withheld (不予公开) disclosure-catalog entries.

A withheld entry stays private, invisible to the public, until a reviewer
of the government office (政务公开办) approves it; a reviewer may instead
return it to its steward with a comment. Every step is kept in
`nanjing_review`; the latest one is the entry's status.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model

from .model import Review

__all__ = [
    "SUBMITTED", "APPROVED", "RETURNED", "needs_review", "is_under_review", "status",
    "record", "PERMISSION_LABEL",
]

SUBMITTED, APPROVED, RETURNED = "submitted", "approved", "returned"
REVIEWED_TYPE = "gkml_item"
WITHHELD = "withheld"
# Search permission label that lets reviewers find withheld entries.
PERMISSION_LABEL = "nanjing-review"


def needs_review(data_dict: dict[str, Any], package_type: str | None = None) -> bool:
    kind = data_dict.get("type") or package_type
    return kind == REVIEWED_TYPE and data_dict.get("disclosure_attribute") == WITHHELD


def is_under_review(package: model.Package) -> bool:
    """A withheld entry, whatever its review status (read from the model)."""
    return needs_review({"disclosure_attribute": package.extras.get("disclosure_attribute")},
                        package.type)


def status(package_id: str) -> str | None:
    latest = Review.latest(package_id)
    return latest.event if latest else None


def record(package_id: str, event: str, user_name: str | None, comment: str = "") -> Review:
    user = model.User.get(user_name) if user_name else None
    review = Review(package_id=package_id, event=event, comment=comment,
                    user_id=user.id if user else None)
    model.Session.add(review)
    return review
