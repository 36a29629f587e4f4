"""The reminders on the portal: `nanjing_request_notices` lists the notices
of the requests a logged-in user handles, newest first (the queue page
shows them beside the requests)."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

from .. import roles
from . import access
from .model import Request, RequestNotice
from .reminders import KINDS, request_url
from .schema import integer
from .states import STATES

__all__ = ["nanjing_request_notices"]


@tk.side_effect_free
def nanjing_request_notices(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Reminders (kind near/overdue) of the requests the user handles, all
    for reviewers and sysadmins, newest first. Filters: `organization`,
    `kind`, `request_id`; paging: `limit` (default 50), `offset`."""
    tk.check_access("nanjing_request_notices", context, data_dict)
    query = (model.Session.query(RequestNotice, Request)
             .join(Request, Request.id == RequestNotice.request_id))
    handled = roles.steward_organizations(context.get("user"))
    if handled is not None:
        query = query.filter(Request.organization_id.in_(handled or [""]))
    if data_dict.get("organization"):
        query = query.filter(
            Request.organization_id == access.organization_filter(data_dict["organization"]))
    if data_dict.get("kind"):
        if not isinstance(data_dict["kind"], str) or data_dict["kind"] not in KINDS:
            raise tk.ValidationError({"kind": [f"提醒类型应为：{'、'.join(KINDS)}"]})
        query = query.filter(RequestNotice.kind == data_dict["kind"])
    if data_dict.get("request_id"):
        query = query.filter(RequestNotice.request_id == str(data_dict["request_id"]))
    limit = integer(data_dict.get("limit"), 50, "limit", 1000)
    offset = integer(data_dict.get("offset"), 0, "offset", 1000000)
    count = query.count()
    rows = (query.order_by(RequestNotice.created.desc(), RequestNotice.id)
            .offset(offset).limit(limit).all())
    organizations = {}
    results = []
    for notice, request in rows:
        if request.organization_id not in organizations:
            org = model.Group.get(request.organization_id)
            organizations[org.id] = {"id": org.id, "name": org.name,
                                     "title": org.title or org.name}
        results.append({
            "id": notice.id, "kind": notice.kind, "kind_label": KINDS.get(notice.kind, ""),
            "due": notice.due.isoformat() if notice.due else None,
            "message": notice.message, "created": notice.created.isoformat(),
            "request_id": request.id, "number": request.number,
            "state": request.state, "state_label": STATES.get(request.state, request.state),
            "organization": organizations[request.organization_id],
            "url": request_url(request),
        })
    return {"count": count, "results": results}


def notices_auth(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    if not context.get("user"):
        return {"success": False, "msg": "请先登录"}
    return {"success": True}  # the action lists only what the user handles


AUTH_FUNCTIONS = {"nanjing_request_notices": notices_auth}
