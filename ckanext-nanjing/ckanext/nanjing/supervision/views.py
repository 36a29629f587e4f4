"""The yearly report's page (年度报告) and its PDF and DOCX: the figures come
from `nanjing_annual_report`, so the page, the files and the API agree."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import json

from flask import Blueprint, make_response
from markupsafe import Markup

import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import roles, spreadsheets
from . import access, dashboard as tables, document, summary, weights
from .model import Figures

__all__ = ["nanjing_supervision"]

nanjing_supervision = Blueprint("nanjing_supervision", __name__)


def _user() -> str:
    return tk.current_user.name if tk.current_user.is_authenticated else ""


def _choices(user: str) -> list[dict[str, str]]:
    """The bodies whose report the user may read (and the city, for reviewers)."""
    handled = roles.steward_organizations(user)
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


def _status(error: Exception) -> int:
    return {tk.ObjectNotFound: 404, tk.NotAuthorized: 403}.get(type(error), 400)


def _report(organization: str, year: Any) -> dict[str, Any]:
    return tk.get_action("nanjing_annual_report")(
        {"user": _user()}, {"organization": organization, "year": year})


def _report_page(organization: str, year: str, *, form: dict[str, str] | None = None,
                 form_errors: dict[str, list[str]] | None = None, status: int = 200):
    choices = _choices(_user())
    organization = organization or (choices[0]["name"] if choices else "")
    extra: dict[str, Any] = {"choices": choices, "organization": organization, "year": year,
                             "report": None, "error": None, "form": form,
                             "form_errors": form_errors}
    if not choices:
        extra["error"] = "您不是任何机关的工作人员，没有可以查看的年度报告"
        status = 403
    else:
        try:
            extra["report"] = _report(organization, year or None)
            extra["title"] = document.title(extra["report"])
        except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as error:
            extra["error"] = _message(error)
            status = _status(error)
    response = make_response(tk.render("nanjing/supervision/report.html", extra), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def report():
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.url_for("nanjing_supervision.report"))
    args = tk.request.args
    return _report_page(args.get("organization", "").strip()[:100],
                        args.get("year", "").strip()[:10])


def _errors(error: Exception) -> dict[str, list[str]]:
    if isinstance(error, tk.ValidationError):
        return {key: [str(m) for m in (messages if isinstance(messages, list) else [messages])]
                for key, messages in error.error_dict.items()}
    return {"organization": [_message(error)]}


# The fields of the report's form (entries.FIGURES, entries.TEXTS, the source).
_FORM_FIELDS = ("licensing", "penalty", "enforcement", "charges", "figures_source",
                "overview", "problems", "other")


def report_edit():
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.url_for("nanjing_supervision.report"))
    posted = tk.request.form
    organization = posted.get("organization", "").strip()[:100]
    year = posted.get("year", "").strip()[:10]
    # What was typed is shown again as typed when it is refused.
    form = {key: posted[key] for key in _FORM_FIELDS if key in posted}
    try:
        tk.get_action("nanjing_annual_report_entry_update")(
            {"user": _user()}, {"organization": organization, "year": year, **form})
    except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as error:
        return _report_page(organization, year, form=form, form_errors=_errors(error),
                            status=_status(error))
    tk.h.flash_success("已保存年度报告内容")
    return tk.redirect_to("nanjing_supervision.report", organization=organization, year=year)


def report_publish():
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.url_for("nanjing_supervision.report"))
    organization = tk.request.form.get("organization", "").strip()[:100]
    year = tk.request.form.get("year", "").strip()[:10]
    try:
        published = tk.get_action("nanjing_annual_report_publish")(
            {"user": _user()}, {"organization": organization, "year": year})
    except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as error:
        return _report_page(organization, year, form_errors=_errors(error),
                            status=_status(error))
    tk.h.flash_success(f"年度报告已发布（{published['published']}），"
                       f"发布期限 {published['deadline']}")
    return tk.redirect_to("nanjing_supervision.report", organization=organization, year=year)


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
nanjing_supervision.add_url_rule("/supervision/report/edit", view_func=report_edit,
                                 methods=["POST"])
nanjing_supervision.add_url_rule("/supervision/report/publish", view_func=report_publish,
                                 methods=["POST"])
nanjing_supervision.add_url_rule("/supervision/report/<organization>/<year>.<fmt>",
                                 view_func=report_file)


def _summary(args) -> dict[str, Any]:
    return tk.get_action("nanjing_supervision_summary")(
        {"user": _user()}, {"organization": args.get("organization", "")[:200],
                            "month": args.get("month", "")[:20]})


def _chart_data(answer: dict[str, Any]) -> Markup:
    detail = answer.get("detail") or {}
    data = {
        "ranking": [{"title": b["organization"]["title"], "points": b["score"]["points"]}
                    for b in answer["departments"] if b["score"]["points"] is not None],
        "indicators": [{"label": label,
                        "percent": tables.percent(detail["indicators"][key]["ratio"])}
                       for key, label in weights.INDICATORS.items()] if detail else [],
        "detail_title": detail.get("organization", {}).get("title", ""),
        "trend": answer["trend"],
    }
    # Inside <script>: no "</script>" can close it early.
    return Markup(json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"))


def _months() -> list[str]:
    return [month for (month,) in model.Session.query(Figures.month).distinct()
            .order_by(Figures.month.desc()).limit(36)]


def index():
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.url_for("nanjing_supervision.index"))
    extra: dict[str, Any] = {"answer": None, "error": None, "weights_error": None,
                             "list_titles": summary.LIST_TITLES,
                             "access_overdue_title": tables.ACCESS_OVERDUE_TITLE,
                             "indicator_labels": weights.INDICATORS,
                             "organization": tk.request.args.get("organization", "")[:200]}
    status = 200
    try:
        answer = _summary(tk.request.args)
        extra.update(answer=answer, chart_data=_chart_data(answer), months=_months(),
                     ranking=tables.ranking_table(answer), posts=tables.posts_table(answer),
                     access=tables.access_table(answer), health=tables.health_table(answer),
                     interaction=tables.interaction_table(answer))
    except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as error:
        extra["error"], status = _message(error), _status(error)
    try:
        weights.load()
    except weights.WeightsError as error:
        extra["weights_error"] = str(error)
    response = make_response(tk.render("nanjing/supervision/dashboard.html", extra), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _table_response(title: str, header: list[str], rows: list[list[Any]], fmt: str,
                    filename: str):
    if fmt == "csv":
        body, kind = spreadsheets.table_csv(header, rows), spreadsheets.FORMATS["csv"]
    else:
        body, kind = spreadsheets.table_xlsx(title, header, rows), spreadsheets.FORMATS["xlsx"]
    response = make_response(body)
    response.headers["Content-Type"] = kind
    response.headers["Content-Disposition"] = (
        f"attachment; filename={filename}.{fmt}; filename*=UTF-8''{quote(title)}.{fmt}")
    return response


def export(table: str, fmt: str):
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.url_for("nanjing_supervision.index"))
    if fmt not in ("csv", "xlsx") or table not in tables.TABLES:
        return tk.abort(404, "没有这张表或这种格式（可下载 CSV 或 XLSX）")
    try:
        answer = _summary(tk.request.args)
    except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as error:
        return tk.abort(_status(error), _message(error))
    if table == "ranking":
        title = f"监督考核排名（{answer['month'] or '尚未计算'}）"
        header, rows = tables.ranking_table(answer)
    elif table == "health":
        title = f"网站检查（{answer['month'] or '尚未计算'}）"
        header, rows = tables.health_table(answer)
    elif table == "access":
        title = f"有条件开放数据申请与授权（{answer['month'] or '尚未计算'}，本年累计）"
        header, rows = tables.access_table(answer)
    elif table == "interaction":
        title = f"互动交流办理情况（{answer['month'] or '尚未计算'}）"
        header, rows = tables.interaction_table(answer)
    else:
        if not answer.get("detail"):
            return tk.abort(404, "请先选择部门")
        body = answer["detail"]["organization"]["title"]
        if table == "posts":
            title = f"{body}各岗位情况（{answer['month']}）"
            header, rows = tables.posts_table(answer)
        else:
            title = f"{body}{summary.LIST_TITLES.get(table) or tables.ACCESS_OVERDUE_TITLE}"
            header, rows = tables.list_table(answer, table)
    response = _table_response(title, header, rows, fmt, f"supervision-{table}")
    response.headers["Cache-Control"] = "no-store"
    return response


def openness():
    try:
        month = summary.MONTH.match(tk.request.args.get("month", "")[:7] or "")
        overview = tk.get_action("nanjing_disclosure_overview")(
            {"user": _user()}, {"month": month.group(0) if month else None})
    except tk.ValidationError as error:
        return tk.abort(400, _message(error))
    return tk.render("nanjing/supervision/openness.html",
                     {"overview": overview, "table": tables.overview_table(overview)})


def openness_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        return tk.abort(404, "可下载 CSV 或 XLSX")
    overview = tk.get_action("nanjing_disclosure_overview")({"user": _user()}, {})
    header, rows = tables.overview_table(overview)
    return _table_response(f"政务公开情况（{overview['month'] or '尚未计算'}）", header, rows, fmt,
                           "openness")


nanjing_supervision.add_url_rule("/supervision", view_func=index)
nanjing_supervision.add_url_rule("/supervision/export/<table>.<fmt>", view_func=export)
nanjing_supervision.add_url_rule("/openness", view_func=openness)
nanjing_supervision.add_url_rule("/openness/export.<fmt>", view_func=openness_export)
