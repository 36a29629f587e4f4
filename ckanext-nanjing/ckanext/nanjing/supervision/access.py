"""Whose yearly report a user may read: a body's stewards their own body's,
reviewers of the openness office and sysadmins every body's and the city's."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import roles

__all__ = ["CITY", "Scope", "resolve"]

CITY = "city"


class Scope:
    """The organizations a report sums (None: all) and the name it bears."""

    def __init__(self, organization: model.Group | None):
        self.organization = organization

    @property
    def organization_ids(self) -> list[str] | None:
        return None if self.organization is None else [self.organization.id]

    def as_dict(self) -> dict[str, Any]:
        if self.organization is None:
            return {"id": None, "name": CITY,
                    "title": tk.config.get("ckanext.nanjing.supervision.city_title")}
        return {"id": self.organization.id, "name": self.organization.name,
                "title": self.organization.title or self.organization.name}


def resolve(user_name: str | None, value: Any) -> Scope:
    """The scope named by `organization`, or NotAuthorized / ObjectNotFound /
    ValidationError in Chinese."""
    if not isinstance(value, str) or not value.strip():
        raise tk.ValidationError({"organization": [
            "请指定机关（名称或 id），或 city 表示全市汇总"]})
    handled = roles.steward_organizations(user_name)
    if value.strip() == CITY:
        if handled is not None:
            raise tk.NotAuthorized("只有公开办审核人员可以查看全市汇总的年度报告")
        return Scope(None)
    org = model.Group.get(value.strip())
    if org is None or not org.is_organization or org.state != "active":
        if handled is None:
            raise tk.ObjectNotFound("机关不存在")
        # Not saying whether the body exists to someone who may not see it.
        raise tk.NotAuthorized("只有本机关的工作人员和公开办审核人员可以查看年度报告")
    if handled is not None and org.id not in handled:
        raise tk.NotAuthorized("只有本机关的工作人员和公开办审核人员可以查看年度报告")
    return Scope(org)
