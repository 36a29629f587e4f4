"""What the dashboard, its exports and the public page show, read from the
rows `ckan nanjing supervise` keeps (one per body and month)."""
from __future__ import annotations

import json
import re
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from .. import collation
from ..requests import api as requests_api
from .model import CITY_KEY, Figures
from .weights import INDICATORS

__all__ = ["MONTH", "TREND_MONTHS", "latest_month", "summary", "public_overview",
           "LIST_TITLES"]

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
TREND_MONTHS = 12

# The lists that link to what to fix, by indicator.
LIST_TITLES = {
    "completeness": "缺少公开内容的目录事项",
    "proactive_timeliness": "未按时限主动公开的事项",
    "dataset_timeliness": "未按更新周期更新的数据集",
    "request_timeliness": "逾期的依申请公开",
    "interpretation": "未关联解读的政策文件",
    "quality": "元数据质量失分的数据集",
    "validation": "未通过数据校验的表格",
    "datastore": "不能在线查询的表格",
    "links": "无法访问的链接",
    "column_freshness": "未按时更新的栏目",
    "empty_columns": "空白栏目",
    "internal_links": "失效的站内链接",
    "interpretation_links": "政策文件与解读未互相链接",
    "service_guides": "要素不全的办事指南",
}


def latest_month() -> str | None:
    return model.Session.query(Figures.month).order_by(Figures.month.desc()).limit(1).scalar()


def _brief(figures: dict[str, Any]) -> dict[str, Any]:
    """A body's row of the ranking: every figure but the lists."""
    return {**{key: figures.get(key) for key in ("organization", "rank", "score", "counts",
                                                 "reply_days", "link_check")},
            "access": _access_counts(figures), "interaction": figures.get("interaction"),
            "indicators": {key: {k: v for k, v in value.items() if k != "items"}
                           for key, value in figures["indicators"].items()}}


def _access_counts(figures: dict[str, Any]) -> dict[str, Any] | None:
    """Conditional open data's figures without the list of overdue items."""
    access = figures.get("access")
    return None if access is None else {k: v for k, v in access.items() if k != "overdue_items"}


def _trend(keys: list[str], month: str) -> dict[str, Any]:
    rows = model.Session.query(Figures.organization_id, Figures.month, Figures.figures_json
                               ).filter(Figures.organization_id.in_(keys),
                                        Figures.month <= month).order_by(Figures.month).all()
    months = sorted({row.month for row in rows})[-TREND_MONTHS:]
    points: dict[str, dict[str, Any]] = {}
    titles: dict[str, str] = {}
    for key, row_month, text in rows:
        if row_month in months:
            figures = json.loads(text)
            points.setdefault(key, {})[row_month] = figures["score"]["points"]
            titles[key] = figures["organization"]["title"]
    return {"months": months,
            "series": [{"key": key, "title": titles[key],
                        "points": [points[key].get(m) for m in months]} for key in points]}


def summary(handled: list[str] | None, organization: str | None, month: str | None
            ) -> dict[str, Any]:
    """The ranking of the bodies `handled` (None: every body, and the city),
    the monthly trend, and the lists of `organization` (a name, an id or
    `city`; default: the city for reviewers, the one body for a steward)."""
    month = month or latest_month()
    answer: dict[str, Any] = {"month": month, "computed": None, "weights": {},
                              "indicators": INDICATORS, "departments": [], "city": None,
                              "detail": None, "trend": {"months": [], "series": []}}
    if month is None:
        return answer
    query = model.Session.query(Figures).filter(Figures.month == month)
    if handled is not None:
        query = query.filter(Figures.organization_id.in_(handled or [""]))
    rows = {row.organization_id: row.figures for row in query}
    if not rows:
        return answer
    city = rows.pop(CITY_KEY, None)
    departments = sorted(rows.values(), key=lambda f: (f.get("rank") or 10**6,
                                                        f["organization"]["title"]))
    any_row = city or departments[0]
    answer.update(computed=any_row["computed"], today=any_row["today"],
                  weights=any_row["weights"],
                  departments=[_brief(f) for f in departments],
                  city=_brief(city) if city else None)
    by_name = {f["organization"]["name"]: f for f in departments}
    by_name.update({f["organization"]["id"]: f for f in departments})
    if organization in (None, ""):
        detail = city if city else (departments[0] if len(departments) == 1 else None)
    elif organization == CITY_KEY:
        if handled is not None:
            raise tk.NotAuthorized("只有公开办审核人员可以查看全市汇总")
        detail = city
    else:
        detail = by_name.get(organization)
        if detail is None:
            raise tk.ObjectNotFound(f"没有“{organization[:60]}”{month} 的监督考核数据")
    answer["detail"] = detail
    keys = list(rows) + ([CITY_KEY] if city else [])
    answer["trend"] = _trend(keys, month)
    return answer


def _headline(figures: dict[str, Any]) -> dict[str, Any]:
    """A body's public row as the daily run computed it."""
    counts, ind = figures["counts"], figures["indicators"]
    return {"organization": {k: figures["organization"][k] for k in ("name", "title")},
            "catalog_entries": counts.get("gkml_item", 0),
            "proactive_entries": counts.get("gkml_proactive", 0),
            "open_datasets": counts.get("open_dataset", 0),
            "policies": counts.get("policy_document", 0),
            "requests_received": counts.get("requests_received", 0),
            "requests_replied": counts.get("requests_replied", 0),
            "requests_overdue": None,
            "completeness": ind["completeness"]["ratio"],
            "proactive_on_time": ind["proactive_timeliness"]["ratio"],
            "datasets_on_time": ind["dataset_timeliness"]["ratio"],
            "requests_on_time": ind["request_timeliness"]["ratio"],
            "average_reply_days": figures["reply_days"]["average"],
            "access": _access_counts(figures)}


def _blank(organization: dict[str, Any]) -> dict[str, Any]:
    """A body the daily run has not seen yet: counts only, no rates."""
    return {"organization": {"name": organization["name"], "title": organization["title"]},
            **{key: None for key in ("completeness", "proactive_on_time", "datasets_on_time",
                                     "requests_on_time", "average_reply_days", "access",
                                     "requests_received", "requests_replied",
                                     "requests_overdue")}}


def _live_counts(row: dict[str, Any], records: dict[str, Any],
                 requests: dict[str, Any] | None) -> None:
    row.update(catalog_entries=records.get("gkml_item", 0),
               proactive_entries=records.get("gkml_proactive", 0),
               open_datasets=records.get("open_dataset", 0),
               policies=records.get("policy_document", 0))
    if requests is not None:
        row.update(requests_received=requests["received"], requests_replied=requests["answered"],
                   requests_overdue=requests["overdue"], requests_on_time=requests["on_time_ratio"],
                   average_reply_days=requests["reply_days"])


def _by_title(row: dict[str, Any]):
    return collation.pinyin_key(row["organization"]["title"])


def public_overview(month: str | None = None, live: dict[str, Any] | None = None
                    ) -> dict[str, Any]:
    """The headline figures per body that the public page shows: counts and
    rates, no lists and no personal data. With `live` (the answer of
    `nanjing_public_figures`), the counts are today's, the same the home page
    and 依申请公开 show, requests counted for this year; the rates of the
    catalog stay those of the daily run of `month`."""
    month = month or latest_month()
    rows = {} if month is None else {
        row.organization_id: row.figures
        for row in model.Session.query(Figures).filter(Figures.month == month)}
    city = rows.pop(CITY_KEY, None)
    bodies = {f["organization"]["name"]: _headline(f) for f in rows.values()}
    computed = (city or next(iter(rows.values()), None) or {}).get("computed")
    if live is None:
        if not computed:
            return {"month": None, "computed": None, "departments": [], "city": None,
                    "live": False}
        return {"month": month, "computed": computed, "live": False,
                "departments": sorted(bodies.values(), key=_by_title),
                "city": _headline(city) if city else None}
    requests = {row["organization"]["name"]: row for row in live.get("requests") or []}
    for name, organization in list(live["organizations"].items()) + [
            (name, row["organization"]) for name, row in requests.items()]:
        bodies.setdefault(name, _blank(organization))
    for name, row in bodies.items():
        _live_counts(row, live["organizations"].get(name, {}),
                     requests.get(name) if live.get("requests") is not None else None)
    whole = _headline(city) if city else _blank({"name": CITY_KEY, "title": tk.config.get(
        "ckanext.nanjing.supervision.city_title")})
    _live_counts(whole, live["totals"], requests_api.stats_total(list(requests.values()))
                 if live.get("requests") is not None else None)
    return {"month": month, "computed": computed, "live": True,
            "departments": sorted(bodies.values(), key=_by_title),
            "city": whole}
