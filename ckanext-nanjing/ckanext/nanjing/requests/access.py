"""Who is asking about a request: a handler of the addressed organization,
a reviewer of the openness office, or the applicant (their account, or the
registration number with its 查询码). Nobody else learns anything, not even
whether a number exists."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from .. import ratelimit, roles
from . import numbering, privacy
from .model import Request

__all__ = ["WRONG_CODE", "TOO_MANY_TRIES", "resolve", "role_of", "organization_filter"]

WRONG_CODE = "申请编号或查询码不正确，请核对回执上的编号和查询码"
TOO_MANY_TRIES = "查询码错误次数过多，请 {minutes} 分钟后再试"


def _user(context: Context) -> model.User | None:
    name = context.get("user")
    return model.User.get(name) if name else None


def organization_filter(value: Any) -> str:
    """The id of the organization a list is filtered by ('' matches none)."""
    if not isinstance(value, str):
        raise tk.ValidationError({"organization": ["应为机关的名称或 id"]})
    org = model.Group.get(value)
    return org.id if org else ""


def role_of(context: Context, request: Request) -> str | None:
    user_name = context.get("user")
    if roles.is_steward(user_name, request.organization_id):
        return "handler"
    if roles.is_reviewer(user_name):
        return "reviewer"
    user = _user(context)
    if user is not None and request.user_id == user.id:
        return "applicant"
    return None


def _by_code(number: str, code: str) -> Request:
    address = ratelimit.client_address()
    minutes = tk.config.get("ckanext.nanjing.requests.lookup_window")
    limit = tk.config.get("ckanext.nanjing.requests.lookup_attempts")
    # Counted per client address only: a count per number would let anyone
    # lock an applicant out of their own request, and 31^10 codes are not
    # guessed by trying.
    if ratelimit.count("request-lookup-failures", address) >= limit:
        raise tk.NotAuthorized(TOO_MANY_TRIES.format(minutes=minutes))
    request = model.Session.query(Request).filter(
        Request.number == numbering.canonical_number(number)).one_or_none()
    if request is None or not privacy.codes_match(code, request.lookup_code_hash):
        ratelimit.hit("request-lookup-failures", address, minutes * 60)
        raise tk.NotAuthorized(WRONG_CODE)
    return request


def resolve(context: Context, data_dict: dict[str, Any]) -> tuple[Request, str]:
    """The request and the caller's role, kept in the context so the auth
    function and the action look it up (and count a wrong code) once."""
    if "nanjing_request" in context:
        return context["nanjing_request"], context["nanjing_request_role"]
    number = str(data_dict.get("number") or "").strip()
    code = str(data_dict.get("code") or data_dict.get("lookup_code") or "").strip()
    if number and code:
        request, role = _by_code(number, code), "applicant"
    else:
        identifier = str(data_dict.get("id") or "").strip()
        request = model.Session.get(Request, identifier) if identifier else None
        role = role_of(context, request) if request is not None else None
        if request is None or role is None:
            # The same answer for a request that does not exist.
            raise tk.NotAuthorized("只有办理机关、公开办审核人员和申请人本人可以查看该申请")
    context["nanjing_request"], context["nanjing_request_role"] = request, role
    return request, role
