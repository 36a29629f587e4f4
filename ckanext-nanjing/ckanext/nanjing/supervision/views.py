"""The yearly report's page (年度报告) and its PDF and DOCX: the figures come
from `nanjing_annual_report`, so the page, the files and the API agree."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, make_response

import ckan.model as model
import ckan.plugins.toolkit as tk

from ..requests import access as request_access
from . import access, document

__all__ = ["nanjing_supervision"]

nanjing_supervision = Blueprint("nanjing_supervision", __name__)


def _user() -> str:
    return tk.current_user.name if tk.current_user.is_authenticated else ""


def _choices(user: str) -> list[dict[str, str]]:
    """The bodies whose report the user may read (and the city, for reviewers)."""
    handled = request_access.handled_organizations(user)
    query = model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active")
    if handled is not None:
        query = query.filter(model.Group.id.in_(handled or [""]))
    found = [{"name": org.name, "title": org.title or org.name}
             for org in query.order_by(model.Group.title)]
    if handled is None:
        found.insert(0, {"name": access.CITY,
                         "title": f"{tk.config.get('ckanext.nanjing.supervision.city_title')}（全市汇总）"})
    return found


def _message(error: Exception) -> str:
    if isinstance(error, tk.ValidationError):
        return "；".join(str(message) for messages in error.error_dict.values()
                        for message in (messages if isinstance(messages, list) else [messages]))
    text = str(error).strip()
    return text if text and not text.isascii() else "无法生成年度报告"


def _report(organization: str, year: Any) -> dict[str, Any]:
    return tk.get_action("nanjing_annual_report")(
        {"user": _user()}, {"organization": organization, "year": year})


def report():
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.url_for("nanjing_supervision.report"))
    choices = _choices(_user())
    args = tk.request.args
    organization = args.get("organization", "").strip()[:100] or (
        choices[0]["name"] if choices else "")
    year = args.get("year", "").strip()[:10]
    extra: dict[str, Any] = {"choices": choices, "organization": organization, "year": year,
                             "report": None, "error": None}
    status = 200
    if not choices:
        extra["error"] = "您不是任何机关的工作人员，没有可以查看的年度报告"
        status = 403
    else:
        try:
            extra["report"] = _report(organization, year or None)
            extra["title"] = document.title(extra["report"])
        except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as error:
            extra["error"] = _message(error)
            status = 404 if isinstance(error, tk.ObjectNotFound) else (
                403 if isinstance(error, tk.NotAuthorized) else 400)
    response = make_response(tk.render("nanjing/supervision/report.html", extra), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def report_file(organization: str, year: str, fmt: str):
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.url_for("nanjing_supervision.report"))
    if fmt not in document.FORMATS:
        return tk.abort(404, f"不支持的下载格式：{fmt[:10]}")
    try:
        found = _report(organization, year)
    except tk.ObjectNotFound as error:
        return tk.abort(404, _message(error))
    except tk.NotAuthorized as error:
        return tk.abort(403, _message(error))
    except tk.ValidationError as error:
        return tk.abort(400, _message(error))
    response = make_response(document.content(found, fmt))
    filename = f"{document.title(found)}.{fmt}"
    response.headers["Content-Type"] = document.FORMATS[fmt]
    response.headers["Content-Disposition"] = (
        f"attachment; filename=annual-report.{fmt}; filename*=UTF-8''{quote(filename)}")
    response.headers["Cache-Control"] = "no-store"
    return response


nanjing_supervision.add_url_rule("/supervision/report", view_func=report)
nanjing_supervision.add_url_rule("/supervision/report/<organization>/<year>.<fmt>",
                                 view_func=report_file)
