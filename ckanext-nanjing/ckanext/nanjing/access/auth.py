"""The DataStore API asks the rule (access/rule.py): CKAN's datastore
auth only asks whether the resource's metadata may be seen."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

from . import registration, resolve, rule
from .actions import SQL_TABLES

__all__ = ["user_create", "datastore_search", "datastore_info", "datastore_search_sql",
           "nanjing_access_profile_show", "nanjing_access_profile_update",
           "nanjing_access_application_create", "nanjing_access_application_show",
           "nanjing_access_application_list", "nanjing_access_application_step",
           "nanjing_access_application_file_show", "nanjing_access_agreement_show",
           "nanjing_access_grant_list", "nanjing_access_grant_change",
           "nanjing_access_use_report_create"]

FIELD_SCOPED_SQL = ("您的授权仅限该数据的部分字段，不能使用 datastore_search_sql；"
                    "请用 datastore_search 按授权字段查询。")


def _refused(context: Context, name: Any) -> AuthResult | None:
    resource = resolve.resource_named(name)
    if resource is None:
        return None  # CKAN's own answer (not found) stands
    verdict = rule.verdict(rule.reader(context.get("user")), resource.package, resource.id)
    if not verdict.allowed:
        return {"success": False, "msg": verdict.reason}
    return None


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def user_create(next_auth, context: Context, data_dict: dict[str, Any] | None = None
                ) -> AuthResult:
    """The public may register on the web (the platform's page, which
    creates the account itself); the Action API keeps CKAN's rule."""
    if "api_version" not in context and registration.open_for_registration():
        return {"success": True}
    return next_auth(context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search(next_auth, context: Context, data_dict: dict[str, Any]) -> AuthResult:
    result = next_auth(context, data_dict)
    if not result.get("success"):
        return result
    return _refused(context, data_dict.get("resource_id")) or result


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_info(next_auth, context: Context, data_dict: dict[str, Any]) -> AuthResult:
    result = next_auth(context, data_dict)
    if not result.get("success"):
        return result
    return _refused(context, data_dict.get("id") or data_dict.get("resource_id")) or result


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search_sql(next_auth, context: Context, data_dict: dict[str, Any]) -> AuthResult:
    # CKAN hands the table names as a generator, which its own check uses up.
    context["table_names"] = list(context.get("table_names") or [])  # type: ignore
    result = next_auth(context, data_dict)
    if not result.get("success"):
        return result
    who = rule.reader(context.get("user"))
    checked = context.get(SQL_TABLES)
    for name in context.get("table_names") or []:
        resource = resolve.resource_named(name)
        if resource is None:
            continue
        verdict = rule.verdict(who, resource.package, resource.id)
        if not verdict.allowed:
            return {"success": False, "msg": verdict.reason}
        if verdict.fields is not None:
            return {"success": False, "msg": FIELD_SCOPED_SQL}
        if isinstance(checked, dict):  # the action logs these reads
            checked[resource.id] = (who, verdict, resource)
    return result


# Applications and grants: any signed-in account may call these; each
# action then checks the caller's relation to the application or grant
# (applicant, owning body, office) and answers "not found" to strangers.

@tk.auth_allow_anonymous_access
def _signed_in(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    if not context.get("user") or not rule.reader(context.get("user")).user_id:
        return {"success": False, "msg": "请先登录"}
    return {"success": True}


nanjing_access_profile_show = nanjing_access_profile_update = _signed_in
nanjing_access_application_create = nanjing_access_application_show = _signed_in
nanjing_access_application_list = nanjing_access_application_step = _signed_in
nanjing_access_application_file_show = nanjing_access_agreement_show = _signed_in
nanjing_access_grant_list = nanjing_access_grant_change = _signed_in
nanjing_access_use_report_create = _signed_in
