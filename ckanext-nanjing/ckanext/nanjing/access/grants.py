"""Grants: what lets one account read the data of one conditional dataset
(all of it, or the resources and fields an application narrowed it to),
for a period. Issued when the applicant accepts the data-use agreement;
the owning body may suspend, resume or revoke one at any time, which
takes effect on the next read (the rule reads grants on every call)."""
from __future__ import annotations

import datetime

import ckan.model as model
import ckan.plugins.toolkit as tk

from .model import Grant

__all__ = ["issue", "suspend", "resume", "revoke", "REASON_MAX"]

REASON_MAX = 500


def issue(user_id: str, package: model.Package, starts_on: datetime.date,
          ends_on: datetime.date, resource_ids: list[str] | None = None,
          fields: list[str] | None = None, application_id: str | None = None,
          commit: bool = True) -> Grant:
    if ends_on < starts_on:
        raise tk.ValidationError({"ends_on": ["授权截止日期不能早于起始日期"]})
    own = {resource.id for resource in package.resources}
    foreign = [rid for rid in resource_ids or [] if rid not in own]
    if foreign:
        raise tk.ValidationError({"resource_ids": ["授权范围中的资源不属于该数据集"]})
    grant = Grant(user_id=user_id, package_id=package.id, organization_id=package.owner_org,
                  starts_on=starts_on, ends_on=ends_on, application_id=application_id)
    grant.resource_ids = resource_ids
    grant.fields = fields
    model.Session.add(grant)
    if commit:
        model.Session.commit()
    return grant


def _change(grant: Grant, state: str, reason: str, commit: bool) -> Grant:
    if grant.state == "revoked":
        raise tk.ValidationError({"state": ["该授权已撤销，不能再变更"]})
    grant.state = state
    grant.state_reason = (reason or "").strip()[:REASON_MAX]
    if commit:
        model.Session.commit()
    return grant


def suspend(grant: Grant, reason: str, commit: bool = True) -> Grant:
    return _change(grant, "suspended", reason, commit)


def resume(grant: Grant, commit: bool = True) -> Grant:
    return _change(grant, "active", "", commit)


def revoke(grant: Grant, reason: str, commit: bool = True) -> Grant:
    return _change(grant, "revoked", reason, commit)
