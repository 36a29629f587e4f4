"""The recomputation of the supervision figures (`ckan nanjing supervise`,
daily by cron or the demo's scheduler): check the links, compute every
body's indicators and score, sum the city's, and keep them as this month's
row of each body. The dashboard and the public page only read these rows."""
from __future__ import annotations

import dataclasses
import datetime
import json
import time
from typing import Any, Callable

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk

from .. import localtime
from ..access import api as access_api
from ..interaction import api as interaction_api
from . import indicators, links, scores, weights as weights_file
from .model import CITY_KEY, Figures

__all__ = ["Outcome", "run", "city"]


@dataclasses.dataclass
class Outcome:
    bodies: int
    links_checked: int
    links_broken: int
    links_unknown: int     # not judged: no server on the internet answered
    seconds: float


def _merge_items(bodies: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    merged = []
    for body in bodies:
        for item in body["indicators"][key]["items"]:
            if len(merged) >= indicators.LIST_LIMIT:
                return merged
            merged.append({**item, "organization": body["organization"]["title"]})
    return merged


def city(bodies: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """Every body summed: its indicators are the sums of theirs."""
    summed: dict[str, Any] = {}
    for key in indicators.INDICATOR_KEYS:
        met = sum(body["indicators"][key]["met"] for body in bodies)
        measured = sum(body["indicators"][key]["measured"] for body in bodies)
        summed[key] = {"met": round(met, 2), "measured": round(measured, 2),
                       "ratio": round(met / measured, 4) if measured else None,
                       "missed": sum(body["indicators"][key]["missed"] for body in bodies),
                       "items": _merge_items(bodies, key)}
    counts: dict[str, int] = {}
    for body in bodies:
        for name, value in body["counts"].items():
            counts[name] = counts.get(name, 0) + value
    days = sum(body["reply_days"]["sum"] for body in bodies)
    replied = sum(body["reply_days"]["count"] for body in bodies)
    return {"organization": {"id": None, "name": CITY_KEY, "title": title},
            "indicators": summed, "counts": counts,
            "reply_days": {"sum": days, "count": replied,
                           "average": round(days / replied, 1) if replied else None}}


def _no_access() -> dict[str, Any] | None:
    return access_api.empty_figures() if plugins.plugin_loaded("nanjing_access") else None


def _conditional_access(today: datetime.date) -> dict[str | None, dict[str, Any]]:
    """Conditional open data of this year per body, when that capability runs."""
    if not plugins.plugin_loaded("nanjing_access"):
        return {}
    return access_api.yearly_figures(today.year, today)


def _no_interaction() -> dict[str, Any] | None:
    return interaction_api.empty_figures() if plugins.plugin_loaded("nanjing_interaction") \
        else None


def _interaction(today: datetime.date) -> dict[str | None, dict[str, Any]]:
    """互动交流 of this month per body, when that capability runs."""
    if not plugins.plugin_loaded("nanjing_interaction"):
        return {}
    return interaction_api.monthly_figures(today)


def _store(key: str, month: str, figures: dict[str, Any], now: datetime.datetime):
    row = model.Session.get(Figures, (key, month)) or Figures(organization_id=key, month=month)
    row.computed, row.figures_json = now, json.dumps(figures, ensure_ascii=False)
    model.Session.add(row)


def run(today: datetime.date | None = None, check_links: bool = True,
        echo: Callable[[str], None] = lambda line: None) -> Outcome:
    """Raises weights.WeightsError before anything changes if the weights
    file is unusable."""
    started = time.monotonic()
    today = today or localtime.today()
    weights = weights_file.load()
    checked = 0
    if check_links:
        urls = indicators.linked_urls()
        echo(f"检查 {len(urls)} 个链接……")
        checked = len(links.check_all(urls))
    verdicts = links.verdicts()
    bodies = list(indicators.compute(today).values())
    now = datetime.datetime.utcnow()
    month = today.strftime("%Y-%m")
    common = {"today": today.isoformat(), "weights": weights,
              "computed": localtime.local(now).isoformat(timespec="seconds"),
              "link_check": {"offline": verdicts.offline, "unknown": verdicts.unknown,
                             "broken": sum(v is False for v in verdicts.by_url.values())}}
    conditional = _conditional_access(today)
    messages = _interaction(today)
    for body in bodies:
        body.update(common, score=scores.score(body["indicators"], weights),
                    access=conditional.get(body["organization"]["id"]) or _no_access(),
                    interaction=messages.get(body["organization"]["id"]) or _no_interaction())
    ranked = sorted((b for b in bodies if b["score"]["points"] is not None),
                    key=lambda b: -b["score"]["points"])
    for rank, body in enumerate(ranked, 1):
        body["rank"] = rank
    for body in bodies:
        _store(body["organization"]["id"], month, body, now)
    title = tk.config.get("ckanext.nanjing.supervision.city_title")
    whole = city([indicators.site_health(today, title), *bodies], title)
    whole.update(common, score=scores.score(whole["indicators"], weights),
                 access=conditional.get(None) or _no_access(),
                 interaction=messages.get(None) or _no_interaction())
    _store(CITY_KEY, month, whole, now)
    model.Session.commit()
    return Outcome(len(bodies), checked, common["link_check"]["broken"], verdicts.unknown,
                   time.monotonic() - started)
