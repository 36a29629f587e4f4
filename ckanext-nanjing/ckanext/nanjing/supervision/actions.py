"""The Action API of the yearly report."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from . import access, report

__all__ = ["nanjing_annual_report"]

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
