"""Chained auth functions of ckanext-harvest's actions: Chinese refusals
instead of exceptions on parameters they expect, and job reports, harvest
objects and logs (which quote source records) only for those who manage the
source (visibility.py)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthFunction, AuthResult, Context
from ckanext.harvest.model import HarvestObject
from ckanext.nanjing.logic import params

from .. import visibility

__all__ = ["harvest_job_list", "harvest_object_show", "harvest_object_list",
           "harvest_log_list", "harvest_abort_failed_jobs", "harvest_job_show"]

SYSADMINS_ONLY = "只有系统管理员可以{what}"


def _refused_listing(context: Context, data_dict: dict[str, Any], what: str) -> AuthResult | None:
    """Why a listing of `what` is refused: it names no source, or the caller
    may not manage the source it names (None: neither)."""
    source_id = (data_dict or {}).get("source_id")
    if not source_id:
        return {"success": False,
                "msg": f"只有系统管理员可以列出全部{what}；其他用户请指定采集源（source_id）"}
    if not visibility.may_manage(context, source_id):
        return {"success": False, "msg": f"只有采集源所属组织的编辑、管理员和系统管理员可以查看它的{what}"}
    return None


@tk.chained_auth_function
def harvest_job_list(next_auth: AuthFunction, context: Context,
                     data_dict: dict[str, Any]) -> AuthResult:
    # ckanext-harvest reads data_dict["source_id"] and raises KeyError (a 500)
    # without it. Listing every source's jobs is for sysadmins, who do not
    # reach auth functions.
    return _refused_listing(context, data_dict, "采集任务") or next_auth(context, data_dict)


@tk.chained_auth_function
def harvest_job_show(next_auth: AuthFunction, context: Context,
                     data_dict: dict[str, Any]) -> AuthResult:
    # Also guards harvest_job_report. ckanext-harvest looks the job up with
    # whatever id it is given (a list or a number fails in the database).
    job_id = (data_dict or {}).get("id")
    if not isinstance(job_id, str) or not job_id:
        return {"success": False, "msg": "请以文本给出采集任务的 ID（id）"}
    try:
        return next_auth(context, data_dict)
    except tk.ObjectNotFound:
        raise tk.ObjectNotFound("没有这个采集任务") from None


@tk.auth_allow_anonymous_access
@tk.chained_auth_function
def harvest_object_show(next_auth: AuthFunction, context: Context,
                        data_dict: dict[str, Any]) -> AuthResult:
    # ckanext-harvest lets everyone read every harvest object: the source
    # record as fetched, with its internal fields.
    data_dict = data_dict or {}
    object_id, dataset_id = data_dict.get("id"), data_dict.get("dataset_id")
    if not isinstance(object_id or dataset_id, str):
        return {"success": False, "msg": "请以文本给出采集对象的 ID（id）或数据集的 ID（dataset_id）"}
    if object_id:
        obj = HarvestObject.get(object_id)
    else:
        obj = (context["model"].Session.query(HarvestObject)
               .filter(HarvestObject.package_id == dataset_id)
               .order_by(HarvestObject.import_finished.desc()).first())
    if obj is None:
        raise tk.ObjectNotFound("没有这个采集对象")
    if not visibility.may_manage(context, obj.harvest_source_id):
        return {"success": False,
                "msg": "采集对象含源系统的原始记录，只有采集源所属组织的编辑、管理员和系统管理员可以查看"}
    return next_auth(context, data_dict)


@tk.chained_auth_function
def harvest_object_list(next_auth: AuthFunction, context: Context,
                        data_dict: dict[str, Any]) -> AuthResult:
    return _refused_listing(context, data_dict, "采集对象") or next_auth(context, data_dict)


# ckanext-harvest registers every function of its action modules as auth
# functions too (a shared default argument in its plugin): the "auth
# functions" of these two are the actions themselves.
@tk.chained_auth_function
def harvest_log_list(next_auth: AuthFunction, context: Context,
                     data_dict: dict[str, Any]) -> AuthResult:
    return {"success": False, "msg": SYSADMINS_ONLY.format(what="查看采集日志")}


@tk.chained_auth_function
def harvest_abort_failed_jobs(next_auth: AuthFunction, context: Context,
                              data_dict: dict[str, Any]) -> AuthResult:
    # The action itself checks nothing (see logic/action.py).
    return {"success": False, "msg": SYSADMINS_ONLY.format(what="中止采集任务")}


# ckanext-harvest's auth functions that read a parameter as data_dict[key]
# (KeyError without it) or look it up in the database as given (a list or a
# number fails there): both were 500s. The parameter must be given as text.
TEXT_PARAMETERS = {
    "harvest_job_create": ("source_id", "采集源的名称或 ID"),
    "harvest_source_show": ("id", "采集源的名称或 ID"),
    "harvest_source_show_status": ("id", "采集源的名称或 ID"),
    "harvest_source_update": ("id", "采集源的名称或 ID"),
    "harvest_source_clear": ("id", "采集源的名称或 ID"),
    "harvest_source_delete": ("id", "采集源的名称或 ID"),
}
# Those that ask whether the caller is a sysadmin and fail with an
# AttributeError for anonymous callers (a typo in ckanext-harvest): refused
# here, since sysadmins never reach auth functions.
SYSADMIN_ACTIONS = {
    "harvest_job_create_all": "为全部采集源创建任务",
    "harvest_sources_clear": "清空全部采集源",
    "harvest_objects_import": "重新导入采集对象",
    "harvest_jobs_run": "运行采集任务",
    "harvest_job_abort": "中止采集任务",
    "harvest_sources_reindex": "重建全部采集源的索引",
}


def _text_parameter(name: str, key: str, what: str) -> AuthFunction:
    def check(next_auth: AuthFunction, context: Context, data_dict: dict[str, Any]) -> AuthResult:
        params.require_text(data_dict or {}, key, what)
        try:
            return next_auth(context, data_dict)
        except tk.ObjectNotFound:
            raise tk.ObjectNotFound(f"没有这个采集源：{data_dict[key]}") from None
    check.__name__ = name
    if name in ("harvest_source_show", "harvest_source_show_status"):
        check = tk.auth_allow_anonymous_access(check)
    return tk.chained_auth_function(check)


def _sysadmins_only(name: str, what: str) -> AuthFunction:
    def refuse(next_auth: AuthFunction, context: Context, data_dict: dict[str, Any]) -> AuthResult:
        return {"success": False, "msg": SYSADMINS_ONLY.format(what=what)}
    refuse.__name__ = name
    return tk.chained_auth_function(refuse)


globals().update({name: _text_parameter(name, *spec) for name, spec in TEXT_PARAMETERS.items()})
globals().update({name: _sysadmins_only(name, what) for name, what in SYSADMIN_ACTIONS.items()})
__all__ += list(TEXT_PARAMETERS) + list(SYSADMIN_ACTIONS)
