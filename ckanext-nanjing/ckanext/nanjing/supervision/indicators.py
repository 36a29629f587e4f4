"""The supervision indicators of every body, each defined here once (README,
“监督考核”) and read from the platform's own records: the catalog entries,
datasets, policies and their interpretations, the gate's verdicts, the link
checks and the requests. Each indicator is a count of what met it over a
count of what it measures, so the city's figure is the sum of its bodies'
and a body with nothing to measure has none (`ratio` None)."""
from __future__ import annotations

import collections
import dataclasses
import datetime
import re
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import selectinload

import ckan.model as model

from .. import codelists, identifiers, localtime, workdays
from ..catalog import api as catalog_api
from ..publishing import api as gate
from ..publishing.api import Validation
from ..requests.api import OPEN_STATES, Request, deadline_dict
from . import health, links, posts as post_figures, quality, routes
from .facts import day_of, published_on

__all__ = ["ART26_DAYS", "FREQUENCY_DAYS", "LIST_LIMIT", "INDICATOR_KEYS", "Indicator", "compute", "linked_urls",
           "local_date", "deadline_days"]

ART26_DAYS = 20                 # 条例 Art. 26: within 20 working days
REQUEST_WINDOW_DAYS = 365       # requests replied in the last year are measured
LIST_LIMIT = 300                # items kept per list and body; the count is kept whole
# uData's rule: last update + the period, and one day of grace.
FREQUENCY_DAYS = {"realtime": 1, "daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92,
                  "yearly": 366}
GRACE = datetime.timedelta(days=1)
DEADLINE_PATTERN = re.compile(r"(\d{1,3})\s*个工作日")


def local_date(moment: datetime.datetime | None) -> datetime.date | None:
    """The platform's date of a stored (UTC) metadata time."""
    return localtime.date_of(moment) if moment else None


def _list(value: Any) -> list[str]:
    """A multiple_text field as stored (a list, or its JSON text), without blanks."""
    return [item.strip() for item in codelists.values_of(value) if item.strip()]


def deadline_days(text: Any) -> int:
    """The working days of an entry's 公开时限 (“自…之日起7个工作日内”), or Art. 26's 20."""
    found = DEADLINE_PATTERN.search(str(text or ""))
    return int(found.group(1)) if found and 0 < int(found.group(1)) <= 365 else ART26_DAYS


@dataclasses.dataclass
class Indicator:
    met: float = 0
    measured: float = 0
    items: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    missed: int = 0  # items that did not meet it (the list may be cut at LIST_LIMIT)

    def count(self, met: bool, item: dict[str, Any] | None = None, weight: float = 1,
              got: float | None = None):
        self.measured += weight
        self.met += weight if got is None and met else (got or 0)
        if not met:
            self.missed += 1
            if item is not None and len(self.items) < LIST_LIMIT:
                self.items.append(item)

    def as_dict(self) -> dict[str, Any]:
        return {"met": round(self.met, 2), "measured": round(self.measured, 2),
                "ratio": round(self.met / self.measured, 4) if self.measured else None,
                "missed": self.missed, "items": self.items}


def _page(package: model.Package) -> str:
    return f"/{package.type}/{package.name}"


class _Catalog:
    """The public records of every body, read once for a run."""

    def __init__(self, today: datetime.date):
        self.today = today
        packages = model.Session.query(model.Package).filter(
            model.Package.state == "active", model.Package.private.is_(False),
            model.Package.type.in_(["gkml_item", "open_dataset", "policy_document",
                                    "policy_interpretation", "service_item"])).all()
        self.packages = packages
        self.by_name = {p.name: p for p in packages}
        self.by_name.update({p.id: p for p in packages})
        ids = [p.id for p in packages]
        self.resources: dict[str, list[model.Resource]] = collections.defaultdict(list)
        self.validation: dict[str, Validation] = {}
        self.tags: dict[str, int] = {}
        if ids:
            for resource in model.Session.query(model.Resource).filter(
                    model.Resource.package_id.in_(ids), model.Resource.state == "active"):
                self.resources[resource.package_id].append(resource)
            self.validation = {row.resource_id: row for row in model.Session.query(
                Validation).filter(Validation.package_id.in_(ids))}
            self.tags = dict(model.Session.query(
                model.PackageTag.package_id, func.count(model.PackageTag.id)).filter(
                model.PackageTag.package_id.in_(ids), model.PackageTag.state == "active"
            ).group_by(model.PackageTag.package_id).all())
        self.interpreted = {p.extras.get("policy") for p in packages
                            if p.type == "policy_interpretation"} - {None, ""}
        self.links = links.verdicts()
        self.licences = set(model.Package.get_license_register().keys())
        self.open_types = frozenset(item["value"] for item in codelists.get("open_types").values)

    def last_update(self, package: model.Package) -> datetime.date | None:
        """The day its data last changed: its newest file, else its metadata."""
        moments = [r.last_modified or r.created for r in self.resources[package.id]]
        moments = [m for m in moments if m]
        return local_date(max(moments) if moments else package.metadata_modified)

    def stale(self, package: model.Package) -> bool | None:
        """Past its 更新周期 (None: not periodic, or not an open dataset)."""
        days = FREQUENCY_DAYS.get(package.extras.get("update_frequency") or "")
        last = self.last_update(package) if days else None
        if not days or last is None:
            return None
        return self.today > last + datetime.timedelta(days=days) + GRACE

    def reachable(self, url: str) -> bool | None:
        """True, False (broken), None (not checked, or the checker was offline)."""
        return self.links.get(url)


def _entry_content(catalog: _Catalog, entry: model.Package) -> tuple[list[str], datetime.date | None]:
    """Why the entry's linked content is missing (empty: some of it is
    there), and the day its content was first public."""
    problems, days, present = [], [], 0
    related = _list(entry.extras.get("related_content"))
    if not related:
        return ["未关联公开内容"], None
    for link in related:
        if identifiers.is_web_link(link):
            # Published with the entry; a link broken since makes the entry
            # incomplete, not late.
            days.append(local_date(entry.metadata_created))
            if catalog.reachable(link) is False:
                problems.append(f"网页无法访问：{link[:120]}（{catalog.links.messages[link]}）")
            else:
                present += 1
            continue
        target = catalog.by_name.get(link)
        if target is None:
            problems.append(f"关联的“{link[:60]}”不存在或未公开")
        elif catalog.stale(target):
            problems.append(f"关联的数据集“{target.title}”已超过更新周期未更新")
        else:
            present += 1
            days.append(published_on(target))
    return [] if present else problems, min((day for day in days if day), default=None)


def _entries(catalog: _Catalog, entry: model.Package, figures: dict[str, Indicator]):
    if entry.extras.get("disclosure_attribute") != "proactive":
        return
    item = {"name": entry.name, "title": entry.title, "url": _page(entry)}
    problems, disclosed = _entry_content(catalog, entry)
    figures["completeness"].count(not problems, {**item, "reason": "；".join(problems)})
    formed = day_of(entry.extras.get("formed_date"))
    if formed is None:
        return
    days = deadline_days(entry.extras.get("disclosure_deadline"))
    due = workdays.add_working_days(formed, days)
    if disclosed is None and catalog.today <= due:
        return  # not due yet
    on_time = disclosed is not None and disclosed <= due
    late = (f"{formed.isoformat()} 形成，应于 {due.isoformat()} 前公开（{days} 个工作日），"
            + (f"{disclosed.isoformat()} 公开" if disclosed else "至今未公开"))
    figures["proactive_timeliness"].count(on_time, {**item, "reason": late, "due": due.isoformat()})


def _dataset_facts(catalog: _Catalog, package: model.Package) -> quality.DatasetFacts:
    resources = []
    for resource in catalog.resources[package.id]:
        row = catalog.validation.get(resource.id)
        uploaded = resource.url_type == "upload"
        resources.append(quality.ResourceFacts(
            url=resource.url or "", uploaded=uploaded, format=resource.format or "",
            mimetype=resource.mimetype or "", size=resource.size,
            reachable=None if uploaded else catalog.reachable(resource.url or ""),
            tabular=row is not None, valid=None if row is None else row.status == gate.VALID))
    # A field holding only blanks or a placeholder (“无”, “-”) is missing.
    extras = {key: value if codelists.is_filled(value) else ""
              for key, value in package.extras.items()}
    licence = package.license_id if codelists.is_filled(package.license_id) else ""
    return quality.DatasetFacts(
        tags=catalog.tags.get(package.id, 0), area=extras.get("area") or "",
        provider_credit_code=extras.get("provider_credit_code") or "",
        update_frequency=extras.get("update_frequency") or "",
        resource_code=extras.get("resource_code") or "", owner_org=package.owner_org or "",
        license_id=licence, known_licence=licence in catalog.licences,
        open_type=extras.get("open_type") or "", open_types=catalog.open_types,
        open_conditions=extras.get("open_conditions") or "",
        release_date=extras.get("release_date") or "",
        modified=package.metadata_modified is not None, resources=resources)


def _datasets(catalog: _Catalog, package: model.Package, figures: dict[str, Indicator],
              linked: dict[str, dict[str, Any]]):
    item = {"name": package.name, "title": package.title, "url": _page(package)}
    stale = catalog.stale(package)
    if stale is not None:
        last = catalog.last_update(package)
        frequency = package.extras.get("update_frequency")
        figures["dataset_timeliness"].count(not stale, {
            **item, "reason": f"最近更新 {last.isoformat()}，更新周期为"
                              f"{codelists.get('update_frequencies').label_of(frequency)}"})
    graded = quality.score(_dataset_facts(catalog, package))
    lost = "、".join(f"{m['label']}（-{m['points']}）" for m in graded["lost"])
    figures["quality"].count(graded["points"] == quality.MAX_POINTS, {
        **item, "points": graded["points"], "band": graded["band"], "reason": lost},
        weight=quality.MAX_POINTS, got=graded["points"])
    for resource in catalog.resources[package.id]:
        row = catalog.validation.get(resource.id)
        where = {**item, "resource": resource.name or resource.id,
                 "url": f"{_page(package)}/resource/{resource.id}"}
        if row is not None and row.status not in (gate.PENDING, gate.RUNNING):
            figures["validation"].count(row.status == gate.VALID, {
                **where, "reason": f"数据校验未通过（{row.error_count or 0} 处问题）"
                if row.status == gate.INVALID else "数据校验出错"})
            if row.status == gate.VALID:
                figures["datastore"].count(row.load_status == gate.LOADED, {
                    **where, "reason": row.load_message or "尚未载入在线查询"})
        if resource.url_type != "upload" and identifiers.is_web_link(resource.url or ""):
            linked.setdefault(resource.url, {**where, "link": resource.url})


def _policies(catalog: _Catalog, package: model.Package, figures: dict[str, Indicator]):
    if not catalog_api.needs_interpretation(
            {"document_kind": package.extras.get("document_kind")}):
        return
    named = package.extras.get("interpretation") or ""
    target = catalog.by_name.get(named)
    has = (target is not None and target.type == "policy_interpretation") \
        or package.name in catalog.interpreted or package.id in catalog.interpreted
    figures["interpretation"].count(has, {"name": package.name, "title": package.title,
                                          "url": _page(package), "reason": "未关联政策解读"})


def _requests(today: datetime.date, figures: dict[str, dict[str, Indicator]],
              counts: dict[str, collections.Counter], totals: dict[str, list[int]],
              posts: post_figures.Posts):
    since = today - datetime.timedelta(days=REQUEST_WINDOW_DAYS)
    query = model.Session.query(Request).options(selectinload(Request.events)).filter(
        (Request.state.in_(list(OPEN_STATES))) | (Request.replied >= since)
        | (Request.received >= since))
    for request in query:
        org = request.organization_id
        if org not in figures:
            continue
        counts[org]["requests_received"] += request.received >= since
        item = {"number": request.number, "url": f"/requests/{request.id}"}
        if request.state in OPEN_STATES:
            counts[org]["requests_open"] += 1
            due = deadline_dict(request, today)
            if due["status"] == "overdue":
                posts.overdue(org, post_figures.last_handler(request))
                figures[org]["request_timeliness"].count(False, {
                    **item, "due": due["due"], "reason": f"已逾期 {-due['days_left']} 个工作日，尚未答复"})
            continue
        if request.state == "withdrawn" or not request.replied or request.replied < since:
            continue
        due = deadline_dict(request, today)
        counts[org]["requests_replied"] += 1
        start = datetime.date.fromisoformat(due["start"])
        days = workdays.working_days_between(start, request.replied)
        totals[org].append(days)
        posts.replied(org, post_figures.reply_actor(request), bool(due["on_time"]), days)
        figures[org]["request_timeliness"].count(bool(due["on_time"]), {
            **item, "due": due["due"], "reason": f"{request.replied.isoformat()} 答复，"
                                                 f"晚于期限 {due['due']}"})


INDICATOR_KEYS = ("completeness", "proactive_timeliness", "dataset_timeliness",
                  "request_timeliness", "interpretation", "quality", "validation", "datastore",
                  "links", *health.HEALTH_KEYS)


def _links(catalog: _Catalog, linked: dict[str, dict[str, Any]], figures: dict[str, Indicator]):
    """Each web address a body links to, counted once however many of its
    records carry it; an address the checker could not judge is left out."""
    for url, item in linked.items():
        verdict = catalog.reachable(url)
        if verdict is not None:
            figures["links"].count(verdict, {**item, "reason": catalog.links.messages.get(url, "")})


def compute(today: datetime.date) -> dict[str, dict[str, Any]]:
    """{organization id: {organization, indicators, counts, average_reply_days}}."""
    organizations = model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active").all()
    figures = {org.id: {key: Indicator() for key in INDICATOR_KEYS} for org in organizations}
    counts: dict[str, collections.Counter] = {org.id: collections.Counter()
                                              for org in organizations}
    catalog = _Catalog(today)
    posts = post_figures.Posts()
    linked: dict[str, dict[str, dict[str, Any]]] = collections.defaultdict(dict)
    owned: dict[str, list[model.Package]] = collections.defaultdict(list)
    for package in catalog.packages:
        org = package.owner_org
        if org not in figures:
            continue
        owned[org].append(package)
        counts[org][package.type] += 1
        posts.record(org, package.creator_user_id)
        if package.type == "gkml_item":
            attribute = package.extras.get("disclosure_attribute") or ""
            counts[org][f"gkml_{attribute}"] += 1
            _entries(catalog, package, figures[org])
            for link in _list(package.extras.get("related_content")):
                if identifiers.is_web_link(link):
                    linked[org].setdefault(link, {"name": package.name, "title": package.title,
                                                  "url": _page(package), "link": link})
        elif package.type == "open_dataset":
            _datasets(catalog, package, figures[org], linked[org])
        elif package.type == "policy_document":
            _policies(catalog, package, figures[org])
    resolve = routes.resolver()
    for org in organizations:
        _links(catalog, linked[org.id], figures[org.id])
        health.check_body(org.name, owned[org.id], catalog, figures[org.id], today, resolve)
    totals: dict[str, list[int]] = collections.defaultdict(list)
    _requests(today, figures, counts, totals, posts)
    answer = {}
    for org in organizations:
        days = totals.get(org.id) or []
        answer[org.id] = {
            "organization": {"id": org.id, "name": org.name, "title": org.title or org.name},
            "indicators": {key: value.as_dict() for key, value in figures[org.id].items()},
            "counts": dict(counts[org.id]),
            "posts": posts.of(org.id),
            "reply_days": {"sum": sum(days), "count": len(days),
                           "average": round(sum(days) / len(days), 1) if days else None},
        }
    return answer


def linked_urls() -> set[str]:
    """Every web address the public records link to: the link checks' list."""
    urls: set[str] = set()
    entries = model.Session.query(model.Package.extras["related_content"]).filter(
        model.Package.type == "gkml_item", model.Package.state == "active",
        model.Package.private.is_(False))
    for (value,) in entries:
        urls.update(link for link in _list(value) if identifiers.is_web_link(link))
    resources = model.Session.query(model.Resource.url).join(
        model.Package, model.Package.id == model.Resource.package_id).filter(
        model.Resource.state == "active", model.Package.state == "active",
        model.Package.private.is_(False),
        (model.Resource.url_type.is_(None)) | (model.Resource.url_type != "upload"))
    urls.update(url for (url,) in resources if url and identifiers.is_web_link(url))
    return urls


def site_health(today: datetime.date, title: str) -> dict[str, Any]:
    """The site's own columns, as one more body for the city's sums (it
    has nothing else to count)."""
    figures = {key: Indicator() for key in INDICATOR_KEYS}
    packages = model.Session.query(model.Package).filter(
        model.Package.state == "active", model.Package.private.is_(False),
        model.Package.type == health.SITE_NEWS.dataset_type)
    health.check_site(packages, today, figures)
    return {"organization": {"id": None, "name": "", "title": title},
            "indicators": {key: value.as_dict() for key, value in figures.items()},
            "counts": {}, "reply_days": {"sum": 0, "count": 0}}
