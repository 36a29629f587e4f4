"""Tables 三 and 四 of the yearly report (国办公开办函〔2021〕30号), counted
from facts about requests: pure functions, so a hand-worked fixture checks
them exactly.

How a request is counted in year Y (README, "The annual report"):
- 一 本年新收: received in Y.
- 二 上年结转: received before Y and not concluded before Y.
- 三 办理结果: concluded in Y, in the row of its result. A reply, or the end
  of a request whose applicant did not correct it or pay, concludes it on
  its reply date; a withdrawal on the day the applicant withdrew, counted as
  （六）3. 其他.
- 四 结转下年度: received by the end of Y and not concluded by then.
So 一 + 二 = 三 + 四 in every column whenever the records are consistent;
a request concluded before it was received breaks it, and the check says so.
"""
from __future__ import annotations

import dataclasses
import datetime
from typing import Iterable

from ..requests import api as requests_api

__all__ = ["RequestFacts", "AppealFacts", "COLUMNS", "TABLE3_ROWS", "TABLE4_KINDS",
           "TABLE4_OUTCOMES", "TABLE2_DOCUMENT_ROWS", "TABLE2_DOCUMENT_COLUMNS", "DocumentFacts",
           "table2_documents", "table3", "table4", "balance_problems", "WITHDRAWN_ROW",
           "SECTIONS"]

# The report's six sections, in the order of the official template.
SECTIONS = [
    ("overview", "一、总体情况"),
    ("proactive", "二、主动公开政府信息情况"),
    ("requests", "三、收到和处理政府信息公开申请情况"),
    ("appeals", "四、政府信息公开行政复议、行政诉讼情况"),
    ("problems", "五、存在的主要问题及改进情况"),
    ("other", "六、其他需要报告的事项"),
]

# Table 三's columns: 自然人 | 法人或其他组织 (five kinds) | 总计.
COLUMNS = [
    ("natural", "自然人", ""),
    ("business", "商业企业", "法人或其他组织"),
    ("research", "科研机构", "法人或其他组织"),
    ("nonprofit", "社会公益组织", "法人或其他组织"),
    ("legal_service", "法律服务机构", "法人或其他组织"),
    ("other", "其他", "法人或其他组织"),
    ("total", "总计", ""),
]
WITHDRAWN_ROW = "other_other"

_GROUP_HEADINGS = {
    "withhold": "（三）不予公开",
    "unable": "（四）无法提供",
    "not_handled": "（五）不予处理",
    "other": "（六）其他处理",
}
_OFFICIAL = {  # where the official wording differs from the reply's label
    "disclose": "（一）予以公开",
    "partial": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
}


def _table3_rows() -> list[tuple[str, str, int]]:
    """(key, label, level): level 0 a main row, 1 a heading or result of
    section 三, 2 a numbered result under a heading. Headings have no figures."""
    rows = [("new", "一、本年新收政府信息公开申请数量", 0),
            ("carried_in", "二、上年结转政府信息公开申请数量", 0),
            ("results", "三、本年度办理结果", 0)]
    numbered: dict[str, int] = {}
    for result in requests_api.RESULTS.values():
        if result.key in _OFFICIAL:
            rows.append((result.key, _OFFICIAL[result.key], 1))
            continue
        if result.group not in numbered:
            numbered[result.group] = 0
            rows.append((f"group_{result.group}", _GROUP_HEADINGS[result.group], 1))
        numbered[result.group] += 1
        rows.append((result.key, f"{numbered[result.group]}．{result.label}", 2))
    rows += [("concluded", "（七）总计", 1),
             ("carried_out", "四、结转下年度继续办理", 0)]
    return rows


TABLE3_ROWS = _table3_rows()
HEADINGS = frozenset(key for key, _label, _level in TABLE3_ROWS
                     if key == "results" or key.startswith("group_"))

TABLE4_KINDS = [("reconsideration", "行政复议", ""),
                ("litigation_direct", "未经复议直接起诉", "行政诉讼"),
                ("litigation_after", "复议后起诉", "行政诉讼")]
TABLE4_OUTCOMES = [("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"),
                   ("pending", "尚未审结"), ("total", "总计")]


@dataclasses.dataclass(frozen=True)
class RequestFacts:
    category: str                       # a key of COLUMNS other than total
    received: datetime.date
    concluded: datetime.date | None     # None: still being handled
    row: str | None                     # the result's key (WITHDRAWN_ROW for a withdrawal)
    number: str = ""


@dataclasses.dataclass(frozen=True)
class DocumentFacts:
    kind: str                           # rule | normative
    name: str
    title: str
    issued: datetime.date | None
    validity: str                       # in_force | repealed | expired
    repealed: datetime.date | None


@dataclasses.dataclass(frozen=True)
class AppealFacts:
    kind: str
    outcome: str
    filed: datetime.date
    decided: datetime.date | None


def _empty() -> dict[str, int]:
    return {key: 0 for key, _label, _group in COLUMNS}


def _add(cells: dict[str, int], category: str) -> None:
    cells[category] += 1
    cells["total"] += 1


def table3(facts: Iterable[RequestFacts], year: int) -> dict[str, dict[str, int]]:
    """Row key → column key → count (headings have no cells)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    table = {key: _empty() for key, _label, _level in TABLE3_ROWS if key not in HEADINGS}
    for fact in facts:
        if first <= fact.received <= last:
            _add(table["new"], fact.category)
        open_at_start = fact.concluded is None or fact.concluded >= first
        if fact.received < first and open_at_start:
            _add(table["carried_in"], fact.category)
        if fact.concluded is not None and first <= fact.concluded <= last:
            _add(table[fact.row or WITHDRAWN_ROW], fact.category)
            _add(table["concluded"], fact.category)
        if fact.received <= last and (fact.concluded is None or fact.concluded > last):
            _add(table["carried_out"], fact.category)
    return table


def table4(appeals: Iterable[AppealFacts], year: int) -> dict[str, dict[str, int]]:
    """Kind → outcome → count, for the cases filed in `year`, each with the
    outcome it had at the end of that year (not decided by then: 尚未审结)."""
    last = datetime.date(year, 12, 31)
    table = {kind: {outcome: 0 for outcome, _label in TABLE4_OUTCOMES}
             for kind, _label, _group in TABLE4_KINDS}
    for appeal in appeals:
        if appeal.filed.year != year or appeal.kind not in table:
            continue
        decided = appeal.decided is not None and appeal.decided <= last
        outcome = appeal.outcome if decided and appeal.outcome != "pending" else "pending"
        table[appeal.kind][outcome] += 1
        table[appeal.kind]["total"] += 1
    return table


TABLE2_DOCUMENT_ROWS = [("rule", "规章"), ("normative", "行政规范性文件")]
TABLE2_DOCUMENT_COLUMNS = [("issued", "本年制发件数"), ("repealed", "本年废止件数"),
                           ("in_force", "现行有效件数")]


def table2_documents(documents: Iterable[DocumentFacts], year: int
                     ) -> tuple[dict[str, dict[str, int]], list[str]]:
    """Kind → column → count, and the records that cannot be counted, each
    as a sentence: 制发 issued in `year`; 废止 repealed or expired in `year`;
    现行有效 issued by the end of `year` and not repealed by then."""
    last = datetime.date(year, 12, 31)
    table = {kind: {column: 0 for column, _label in TABLE2_DOCUMENT_COLUMNS}
             for kind, _label in TABLE2_DOCUMENT_ROWS}
    problems = []
    for doc in documents:
        if doc.kind not in table:
            continue
        if doc.issued is None:
            problems.append(f"《{doc.title}》（{doc.name}）没有成文日期，未计入")
            continue
        ended = doc.validity in ("repealed", "expired")
        if ended and doc.repealed is None:
            problems.append(f"《{doc.title}》（{doc.name}）已废止或失效但没有废止日期，"
                            f"按现行有效计")
        if doc.repealed is not None and doc.repealed < doc.issued:
            problems.append(f"《{doc.title}》（{doc.name}）的废止日期早于成文日期")
        repealed = doc.repealed if ended else None
        cells = table[doc.kind]
        if doc.issued.year == year:
            cells["issued"] += 1
        if repealed is not None and repealed.year == year:
            cells["repealed"] += 1
        if doc.issued <= last and (repealed is None or repealed > last):
            cells["in_force"] += 1
    return table, problems


def balance_problems(table: dict[str, dict[str, int]]) -> list[str]:
    """The columns where 一 + 二 ≠ 三（七） + 四, each as a sentence."""
    problems = []
    for key, label, _group in COLUMNS:
        incoming = table["new"][key] + table["carried_in"][key]
        outgoing = table["concluded"][key] + table["carried_out"][key]
        if incoming != outgoing:
            problems.append(f"“{label}”列：一 + 二 = {incoming}，三 + 四 = {outgoing}")
    return problems
