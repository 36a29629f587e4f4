"""The yearly report (政府信息公开工作年度报告) of one body or of the city:
its tables with their official labels, and the checks printed on them."""
from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Iterable

from . import entries, facts, tables

__all__ = ["SECTIONS", "build", "wan_yuan"]

SECTIONS = tables.SECTIONS


def wan_yuan(yuan: int) -> str:
    """The report states fees in 万元, to four places (1 元 = 0.0001 万元)."""
    return f"{Decimal(yuan) / Decimal(10000):.4f}"


# Table 三's row labels take three columns, as in the official template:
# 三、本年度办理结果 spans its results, （三）不予公开 its numbered reasons.
LABEL_COLUMNS = 3


def _groups(items: list[dict], width: int = 1) -> list[dict]:
    """Consecutive items of one group under one merged heading; an item
    without a group is its own heading."""
    groups: list[dict] = []
    for item in items:
        if item["group"] and groups and groups[-1]["label"] == item["group"]:
            groups[-1]["span"] += width
        else:
            groups.append({"label": item["group"] or item["label"], "span": width,
                           "single": not item["group"]})
    return groups


def _table3_layout(table: dict[str, dict[str, int]]) -> list[dict]:
    """The rows that carry figures, each with its label cells (text, colspan,
    rowspan): a heading row's label is merged down over the rows it heads."""
    rows = tables.TABLE3_ROWS
    layout, pending = [], []
    for index, (key, label, level) in enumerate(rows):
        if key in tables.HEADINGS:
            under = 0
            for below, _label, below_level in rows[index + 1:]:
                if below_level <= level:
                    break
                under += below not in tables.HEADINGS
            pending.append({"text": label, "colspan": 1, "rowspan": under})
            continue
        cells = pending + [{"text": label, "colspan": LABEL_COLUMNS - level, "rowspan": 1}]
        pending = []
        layout.append({"key": key, "labels": cells, "cells": table[key]})
    return layout


def _table3_dict(table: dict[str, dict[str, int]]) -> dict[str, Any]:
    columns = [{"key": key, "label": label, "group": group}
               for key, label, group in tables.COLUMNS]
    return {
        "columns": columns,
        "groups": _groups(columns),
        "label_columns": LABEL_COLUMNS,
        "rows": [{"key": key, "label": label, "level": level, "cells": table.get(key)}
                 for key, label, level in tables.TABLE3_ROWS],
        "layout": _table3_layout(table),
    }


def _table2_dict(documents: dict[str, dict[str, int]],
                 decisions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "documents": {
            "columns": [{"key": key, "label": label}
                        for key, label in tables.TABLE2_DOCUMENT_COLUMNS],
            "rows": [{"key": key, "label": label, "cells": documents[key]}
                     for key, label in tables.TABLE2_DOCUMENT_ROWS],
            "source": "本平台已发布的政策文件（文件类型为规章或行政规范性文件）",
        },
        # Not records of the platform: the body enters them, or its business
        # system sends them (nanjing_annual_report_entry_update).
        "decisions": [{"key": key, "label": label, "column": column, **decisions[key]}
                      for key, label, column in entries.FIGURES],
    }


def _table4_dict(table: dict[str, dict[str, int]]) -> dict[str, Any]:
    kinds = [{"key": key, "label": label, "group": group}
             for key, label, group in tables.TABLE4_KINDS]
    return {
        "kinds": kinds,
        "groups": _groups(kinds, width=len(tables.TABLE4_OUTCOMES)),
        "outcomes": [{"key": key, "label": label} for key, label in tables.TABLE4_OUTCOMES],
        "cells": table,
    }


def _check(key: str, label: str, problems: list[str]) -> dict[str, Any]:
    return {"key": key, "label": label, "passed": not problems, "problems": problems}


def _carry_over_problems(this_year: dict, last_year: dict) -> list[str]:
    problems = []
    for key, label, _group in tables.COLUMNS:
        now, then = this_year["carried_in"][key], last_year["carried_out"][key]
        if now != then:
            problems.append(f"“{label}”列：本年上年结转 {now}，上年结转下年度 {then}")
    return problems


def _sum_problems(table: dict) -> list[str]:
    result_rows = [key for key, _label, level in tables.TABLE3_ROWS
                   if level and key not in tables.HEADINGS and key != "concluded"]
    problems = []
    for key, label, _group in tables.COLUMNS:
        parts = sum(table[row][key] for row in result_rows)
        if parts != table["concluded"][key]:
            problems.append(f"“{label}”列：各项办理结果之和 {parts}，（七）总计 "
                            f"{table['concluded'][key]}")
    return problems


def build(organization_ids: Iterable[str] | None, year: int, *,
          previous_carried_out: dict[str, dict[str, int]] | None = None) -> dict[str, Any]:
    """Tables 二, 三 and 四 and the fees of section 六 for `year`, counted from
    the requests of `organization_ids` (None: every body on the platform).
    `previous_carried_out` is last year's table 三 as published, when there
    is one; otherwise last year's is counted from the same records."""
    ids = None if organization_ids is None else list(organization_ids)
    request_facts = facts.request_facts(ids, datetime.date(year, 12, 31))
    table3 = tables.table3(request_facts, year)
    last_year = previous_carried_out or tables.table3(request_facts, year - 1)
    table4 = tables.table4(facts.appeal_facts(ids, year), year)
    table2, document_problems = tables.table2_documents(facts.document_facts(ids), year)
    yuan, payments = facts.fees_collected(ids, year)
    notices_yuan, notices = facts.fee_notices(ids, year)
    checks = [
        _check("balance", "一 + 二 = 三 + 四（每一列）", tables.balance_problems(table3)),
        _check("results_total", "（七）总计 = 各项办理结果之和", _sum_problems(table3)),
        _check("carried_over", "本年“上年结转” = 上年“结转下年度继续办理”",
               _carry_over_problems(table3, last_year)),
        _check("documents", "表二所计政策文件的日期和效力状态完整", document_problems),
    ]
    return {
        "year": year,
        "table2": _table2_dict(table2, entries.figures_of(ids, year)),
        "table3": _table3_dict(table3),
        "table4": _table4_dict(table4),
        # Section 六 as the template asks: notices sent and their total, and
        # what was actually collected.
        "fees": {"yuan": yuan, "wan_yuan": wan_yuan(yuan), "payments": payments,
                 "notices": notices, "notices_yuan": notices_yuan,
                 "notices_wan_yuan": wan_yuan(notices_yuan)},
        "checks": checks,
        "checks_passed": all(check["passed"] for check in checks),
    }
