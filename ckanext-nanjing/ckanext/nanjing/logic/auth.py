from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

from .. import roles
from ..catalog import review

__all__ = [
    "package_show", "nanjing_review_decide", "nanjing_review_queue", "nanjing_review_history",
    "nanjing_validation_show", "nanjing_validation_run", "nanjing_schema_adopt",
    "nanjing_public_figures",
]


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_show(next_auth, context: Context, data_dict: dict[str, Any]) -> AuthResult:
    """Reviewers read the withheld entries they review, whoever owns them."""
    package = context.get("package") or model.Package.get(data_dict.get("id") or "")
    if package is not None and review.is_under_review(package) \
            and roles.is_reviewer(context.get("user")):
        return {"success": True}
    return next_auth(context, data_dict)


def _reviewers_only(context: Context) -> AuthResult:
    if roles.is_reviewer(context.get("user")):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only reviewers of the government affairs openness office may do this.")}


def nanjing_review_decide(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _reviewers_only(context)


def nanjing_review_queue(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _reviewers_only(context)


@tk.auth_allow_anonymous_access
def nanjing_review_history(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    # Whoever may see the entry may see how it was reviewed.
    try:
        tk.check_access("package_show", dict(context), {"id": data_dict.get("id")})
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("You may not see this entry.")}
    return {"success": True}


def _stewards_of_resource(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    """Those who may edit the dataset: the report quotes the file's cells,
    personal numbers included, so it is theirs, not the public's."""
    resource = model.Resource.get(data_dict.get("resource_id") or "")
    if resource is None:
        return {"success": False, "msg": "资源不存在"}
    try:
        tk.check_access("package_update", dict(context), {"id": resource.package_id})
    except tk.NotAuthorized:
        return {"success": False, "msg": "只有该数据集的维护人员可以查看或重新执行数据校验"}
    return {"success": True}


def nanjing_validation_show(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _stewards_of_resource(context, data_dict)


def nanjing_validation_run(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _stewards_of_resource(context, data_dict)


def nanjing_schema_adopt(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _stewards_of_resource(context, data_dict)


@tk.auth_allow_anonymous_access
def nanjing_public_figures(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return {"success": True}
