"""The Action API of the yearly report."""
from __future__ import annotations

import datetime
import io
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from werkzeug.datastructures import FileStorage

from .. import localtime, roles
from . import access, document, entries, report, summary
from .model import CITY_KEY

__all__ = ["nanjing_annual_report", "nanjing_annual_report_entry_update",
           "nanjing_annual_report_publish", "nanjing_supervision_summary",
           "nanjing_disclosure_overview"]

# 《政府信息公开条例》 came into force on 1 May 2008: the first reports are for 2008.
FIRST_YEAR = 2008


def report_year(value: Any, today: datetime.date) -> int:
    """The report's year; by default last year's, the one due this spring."""
    if value in (None, ""):
        return today.year - 1
    if isinstance(value, bool):
        raise tk.ValidationError({"year": ["年度应为四位数年份，如 2025"]})
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise tk.ValidationError({"year": ["年度应为四位数年份，如 2025"]})
    if year > today.year:
        raise tk.ValidationError({"year": [f"{year} 年尚未到来，不能生成年度报告"]})
    if year < FIRST_YEAR:
        raise tk.ValidationError({"year": ["《政府信息公开条例》自 2008 年施行，年度应不早于 2008"]})
    return year


def _key(scope: access.Scope) -> str:
    return CITY_KEY if scope.organization is None else scope.organization.id


def _publication(scope: access.Scope, year: int, today: datetime.date) -> dict[str, Any]:
    """When the report is due (条例第五十条) and what it was published as."""
    title = scope.as_dict()["title"]
    due = entries.deadline(year, title, city=scope.organization is None)
    entry = entries.find(_key(scope), year)
    package = model.Package.get(entry.published_package_id) \
        if entry and entry.published_package_id else None
    if package is not None and package.state != "active":
        package = None
    published = (localtime.date_of(entry.published)
                 if package is not None and entry.published else None)
    if published:
        status = "published_late" if published > due else "published"
    elif year >= today.year:
        status = "not_due"
    else:
        status = "overdue" if today > due else "due"
    return {"deadline": due.isoformat(), "status": status,
            "published": published.isoformat() if published else None,
            "package": {"id": package.id, "name": package.name,
                        "url": f"/{package.type}/{package.name}"} if package else None}


def _report(scope: access.Scope, year: int, today: datetime.date) -> dict[str, Any]:
    answer = report.build(scope.organization_ids, year)
    answer["organization"] = scope.as_dict()
    answer["as_of"] = min(today, datetime.date(year, 12, 31)).isoformat()
    answer["complete"] = year < today.year
    answer["sections"] = [{"key": key, "title": title} for key, title in report.SECTIONS]
    answer["texts"] = entries.texts_of(_key(scope), year)
    answer["unfilled"] = entries.unfilled(answer, city=scope.organization is None)
    answer["publication"] = _publication(scope, year, today)
    return answer


@tk.side_effect_free
def nanjing_annual_report(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The yearly report of `organization` (name or id, or `city` for every
    body summed) for `year` (default: last year): tables 二, 三 and 四 with
    their official row and column labels (table 二's decision counts and
    fees as the body entered them, with their source), the text of sections
    一, 五 and 六, the fees of section 六, the result of each check printed
    on the tables, what is still to be written (`unfilled`), and when it is
    due and whether it was published (`publication`). A year not yet over
    is counted as at today."""
    tk.check_access("nanjing_annual_report", context, data_dict)
    scope = access.resolve(context.get("user"), data_dict.get("organization"))
    today = localtime.today()
    return _report(scope, report_year(data_dict.get("year"), today), today)


def nanjing_annual_report_entry_update(context: Context, data_dict: dict[str, Any]
                                       ) -> dict[str, Any]:
    """Write what the platform does not hold into the yearly report of
    `organization` for `year`: table 二's `licensing`, `penalty` and
    `enforcement` (decision counts), `charges` (fee income in 万元, up to
    four places) and `figures_source` (where they come from, e.g. the
    licensing system); and the text of sections 一 (`overview`), 五
    (`problems`) and 六 (`other`). Fields not given stay as they are; an
    empty one is cleared. The city (`city`, reviewers) has only its text.
    Returns the report."""
    tk.check_access("nanjing_annual_report_entry_update", context, data_dict)
    scope = access.resolve(context.get("user"), data_dict.get("organization"))
    today = localtime.today()
    year = report_year(data_dict.get("year"), today)
    changes = entries.parse(data_dict, city=scope.organization is None)
    user = model.User.get(context.get("user") or "")
    try:
        entries.save(_key(scope), year, changes, user.id if user else None)
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        raise
    return _report(scope, year, today)


def _files(answer: dict[str, Any]) -> dict[str, FileStorage]:
    return {fmt.upper(): FileStorage(stream=io.BytesIO(document.content(answer, fmt)),
                                     filename=f"annual-report-{answer['year']}.{fmt}",
                                     content_type=kind)
            for fmt, kind in document.FORMATS.items()}


def _owner(scope: access.Scope) -> model.Group:
    if scope.organization is not None:
        return scope.organization
    name = tk.config.get("ckanext.nanjing.review_organization")
    owner = model.Group.get(name) if name else None
    if owner is None:
        raise tk.ValidationError({"organization": [
            "未配置公开办机构（ckanext.nanjing.review_organization），无法发布全市年度报告"]})
    return owner


def _published_package(scope: access.Scope, year: int, name: str) -> model.Package | None:
    """The report's earlier publication: kept on its entry, or found by its
    name when the entry was not written after it."""
    entry = entries.find(_key(scope), year)
    package = model.Package.get(entry.published_package_id) \
        if entry and entry.published_package_id else None
    package = package or model.Package.get(name)
    owner = _owner(scope)
    if package is None or package.state != "active" or package.type != "policy_document" \
            or package.owner_org != owner.id:
        return None
    return package


def nanjing_annual_report_publish(context: Context, data_dict: dict[str, Any]
                                  ) -> dict[str, Any]:
    """Publish the finished yearly report of `organization` for `year` as a
    `policy_document` of kind 年度报告, its PDF and DOCX attached, in one
    step; publishing again replaces them. Refused while the year is not
    over, a check on the tables fails, or something is still unwritten."""
    tk.check_access("nanjing_annual_report_publish", context, data_dict)
    scope = access.resolve(context.get("user"), data_dict.get("organization"))
    today = localtime.today()
    year = report_year(data_dict.get("year"), today)
    if year >= today.year:
        raise tk.ValidationError({"year": [f"{year} 年尚未结束，年度报告应在次年发布"]})
    answer = _report(scope, year, today)
    failed = [check["label"] for check in answer["checks"] if not check["passed"]]
    if failed:
        raise tk.ValidationError({"checks": [
            f"表内核对未通过（{'；'.join(failed)}），请核实记录后再发布"]})
    if answer["unfilled"]:
        raise tk.ValidationError({"unfilled": ["发布前请填写：" + "、".join(answer["unfilled"])]})
    owner = _owner(scope)
    letter = document.render(answer)
    name = f"annual-report-{year}-{scope.as_dict()['name']}"[:100].lower()
    fields = {"title": letter.title, "notes": letter.text, "document_kind": "annual_report",
              "issued_date": today.isoformat(), "validity": "in_force"}
    user = {"user": context.get("user")}
    files = _files(answer)
    package = _published_package(scope, year, name)
    if package is not None:
        current = tk.get_action("package_patch")(dict(user), {"id": package.id, **fields})
        by_format = {r["format"].upper(): r for r in current["resources"]}
        for fmt, upload in files.items():
            resource = {"upload": upload, "url": upload.filename, "format": fmt,
                        "name": f"{letter.title}（{fmt}）"}
            if fmt in by_format:
                tk.get_action("resource_patch")(dict(user), {"id": by_format[fmt]["id"], **resource})
            else:
                tk.get_action("resource_create")(dict(user), {"package_id": package.id, **resource})
        package_id = package.id
    else:
        created = tk.get_action("package_create")(dict(user), {
            "type": "policy_document", "name": name, "owner_org": owner.id, **fields})
        package_id = created["id"]
        try:
            for fmt, upload in files.items():
                tk.get_action("resource_create")(dict(user), {
                    "package_id": package_id, "upload": upload, "url": upload.filename,
                    "format": fmt, "name": f"{letter.title}（{fmt}）"})
        except Exception:
            # No half-published report: without its files it is taken back.
            model.Session.rollback()
            tk.get_action("dataset_purge")({"ignore_auth": True}, {"id": package_id})
            raise
    entry = entries.find(_key(scope), year) or entries.save(_key(scope), year, {}, None)
    entry.published_package_id = package_id
    entry.published = datetime.datetime.utcnow()
    model.Session.commit()
    return _publication(scope, year, today)


def _month(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not summary.MONTH.match(value.strip()):
        raise tk.ValidationError({"month": ["月份应写作 YYYY-MM，如 2026-11"]})
    return value.strip()


def _organization(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 200:
        raise tk.ValidationError({"organization": ["请指定机关（名称或 id），或 city 表示全市汇总"]})
    return value.strip()


@tk.side_effect_free
def nanjing_supervision_summary(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The supervision figures of `month` (YYYY-MM, default the latest
    computed): every body's indicators, score, rank and what cost points
    (`departments`), the city's (`city`, reviewers only), the monthly trend
    of the scores, and the lists of one body (`organization`: name, id or
    `city`) in `detail`. Stewards see their own bodies only. The figures
    are those of the last `ckan nanjing supervise`."""
    tk.check_access("nanjing_supervision_summary", context, data_dict)
    month = _month(data_dict.get("month"))
    organization = _organization(data_dict.get("organization"))
    handled = roles.steward_organizations(context.get("user"))
    if organization and organization != access.CITY and handled is not None:
        org = model.Group.get(organization)
        if org is None or org.id not in handled:
            raise tk.NotAuthorized("只能查看本部门的监督考核数据")
    return summary.summary(handled, organization, month)


@tk.side_effect_free
def nanjing_disclosure_overview(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The public headline figures of every body (公开情况): catalog entries,
    open datasets, policies, requests received, replied and overdue, and the
    completeness and on-time rates, for `month` (default the latest). For
    the latest month the counts are today's (`nanjing_public_figures`,
    requests of this year); for an earlier one, those of its daily run
    (requests of the year before it)."""
    tk.check_access("nanjing_disclosure_overview", context, data_dict)
    latest = summary.latest_month()
    month = _month(data_dict.get("month")) or latest
    live = (tk.get_action("nanjing_public_figures")({"user": ""}, {})
            if month == latest else None)
    return summary.public_overview(month, live)
