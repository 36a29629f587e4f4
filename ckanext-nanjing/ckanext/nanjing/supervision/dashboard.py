"""The rows of the dashboard's tables, shared by the page and its CSV/XLSX
exports, so a downloaded table is the table on the page."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .summary import LIST_TITLES
from .weights import INDICATORS

__all__ = ["percent", "ranking_table", "list_table", "posts_table", "overview_table",
           "access_table", "interaction_table", "health_table", "ACCESS_OVERDUE_TITLE", "TABLES", "HEALTH_COLUMNS"]

TABLES = ("ranking", "posts", "access", "access_overdue", "interaction", "health", *LIST_TITLES)
# Website health (health.py): what a machine can check of 国办秘函〔2019〕19号.
HEALTH_COLUMNS = {"column_freshness": "栏目未按时更新", "empty_columns": "空白栏目",
                  "internal_links": "站内链接失效", "links": "外部链接失效",
                  "interpretation_links": "政策与解读未互链",
                  "service_guides": "办事指南要素不全"}
ACCESS_OVERDUE_TITLE = "逾期未决定的有条件开放数据申请"
# Conditional open data (有条件开放) of the year, per body: the dashboard's columns...
ACCESS_COLUMNS = {"applications": "数据申请", "approved": "同意", "rejected": "不予同意",
                  "withdrawn": "撤回", "pending": "审核中", "median_days": "决定用时中位数（工作日）",
                  "on_time_ratio": "按期决定率（%）", "overdue": "逾期未决定",
                  "active_grants": "有效授权", "reports": "利用情况反馈"}
# ...and those the public page shows.
PUBLIC_ACCESS = ("applications", "approved", "rejected", "median_days", "on_time_ratio",
                 "active_grants", "reports")


def _access_cells(access: dict[str, Any] | None, keys) -> list[Any]:
    if access is None:
        return [None] * len(keys)
    return [percent(access[key]) if key == "on_time_ratio" else access[key] for key in keys]


def access_table(answer: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Every body's conditional open data of the year, and the city's."""
    bodies = answer["departments"] + ([answer["city"]] if answer.get("city") else [])
    return (["部门", *ACCESS_COLUMNS.values()],
            [[body["organization"]["title"], *_access_cells(body.get("access"), ACCESS_COLUMNS)]
             for body in bodies])


# 互动交流 of the month, per body: ranked by the on-time rate, then
# satisfaction, only with enough answers (ckanext.nanjing.interaction.min_sample).
INTERACTION_COLUMNS = {"received": "受理留言", "replied": "已答复", "reply_rate": "答复率（%）",
                       "answers": "本月答复", "on_time_ratio": "按期答复率（%）",
                       "average_days": "平均答复用时（工作日）", "rated": "评价",
                       "satisfaction": "满意率（%）", "overdue": "超期未答复"}
RATIOS = ("reply_rate", "on_time_ratio", "satisfaction")


def interaction_table(answer: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Every body's 互动交流 of the month with its rank, and the city's."""
    bodies = [b for b in answer["departments"] if b.get("interaction")]
    ranked = sorted((b for b in bodies if b["interaction"]["ranked"]),
                    key=lambda b: (-(b["interaction"]["on_time_ratio"] or 0),
                                   -(b["interaction"]["satisfaction"] or 0)))
    ranks = {b["organization"]["name"]: rank for rank, b in enumerate(ranked, 1)}
    least = next((b["interaction"]["min_sample"] for b in bodies), None)
    rows = []
    others = [b for b in bodies if b["organization"]["name"] not in ranks]
    for body in ranked + others + ([answer["city"]]
                                   if (answer.get("city") or {}).get("interaction") else []):
        figures = body["interaction"]
        rank = ranks.get(body["organization"]["name"])
        if rank is None and body is not answer.get("city"):
            rank = f"样本不足（少于 {least} 条答复）"
        rows.append([body["organization"]["title"], rank if rank is not None else "—",
                     *[percent(figures[key]) if key in RATIOS else figures[key]
                       for key in INTERACTION_COLUMNS]])
    return ["部门", "排名", *INTERACTION_COLUMNS.values()], rows


def _health_cell(indicator: dict[str, Any] | None) -> str:
    """“failed / checked”, or “—” when there was nothing to check (or the
    month was computed before the check existed)."""
    if not indicator or not indicator["measured"]:
        return "—"
    return f"{indicator['missed']} / {int(indicator['measured'])}"


def health_table(answer: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Every body's website health checks (failed of checked), and the city's."""
    bodies = answer["departments"] + ([answer["city"]] if answer.get("city") else [])
    return (["部门", *HEALTH_COLUMNS.values()],
            [[body["organization"]["title"],
              *[_health_cell(body["indicators"].get(key)) for key in HEALTH_COLUMNS]]
             for body in bodies])


def percent(ratio: float | None) -> float | None:
    return None if ratio is None else round(ratio * 100, 1)


def ranking_table(answer: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    header = ["排名", "部门", "得分", *INDICATORS.values(), "失分最多的指标"]
    rows = []
    for body in answer["departments"]:
        lost = body["score"]["lost"]
        rows.append([body.get("rank"), body["organization"]["title"], body["score"]["points"],
                     *[percent(body["indicators"][key]["ratio"]) for key in INDICATORS],
                     f"{lost[0]['label']}（-{lost[0]['points']}）" if lost else ""])
    return header, rows


def _absolute(path: str) -> str:
    return tk.config.get("ckan.site_url").rstrip("/") + path if path.startswith("/") else path


def list_table(answer: dict[str, Any], key: str) -> tuple[list[str], list[list[Any]]]:
    """One body's (or the city's) list: an indicator's items, or with
    `access_overdue` its overdue applications for conditional data."""
    detail = answer.get("detail") or {}
    if key == "access_overdue":
        items = (detail.get("access") or {}).get("overdue_items", [])
    else:
        items = detail.get("indicators", {}).get(key, {}).get("items", [])
    header = ["部门", "名称或编号", "标题或资源", "问题", "期限", "地址"]
    rows = [[item.get("organization") or detail["organization"]["title"],
             item.get("name") or item.get("number") or "",
             item.get("resource") or item.get("title") or "",
             item.get("reason") or "", item.get("due") or "",
             _absolute(item.get("url") or "")] for item in items]
    return header, rows


def posts_table(answer: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """One body's figures per post (posts.py)."""
    header = ["经办人员", "发布公开记录", "答复申请", "按期答复", "按期答复率（%）",
              "平均答复用时（工作日）", "逾期未答复"]
    rows = [[post["user"]["title"], post["records"], post["replied"], post["on_time"],
             percent(post["on_time_ratio"]), post["average_reply_days"], post["overdue_open"]]
            for post in (answer.get("detail") or {}).get("posts") or []]
    return header, rows


def overview_table(overview: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    period = "本年" if overview.get("live") else "近一年"
    header = ["部门", "公开目录事项", "其中主动公开", "开放数据集", "政策文件",
              f"收到申请（{period}）", "已答复", "逾期未答复", "目录完整率（%）",
              "主动公开及时率（%）", "数据按期更新率（%）", "申请按期答复率（%）",
              "平均答复用时（工作日）",
              *("有条件开放数据申请" if key == "applications" else ACCESS_COLUMNS[key]
                for key in PUBLIC_ACCESS)]
    bodies = overview["departments"] + ([overview["city"]] if overview["city"] else [])
    rows = [[b["organization"]["title"], b["catalog_entries"], b["proactive_entries"],
             b["open_datasets"], b["policies"], b["requests_received"], b["requests_replied"],
             b["requests_overdue"], percent(b["completeness"]), percent(b["proactive_on_time"]),
             percent(b["datasets_on_time"]), percent(b["requests_on_time"]),
             b["average_reply_days"], *_access_cells(b.get("access"), PUBLIC_ACCESS)]
            for b in bodies]
    return header, rows
