"""The Action API of grants: list one's own grants or a body's, suspend,
resume or revoke one (the owning body, at any time, effective on the next
read), and report on the data's use (利用情况/成果反馈)."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from .. import roles
from ..actionkit import rollback_on_error, signed_in
from ..formfields import text_value
from . import grants, notify
from .dicts import grant_dict
from .applying import record_event
from .model import Application, Grant, UseReport
from .states import GRANT_CHANGES

__all__ = ["nanjing_access_grant_list", "nanjing_access_grant_change",
           "nanjing_access_use_report_create"]

NOT_FOUND = "授权不存在，或您无权查看"


def nanjing_access_grant_list(context: Context, data_dict: dict[str, Any]) -> list[dict]:
    """scope "mine" (default): the caller's grants; "managed": the grants of
    the bodies the caller is a steward of (every body for the office).
    Optional package_id."""
    tk.check_access("nanjing_access_grant_list", context, data_dict)
    user = signed_in(context)
    query = model.Session.query(Grant)
    scope = data_dict.get("scope") or "mine"
    if scope == "mine":
        query = query.filter(Grant.user_id == user.id)
    elif scope == "managed":
        bodies = roles.steward_organizations(user.name)
        if bodies is not None:
            query = query.filter(Grant.organization_id.in_(bodies or [""]))
    else:
        raise tk.ValidationError({"scope": ["scope 应为 mine 或 managed"]})
    if data_dict.get("package_id"):
        query = query.filter(Grant.package_id == str(data_dict["package_id"]))
    return [grant_dict(g) for g in query.order_by(Grant.created.desc()).limit(1000)]


@rollback_on_error
def nanjing_access_grant_change(context: Context, data_dict: dict[str, Any]) -> dict:
    """Suspend, resume or revoke a grant: id, change (suspend | resume |
    revoke), reason (needed to suspend or revoke; the holder is told it)."""
    tk.check_access("nanjing_access_grant_change", context, data_dict)
    user = signed_in(context)
    grant = model.Session.get(Grant, str(data_dict.get("id") or "")[:100])
    if grant is None or not roles.is_steward(user.name, grant.organization_id):
        raise tk.ObjectNotFound(NOT_FOUND)
    change = data_dict.get("change")
    if not isinstance(change, str) or change not in GRANT_CHANGES:
        raise tk.ValidationError({"change": ["change 应为 suspend、resume 或 revoke"]})
    reason = text_value(data_dict, "reason", "理由", 500, change != "resume")
    if change == "resume" and grant.state != "suspended":
        raise tk.ValidationError({"change": ["只有已暂停的授权可以恢复"]})
    if change == "suspend":
        grants.suspend(grant, reason, commit=False)
    elif change == "resume":
        grants.resume(grant, commit=False)
    else:
        grants.revoke(grant, reason, commit=False)
    application = model.Session.get(Application, grant.application_id or "")
    if application is not None:
        record_event(application, "grant_change", application.state, application.state, user,
                     "steward", {"change": change, "reason": reason})
    model.Session.commit()
    if application is not None:
        notify.to_applicant(application, GRANT_CHANGES[change],
                            [f"数据提供单位已{GRANT_CHANGES[change]}您对该数据集的授权。"]
                            + ([f"理由：{reason}"] if reason else []))
    return grant_dict(grant)


@rollback_on_error
def nanjing_access_use_report_create(context: Context, data_dict: dict[str, Any]) -> dict:
    """Report on the use of granted data: grant_id, usage (利用情况), outcomes
    (成果), benefits (效益)."""
    tk.check_access("nanjing_access_use_report_create", context, data_dict)
    user = signed_in(context)
    grant = model.Session.get(Grant, str(data_dict.get("grant_id") or "")[:100])
    if grant is None or grant.user_id != user.id:
        raise tk.ObjectNotFound(NOT_FOUND)
    report = UseReport(grant_id=grant.id, user_id=user.id,
                       usage=text_value(data_dict, "usage", "利用情况", 5000, True),
                       outcomes=text_value(data_dict, "outcomes", "成果", 5000, False),
                       benefits=text_value(data_dict, "benefits", "效益", 5000, False))
    model.Session.add(report)
    model.Session.commit()
    return {"id": report.id, "grant_id": grant.id, "created": report.created.isoformat()}
