"""Chained actions for every harvest source: secrets in the configuration
are kept when a masked configuration is saved back (the edit form, or
harvest_source_patch, which reads the source first), never listed, and
configuration errors read in Chinese instead of behind ckanext-harvest's
English prefix. Callers who may not manage a source see only its public
view (visibility.py) through package_show, harvest_source_show(_status)
and harvest_source_list."""
from __future__ import annotations

import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import auth_audit_exempt
from ckan.types import Action, Context
from ckanext.harvest.model import HarvestSource
from ckanext.nanjing.logic import params

from .. import config, visibility

__all__ = ["package_create", "package_update", "package_show", "harvest_source_list",
           "harvest_source_show_status", "harvest_abort_failed_jobs", "harvest_source_reindex",
           "harvest_source_patch"]

HARVEST_TYPE = "harvest"
# What ckanext-harvest puts before the message of any exception that a
# harvester's validate_config raises (logic/validators.py).
HARVEST_PREFIX = "Error parsing the configuration options: "


@tk.chained_action
def package_create(original: Action, context: Context, data_dict: dict[str, Any]):
    if data_dict.get("type") != HARVEST_TYPE:
        return original(context, data_dict)
    return _in_chinese(original, context, data_dict)


@tk.chained_action
def package_update(original: Action, context: Context, data_dict: dict[str, Any]):
    params.check_text(data_dict, "id", "name")
    existing = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    if existing is None or existing.type != HARVEST_TYPE:
        return original(context, data_dict)
    stored = HarvestSource.get(existing.id)
    if isinstance(data_dict.get("config"), str) and stored is not None and stored.config:
        data_dict = dict(data_dict, config=_restore(data_dict["config"], stored.config))
    return _in_chinese(original, context, data_dict)


@tk.side_effect_free
@tk.chained_action
def package_show(original: Action, context: Context, data_dict: dict[str, Any]):
    params.check_text(data_dict, "id", "name")
    name_or_id = data_dict.get("id") or data_dict.get("name")
    package = model.Package.get(name_or_id) if isinstance(name_or_id, str) else None
    if package is None or package.type != HARVEST_TYPE:
        return original(context, data_dict)
    # The search index holds only the public view of a source: read it
    # from the database.
    context["use_cache"] = False
    source = original(context, data_dict)
    if visibility.may_manage(context, package.id):
        return source
    return visibility.public_source(source)


@tk.side_effect_free
@tk.chained_action
def harvest_source_show_status(original: Action, context: Context,
                               data_dict: dict[str, Any]):
    status = original(context, data_dict)
    if visibility.may_manage(context, data_dict.get("id")):
        return status
    return visibility.public_status(status)


@tk.side_effect_free
@tk.chained_action
def harvest_source_list(original: Action, context: Context, data_dict: dict[str, Any]):
    # ckanext-harvest's own never calls its auth function, so on CKAN 2.12
    # every call failed with "did not call its auth function".
    tk.check_access("harvest_source_list", context, data_dict)
    params.check_text(data_dict, "organization_id")
    # ckanext-harvest lists every source to anonymous callers and none to
    # other non-sysadmins (it filters by the retired "publisher" groups):
    # list them all, then show each caller what it may see.
    listed = original(dict(context, user=""), data_dict)
    answer = []
    for source in listed:
        if visibility.may_manage(context, source.get("id")):
            answer.append(config.mask_source(dict(source)))
            continue
        package = model.Package.get(source.get("id") or "")
        if package is not None and package.state == "active" and not package.private:
            answer.append(visibility.public_list_entry(source))
    return answer


@tk.chained_action
def harvest_abort_failed_jobs(original: Action, context: Context, data_dict: dict[str, Any]):
    # ckanext-harvest's checks no permission: anyone could abort jobs.
    tk.check_access("harvest_abort_failed_jobs", context, data_dict)
    return original(context, data_dict)


@tk.chained_action
def harvest_source_reindex(original: Action, context: Context, data_dict: dict[str, Any]):
    # ckanext-harvest's checks no permission and reads the source with
    # ignore_auth: reindexing is for those who may update the source.
    source_id = params.require_text(data_dict, "id", "采集源的名称或 ID")
    tk.check_access("harvest_source_reindex", context, {"id": source_id})
    return original(context, data_dict)


@auth_audit_exempt
@tk.chained_action
def harvest_source_patch(original: Action, context: Context, data_dict: dict[str, Any]):
    # Forwarded to package_patch, whose auth function looks the id up as given
    # (and which checks who may patch: hence no audit of an auth call here).
    params.check_text(data_dict, "id", "name")
    return original(context, data_dict)


# Helpers of ckanext-harvest that its plugin registers as actions by
# mistake (it registers every function of its action modules): none takes
# (context, data_dict), so over the API each failed with a 500.
INTERNAL_FUNCTIONS = ("InactiveSource", "get_mail_extra_vars", "prepare_summary_mail",
                      "prepare_error_mail", "send_summary_email", "send_error_email",
                      "send_mail")


def _not_an_action(name: str) -> Action:
    def refuse(original: Action, context: Context, data_dict: dict[str, Any]):
        raise tk.ObjectNotFound(f"没有名为 {name} 的接口：它是采集扩展的内部函数，不能通过 API 调用")
    refuse.__name__ = name
    return tk.chained_action(refuse)


globals().update({name: _not_an_action(name) for name in INTERNAL_FUNCTIONS})
__all__ += list(INTERNAL_FUNCTIONS)


# Activities hold the whole package dict of the changed dataset, and CKAN
# 2.12 shows it to whoever may see the dataset: a source's activities show
# its public view to those who may not manage it.
ACTIVITY_LISTS = ("package_activity_list", "organization_activity_list",
                  "recently_changed_packages_activity_list", "user_activity_list",
                  "group_activity_list", "dashboard_activity_list")


def _public_activity_data(context: Context, data: Any) -> Any:
    package = data.get("package") if isinstance(data, dict) else None
    if (isinstance(package, dict) and package.get("type") == HARVEST_TYPE
            and not visibility.may_manage(context, package.get("id"))):
        data = dict(data, package=visibility.public_source(package))
    return data


def _public_activity(context: Context, activity: Any) -> Any:
    if isinstance(activity, dict) and "data" in activity:
        activity = dict(activity, data=_public_activity_data(context, activity["data"]))
    return activity


def _activity_list(name: str) -> Action:
    def reduce(original: Action, context: Context, data_dict: dict[str, Any]):
        params.check_text(data_dict, "id")
        return [_public_activity(context, a) for a in original(context, data_dict)]
    reduce.__name__ = name
    return tk.side_effect_free(tk.chained_action(reduce))


@tk.side_effect_free
@tk.chained_action
def activity_show(original: Action, context: Context, data_dict: dict[str, Any]):
    params.check_text(data_dict, "id")
    return _public_activity(context, original(context, data_dict))


@tk.side_effect_free
@tk.chained_action
def activity_data_show(original: Action, context: Context, data_dict: dict[str, Any]):
    params.check_text(data_dict, "id")
    return _public_activity_data(context, original(context, data_dict))


@tk.side_effect_free
@tk.chained_action
def activity_diff(original: Action, context: Context, data_dict: dict[str, Any]):
    params.check_text(data_dict, "id")
    answer = original(context, data_dict)
    activities = [_public_activity(context, a) for a in answer.get("activities") or []]
    if activities != answer.get("activities"):
        answer = dict(answer, activities=activities, diff="")
    return answer


globals().update({name: _activity_list(name) for name in ACTIVITY_LISTS})
__all__ += list(ACTIVITY_LISTS) + ["activity_show", "activity_data_show", "activity_diff"]


def _restore(new: str, old: str) -> str:
    try:
        new_config, old_config = json.loads(new), json.loads(old)
    except ValueError:
        return new  # not JSON: validate_config says so
    if not isinstance(new_config, dict) or not isinstance(old_config, dict):
        return new
    return config.dump(config.restore(new_config, old_config))


def _in_chinese(original: Action, context: Context, data_dict: dict[str, Any]):
    try:
        return original(context, data_dict)
    except tk.ValidationError as error:
        messages = (error.error_dict or {}).get("config")
        if not messages:
            raise
        fixed = dict(error.error_dict)
        fixed["config"] = [_chinese(m) for m in messages]
        raise tk.ValidationError(fixed) from None


def _chinese(message: Any) -> Any:
    if isinstance(message, str) and message.startswith(HARVEST_PREFIX):
        return "采集配置有误：" + message[len(HARVEST_PREFIX):]
    return message
