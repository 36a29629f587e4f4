"""Website health: what a machine can check of 国办秘函〔2019〕19号 (政府网站
与政务新媒体检查指标) on the platform's own records, per body, in the daily
run. Each check is an indicator like the others (met over measured, the
failing items listed, exported), shown on the dashboard, not weighted in
the score:

- column freshness (栏目更新): each column of a body (its part of a site
  section) has new content within its limit: 动态、要闻-type columns within
  `ckanext.nanjing.health.news_days` (14), 通知公告 and 政策文件-type ones
  within `ckanext.nanjing.health.notice_days` (183); the site's own 动态
  column (the home page's 最近更新的开放数据) is the city's;
- empty columns (空白栏目): a column every body must fill has nothing public;
- internal links (站内链接): links from a record to a page of the portal,
  each resolved against the site's routes and records; a link to a missing
  or withdrawn record is broken;
- policy ↔ interpretation (解读互链): an interpretation names a public policy
  document, and a policy that names its interpretation is named back;
- 办事指南 elements: every public service guide has each element 19号 lists.
"""
from __future__ import annotations

import dataclasses
import datetime
import re
import urllib.parse
from typing import Callable, Iterable

import ckan.plugins.toolkit as tk

from .. import codelists, identifiers
from .facts import published_on

__all__ = ["HEALTH_KEYS", "COLUMNS", "Column", "GUIDE_ELEMENTS", "column_limit",
           "internal_path", "check_body", "check_site"]

HEALTH_KEYS = ("column_freshness", "empty_columns", "internal_links", "interpretation_links",
               "service_guides")


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    label: str
    dataset_type: str
    kind: str                 # "news" (动态、要闻) or "notice" (通知公告、政策文件)
    required: bool = False    # every body must have content in it


# A body's columns are its part of the site's sections. A column that is
# not required is checked for freshness once the body has published in it.
COLUMNS = (
    Column("gkml", "政务公开目录", "gkml_item", "notice", required=True),
    Column("policies", "政策文件", "policy_document", "notice"),
    Column("interpretations", "政策解读", "policy_interpretation", "notice"),
    Column("open_data", "开放数据", "open_dataset", "notice"),
    Column("services", "办事服务", "service_item", "notice"),
)
# The site's own 动态 column: the home page's 最近更新的开放数据.
SITE_NEWS = Column("site_news", "首页“最近更新的开放数据”", "open_dataset", "news")
KIND_LABELS = {"news": "动态、要闻类栏目", "notice": "通知公告、政策文件类栏目"}

# 办事指南 elements (19号 “办事指南要素完整”), as our service_item fields.
GUIDE_ELEMENTS = (
    ("legal_basis", "设定依据"), ("applicant_scope", "受理范围"),
    ("acceptance_conditions", "申请条件"), ("materials", "申请材料"),
    ("handling_agency", "办理机构"), ("process", "办理流程"),
    ("time_limit_legal", "法定办结时限"), ("fee", "收费标准"),
    ("complaint_phone", "咨询监督电话"),
)

MARKDOWN_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")
BARE_LINK = re.compile(r"https?://[^\s<>()\"'，。；）]+")


def column_limit(kind: str) -> int:
    """Days a column of `kind` may go without new content."""
    if kind == "news":
        return tk.config.get("ckanext.nanjing.health.news_days")
    return tk.config.get("ckanext.nanjing.health.notice_days")


def _freshness(column: Column, packages: list, today: datetime.date, figures, where: str
               ) -> None:
    days = [d for d in (published_on(p) for p in packages) if d]
    if not days:
        return
    newest, limit = max(days), column_limit(column.kind)
    age = (today - newest).days
    figures["column_freshness"].count(age <= limit, {
        "name": column.key, "title": column.label, "url": where,
        "reason": f"最近一次发布于 {newest.isoformat()}，已 {age} 天未更新"
                  f"（{KIND_LABELS[column.kind]}应在 {limit} 天内更新）"})


def _column_page(column: Column, organization: str | None) -> str:
    query = f"?organization={urllib.parse.quote(organization)}" if organization else ""
    return f"/{column.dataset_type}/{query}"


def _links_in(package) -> set[str]:
    """Every link a record's text and fields carry."""
    text = " ".join(str(value or "") for value in (package.notes, *package.extras.values()))
    found = set(MARKDOWN_LINK.findall(text)) | set(BARE_LINK.findall(text))
    return {link.rstrip(".,;") for link in found}


def internal_path(link: str, site_url: str) -> str | None:
    """The path of a link to the portal itself (absolute to site_url, or
    starting with one slash); None for any other link."""
    if link.startswith("/") and not link.startswith("//"):
        return urllib.parse.urlsplit(link).path
    if identifiers.is_web_link(link) and site_url:
        own, other = urllib.parse.urlsplit(site_url), urllib.parse.urlsplit(link)
        if other.netloc.lower() == own.netloc.lower():
            return other.path or "/"
    return None


def _internal_links(package, resolve: Callable[[str], str | None], figures,
                    site_url: str, seen: set) -> None:
    for link in sorted(_links_in(package)):
        path = internal_path(link, site_url)
        if path is None or (package.id, path) in seen:
            continue
        seen.add((package.id, path))
        problem = resolve(path)
        figures["internal_links"].count(problem is None, {
            "name": package.name, "title": package.title,
            "url": f"/{package.type}/{package.name}", "link": link[:300],
            "reason": problem or ""})


def _interpretation_links(package, catalog, figures) -> None:
    item = {"name": package.name, "title": package.title,
            "url": f"/{package.type}/{package.name}"}
    if package.type == "policy_interpretation":
        named = (package.extras.get("policy") or "").strip()
        target = catalog.by_name.get(named)
        problem = ("未写明所解读的政策文件" if not named else
                   f"所解读的政策文件“{named[:60]}”不存在或未公开"
                   if target is None or target.type != "policy_document" else None)
        figures["interpretation_links"].count(problem is None, {**item, "reason": problem or ""})
    elif package.type == "policy_document" and (package.extras.get("interpretation") or "").strip():
        named = package.extras["interpretation"].strip()
        target = catalog.by_name.get(named)
        if target is None or target.type != "policy_interpretation":
            problem = f"关联的政策解读“{named[:60]}”不存在或未公开"
        elif (target.extras.get("policy") or "").strip() not in (package.name, package.id):
            problem = f"关联的政策解读“{target.title}”没有指回本文件"
        else:
            problem = None
        figures["interpretation_links"].count(problem is None, {**item, "reason": problem or ""})


def _service_guide(package, figures) -> None:
    missing = [label for field, label in GUIDE_ELEMENTS
               if not codelists.is_filled(package.extras.get(field))]
    figures["service_guides"].count(not missing, {
        "name": package.name, "title": package.title, "url": f"/service_item/{package.name}",
        "reason": "缺少" + "、".join(missing) if missing else ""})


def check_body(organization: str, packages: Iterable, catalog, figures, today: datetime.date,
               resolve: Callable[[str], str | None]) -> None:
    """Every health check of one body's public records into `figures`."""
    packages = list(packages)
    site_url = tk.config.get("ckan.site_url") or ""
    seen: set = set()
    for column in COLUMNS:
        members = [p for p in packages if p.type == column.dataset_type]
        where = _column_page(column, organization)
        if column.required:
            figures["empty_columns"].count(bool(members), {
                "name": column.key, "title": column.label, "url": where,
                "reason": "栏目没有公开内容（空白栏目）"})
        _freshness(column, members, today, figures, where)
    for package in packages:
        _internal_links(package, resolve, figures, site_url, seen)
        _interpretation_links(package, catalog, figures)
        if package.type == "service_item":
            _service_guide(package, figures)


def check_site(packages: Iterable, today: datetime.date, figures) -> None:
    """The site's own 动态 column, into the city's figures."""
    members = [p for p in packages if p.type == SITE_NEWS.dataset_type]
    _freshness(SITE_NEWS, members, today, figures, "/")
