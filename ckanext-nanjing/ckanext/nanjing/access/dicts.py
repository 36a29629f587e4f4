"""What the API and pages show of applications and grants, per viewer: the
applicant sees what was addressed to them, the body and the office also
see internal notes and where an agreement was accepted from."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import localtime
from . import clock
from .model import Application, Grant, UseReport
from .states import GRANT_CHANGES, REMINDERS, STATES, STEPS

__all__ = ["DELIVERIES", "application_dict", "grant_dict", "grant_status", "steps_for"]

DELIVERIES = {"download": "下载文件", "api": "接口（API）调用", "both": "下载文件和接口调用"}
GRANT_STATES = {"active": "有效", "suspended": "已暂停", "revoked": "已撤销",
                "expired": "已到期", "pending": "尚未生效"}
ACTORS = {"applicant": "申请人", "steward": "数据提供单位", "reviewer": "数据开放主管部门",
          "system": "平台"}
# Keys of a step's data the applicant may see.
APPLICANT_DATA = {"items", "due", "text", "reason", "resource_ids", "fields", "starts_on",
                  "ends_on", "change"}


def grant_status(grant: Grant, day: datetime.date | None = None) -> str:
    day = day or localtime.today()
    if grant.state != "active":
        return grant.state
    if grant.ends_on < day:
        return "expired"
    if grant.starts_on > day:
        return "pending"
    return "active"


def _resources(package: model.Package, ids: list[str] | None) -> list[dict[str, str]]:
    return [{"id": r.id, "name": r.name or r.id} for r in package.resources
            if ids is None or r.id in ids]


def grant_dict(grant: Grant) -> dict[str, Any]:
    package = model.Package.get(grant.package_id)
    status = grant_status(grant)
    user = model.User.get(grant.user_id)
    reports = model.Session.query(UseReport).filter(UseReport.grant_id == grant.id).count()
    return {
        "id": grant.id, "application_id": grant.application_id,
        "user": user.name if user else None,
        "package_id": grant.package_id, "package_name": package.name if package else None,
        "package_title": package.title if package else None,
        "organization_id": grant.organization_id,
        "resources": _resources(package, grant.resource_ids) if package else [],
        "resource_ids": grant.resource_ids, "fields": grant.fields,
        "starts_on": grant.starts_on.isoformat(), "ends_on": grant.ends_on.isoformat(),
        "state": grant.state, "status": status, "status_label": GRANT_STATES[status],
        "state_reason": grant.state_reason,
        "created": grant.created.isoformat(),
        "reports": reports, "reminder": _reminder(grant, status, reports),
    }


def _reminder(grant: Grant, status: str, reports: int) -> str:
    """What the holder is reminded of on the portal, as the mail says it."""
    left = (grant.ends_on - localtime.today()).days
    if status != "active" or left > tk.config.get("ckanext.nanjing.access.reminder_days"):
        return ""
    text = f"授权将于 {grant.ends_on.isoformat()} 到期（还有 {left} 天）"
    return text + ("；请在到期前提交利用情况反馈" if not reports else "")


def steps_for(application: Application, roles: set[str]) -> list[dict[str, str]]:
    """The steps this viewer may take now."""
    found = []
    for step in STEPS.values():
        actor = step.actors.get(application.state)
        if actor and actor in roles:
            if step.key == "request_correction" and any(
                    e.transition == "request_correction" for e in application.events):
                continue  # 补正 is asked once
            found.append({"key": step.key, "label": step.label})
    return found


def _event(event, applicant_view: bool) -> dict[str, Any]:
    step = STEPS.get(event.transition)
    label = step.label if step else {"submit": "提交申请", **GRANT_CHANGES, **REMINDERS}.get(
        event.data.get("change") or event.transition, event.transition)
    data = event.data
    entry = {"transition": event.transition, "label": label,
             "from_state": event.from_state, "to_state": event.to_state,
             "actor": ACTORS.get(event.actor_kind, event.actor_kind),
             "day": event.day.isoformat(), "created": event.created.isoformat()}
    if applicant_view:
        entry["data"] = {k: v for k, v in data.items() if k in APPLICANT_DATA}
    else:
        entry["data"], entry["note"] = data, event.note
    return entry


def application_dict(application: Application, roles: set[str],
                     today: datetime.date | None = None) -> dict[str, Any]:
    package = model.Package.get(application.package_id)
    org = model.Group.get(application.organization_id)
    applicant_view = roles <= {"applicant"}
    grant = (model.Session.query(Grant).filter(Grant.application_id == application.id)
             .order_by(Grant.created.desc()).first())
    agreement = application.agreement
    answer: dict[str, Any] = {
        "id": application.id, "number": application.number,
        "state": application.state, "state_label": STATES.get(application.state, ""),
        "package_id": application.package_id,
        "package_name": package.name if package else None,
        "package_title": package.title if package else None,
        "organization": {"id": org.id, "name": org.name, "title": org.title} if org else None,
        "applicant": {"kind": application.applicant_kind, "name": application.applicant_name,
                      "id_number_masked": application.applicant_id_masked},
        "purpose": application.purpose, "scenario": application.scenario,
        "resources": _resources(package, application.resource_ids) if package else [],
        "resource_ids": application.resource_ids, "fields": application.fields,
        "starts_on": application.starts_on.isoformat(),
        "ends_on": application.ends_on.isoformat(),
        "delivery": application.delivery, "delivery_label": DELIVERIES[application.delivery],
        "security": application.security,
        "received": application.received.isoformat(),
        "decided": application.decided.isoformat() if application.decided else None,
        "decision_reason": application.decision_reason,
        "approved": None, "deadline": clock.deadline_dict(application, today),
        "events": [_event(e, applicant_view) for e in application.events],
        "files": [{"id": f.id, "kind": f.kind, "name": f.name, "size": f.size,
                   "mimetype": f.mimetype} for f in application.files],
        "agreement": None, "grant": grant_dict(grant) if grant else None,
        "roles": sorted(roles), "steps": steps_for(application, roles),
        "created": application.created.isoformat(),
    }
    if application.approved_ends_on:
        answer["approved"] = {
            "resources": _resources(package, application.approved_resource_ids)
            if package else [],
            "resource_ids": application.approved_resource_ids,
            "fields": application.approved_fields,
            "starts_on": application.approved_starts_on.isoformat(),
            "ends_on": application.approved_ends_on.isoformat()}
    if agreement is not None:
        answer["agreement"] = {
            "title": agreement.title, "template_version": agreement.template_version,
            "text_sha256": agreement.text_sha256, "created": agreement.created.isoformat(),
            "accepted_at": agreement.accepted_at.isoformat() if agreement.accepted_at else None}
        if not applicant_view:
            answer["agreement"]["client_address"] = agreement.client_address
    return answer
