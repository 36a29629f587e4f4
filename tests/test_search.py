"""Chinese full-text search through CKAN against the project's Solr schema."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

BUS = "南京市公共交通线路数据"
BUDGET = "建邺区2026年一般公共预算收支表"


def _titles(query: str) -> list[str]:
    result = helpers.call_action("package_search", q=query, rows=50)
    return [dataset["title"] for dataset in result["results"]]


@pytest.fixture
def two_datasets(clean_db, clean_index):
    org = factories.Organization()
    factories.Dataset(title=BUS, notes="主城区常规公交线路的基础信息。", owner_org=org["id"])
    factories.Dataset(title=BUDGET, notes="一般公共预算支出，单位万元。", owner_org=org["id"])


@pytest.mark.usefixtures("two_datasets")
@pytest.mark.parametrize("query", ["公共交通", "线路", "南京市公共交通", "公交线路"])
def test_words_inside_an_unspaced_chinese_title_find_it(query):
    assert BUS in _titles(query)


@pytest.mark.usefixtures("two_datasets")
def test_an_unrelated_word_does_not_find_it():
    found = _titles("预算")
    assert BUS not in found
    assert BUDGET in found


@pytest.mark.usefixtures("two_datasets")
def test_search_page_lists_what_the_api_finds(app):
    page = app.get("/dataset/", query_string={"q": "公共交通"})
    assert page.status_code == 200
    assert BUS in page.body
    assert BUDGET not in page.body


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_english_words_are_still_found():
    org = factories.Organization()
    factories.Dataset(title="Nanjing bus routes", notes="Timetables of city buses.",
                      owner_org=org["id"])
    assert "Nanjing bus routes" in _titles("routes")
    assert "Nanjing bus routes" in _titles("timetable")
