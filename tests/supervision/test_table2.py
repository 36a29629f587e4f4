"""Table 二's rules and normative documents, counted from the platform's
published policy documents. The figures were worked out by hand."""
from __future__ import annotations

import datetime

import pytest

from ckanext.nanjing.supervision.tables import DocumentFacts, table2_documents

D = datetime.date


def _doc(kind, issued, validity="in_force", repealed=None, name="doc"):
    return DocumentFacts(kind=kind, name=name, title=name, issued=issued,
                         validity=validity, repealed=repealed)


def test_issued_repealed_and_in_force_by_hand():
    documents = [
        _doc("rule", D(2026, 2, 1)),                                    # issued, in force
        _doc("rule", D(2019, 5, 1), "repealed", D(2026, 8, 1)),         # repealed this year
        _doc("normative", D(2024, 1, 1)),                               # in force
        _doc("normative", D(2026, 3, 1), "expired", D(2026, 11, 30)),   # issued and expired
        _doc("normative", D(2023, 1, 1), "repealed", D(2025, 6, 1)),    # gone before the year
        _doc("normative", D(2027, 1, 5)),                               # next year's
        _doc("normative", D(2022, 1, 1), "in_force", D(2026, 5, 1)),    # a date but in force
        _doc("other", D(2026, 1, 1)),                                   # not counted
    ]
    table, problems = table2_documents(documents, 2026)
    assert table == {"rule": {"issued": 1, "repealed": 1, "in_force": 1},
                     "normative": {"issued": 1, "repealed": 1, "in_force": 2}}
    assert problems == []


def test_records_that_cannot_be_counted_are_named():
    documents = [_doc("rule", None, name="no-date"),
                 _doc("normative", D(2020, 1, 1), "repealed", None, name="no-repeal-date"),
                 _doc("normative", D(2020, 1, 1), "repealed", D(2019, 1, 1), name="backwards")]
    table, problems = table2_documents(documents, 2026)
    assert table["rule"] == {"issued": 0, "repealed": 0, "in_force": 0}
    # Repealed without a date: still counted in force, and said so.
    assert table["normative"]["in_force"] == 1
    assert len(problems) == 3
    assert "（no-date）没有成文日期" in problems[0]
    assert "（no-repeal-date）已废止或失效但没有废止日期" in problems[1]
    assert "（backwards）的废止日期早于成文日期" in problems[2]


@pytest.mark.usefixtures("people")
def test_the_report_counts_published_documents_of_the_body(api):
    for name, kind, issued, extra in [
            ("fgw-rule", "rule", "2026-04-01", {}),
            ("fgw-normative-old", "normative", "2021-02-01",
             {"validity": "repealed", "repealed_date": "2026-09-30"}),
            ("fgw-notice", "other", "2026-05-01", {}),
            ("fgw-draft", "normative", "2026-06-01", {"private": True}),
            ("czj-normative", "normative", "2026-01-10", {"owner_org": "nanjing-czj"})]:
        data = {"type": "policy_document", "name": name, "title": f"文件 {name}",
                "owner_org": "nanjing-fgw", "document_kind": kind, "issued_date": issued,
                "notes": "正文。", "private": False, **extra}
        answer = api("package_create", **data)
        assert answer["success"], answer
    report = api("nanjing_annual_report", organization="nanjing-fgw", year=2026)["result"]
    rows = {row["key"]: row["cells"] for row in report["table2"]["documents"]["rows"]}
    assert rows == {"rule": {"issued": 1, "repealed": 0, "in_force": 1},
                    "normative": {"issued": 0, "repealed": 1, "in_force": 0}}
    documents_check = next(c for c in report["checks"] if c["key"] == "documents")
    assert documents_check["passed"] is True
    decisions = [row["label"] for row in report["table2"]["decisions"]]
    assert decisions == ["行政许可", "行政处罚", "行政强制", "行政事业性收费"]
    assert all(row["value"] is None for row in report["table2"]["decisions"])

    city = api("nanjing_annual_report", organization="city", year=2026)["result"]
    city_rows = {row["key"]: row["cells"] for row in city["table2"]["documents"]["rows"]}
    assert city_rows["normative"] == {"issued": 1, "repealed": 1, "in_force": 1}
