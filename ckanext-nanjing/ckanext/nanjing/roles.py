"""Who someone is to the platform: a steward of a body (an editor or
admin of its organization), a reviewer of the government affairs openness
office (政务公开办: an editor or admin of `ckanext.nanjing.review_organization`),
or a sysadmin, who is both everywhere. Catalog review, requests and
supervision all ask here."""
from __future__ import annotations

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk

__all__ = ["STEWARD_CAPACITIES", "is_reviewer", "is_steward", "steward_organizations",
           "stewards_with_email"]

STEWARD_CAPACITIES = ("admin", "editor")


def is_reviewer(user_name: str | None) -> bool:
    """Sysadmins, and editors or admins of the review organization."""
    if not user_name:
        return False
    if authz.is_sysadmin(user_name):
        return True
    org = tk.config.get("ckanext.nanjing.review_organization")
    return bool(org) and authz.has_user_permission_for_group_or_org(
        org, user_name, "update_dataset")


def is_steward(user_name: str | None, organization_id: str) -> bool:
    """Sysadmins, and editors or admins of the organization."""
    if not user_name:
        return False
    if authz.is_sysadmin(user_name):
        return True
    return authz.users_role_for_group_or_org(organization_id, user_name) in STEWARD_CAPACITIES


def steward_organizations(user_name: str | None) -> list[str] | None:
    """Ids of the organizations the user is a steward of; None: every one
    (sysadmins and reviewers)."""
    if not user_name:
        return []
    if authz.is_sysadmin(user_name) or is_reviewer(user_name):
        return None
    user = model.User.get(user_name)
    if user is None:
        return []
    rows = (model.Session.query(model.Member.group_id)
            .filter(model.Member.table_name == "user", model.Member.table_id == user.id,
                    model.Member.state == "active",
                    model.Member.capacity.in_(STEWARD_CAPACITIES))
            .all())
    return [row.group_id for row in rows]


def stewards_with_email(organization_id: str) -> list[model.User]:
    """The organization's active editors and admins that have an e-mail
    address (whom a body's reminders and notices go to)."""
    return (model.Session.query(model.User)
            .join(model.Member, model.Member.table_id == model.User.id)
            .filter(model.Member.group_id == organization_id,
                    model.Member.table_name == "user", model.Member.state == "active",
                    model.Member.capacity.in_(STEWARD_CAPACITIES),
                    model.User.state == "active", model.User.email.isnot(None),
                    model.User.email != "")
            .order_by(model.User.name).all())
