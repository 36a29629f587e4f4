"""Chinese full-text search through CKAN against the project's Solr schema."""
from __future__ import annotations

import pytest
import requests

from ckan.lib.search.query import QUERY_FIELDS
from ckan.tests import factories, helpers

from .support import create_stock_ckan_core, drop_core

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


# --- The same searches against CKAN's stock schema, in a core made for the test.

STOCK_CORE = "ckan_stock_probe"


@pytest.fixture
def stock_and_project_cores(ckan_config):
    """Two cores in the running Solr: CKAN's shipped schema and ours, each
    holding the same document, queried the way CKAN queries."""
    project = ckan_config["solr_url"].rstrip("/")
    base = project.rsplit("/", 1)[0]
    create_stock_ckan_core(base, STOCK_CORE)
    stock = f"{base}/{STOCK_CORE}"
    doc = {"id": "probe-bus", "index_id": "probe-bus", "site_id": "stock_probe",
           "name": "probe-bus", "title": BUS, "entity_type": "package",
           "dataset_type": "dataset", "state": "active", "capacity": "public"}
    for core in (stock, project):
        requests.post(f"{core}/update", params={"commit": "true"}, json=[doc],
                      timeout=30).raise_for_status()
    yield stock, project
    requests.post(f"{project}/update", params={"commit": "true"},
                  json={"delete": {"query": "site_id:stock_probe"}}, timeout=30)
    drop_core(base, STOCK_CORE)


def _ckan_style_hits(core: str, query: str) -> int:
    params = {"q": query, "defType": "dismax", "tie": "0.1", "mm": "2<-1 5<80%",
              "qf": QUERY_FIELDS, "q.op": "AND", "fq": "+site_id:stock_probe",
              "rows": 0, "wt": "json"}
    return requests.get(f"{core}/select", params=params, timeout=10).json()["response"]["numFound"]


@pytest.mark.parametrize("query", ["公共交通", "线路"])
def test_stock_ckan_schema_misses_what_ours_finds(stock_and_project_cores, query):
    stock, project = stock_and_project_cores
    assert _ckan_style_hits(stock, query) == 0
    assert _ckan_style_hits(project, query) == 1
    assert _ckan_style_hits(project, "预算") == 0
