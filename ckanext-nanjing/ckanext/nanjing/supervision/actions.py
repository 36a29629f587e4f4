"""The Action API of the yearly report."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from ..requests import access as request_access
from . import access, report, summary

__all__ = ["nanjing_annual_report", "nanjing_supervision_summary", "nanjing_disclosure_overview"]

# 《政府信息公开条例》 came into force on 1 May 2008: the first reports are for 2008.
FIRST_YEAR = 2008


def _today() -> datetime.date:
    return datetime.date.today()


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


@tk.side_effect_free
def nanjing_annual_report(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The yearly report of `organization` (name or id, or `city` for every
    body summed) for `year` (default: last year): tables 三 and 四 with their
    official row and column labels, the fees of section 六, and the result of
    each check printed on the tables. A year not yet over is counted as at
    today."""
    tk.check_access("nanjing_annual_report", context, data_dict)
    scope = access.resolve(context.get("user"), data_dict.get("organization"))
    today = _today()
    year = report_year(data_dict.get("year"), today)
    answer = report.build(scope.organization_ids, year)
    answer["organization"] = scope.as_dict()
    answer["as_of"] = min(today, datetime.date(year, 12, 31)).isoformat()
    answer["complete"] = year < today.year
    answer["sections"] = [{"key": key, "title": title} for key, title in report.SECTIONS]
    return answer


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
    handled = request_access.handled_organizations(context.get("user"))
    if organization and organization != access.CITY and handled is not None:
        org = model.Group.get(organization)
        if org is None or org.id not in handled:
            raise tk.NotAuthorized("只能查看本部门的监督考核数据")
    return summary.summary(handled, organization, month)


@tk.side_effect_free
def nanjing_disclosure_overview(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The public headline figures of every body (公开情况): catalog entries,
    open datasets, policies, requests received and replied, and the
    completeness and on-time rates, for `month` (default the latest)."""
    tk.check_access("nanjing_disclosure_overview", context, data_dict)
    return summary.public_overview(_month(data_dict.get("month")))
