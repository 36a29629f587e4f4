"""An unspaced Chinese query is read as its words, through package_search
and the search page; developers' Solr syntax passes unchanged."""
from __future__ import annotations

import pytest

from ckan.tests import factories, helpers

from ckanext.nanjing.catalog.querywords import read_query, split_words

BEDS = "南京市各医院实有床位数统计"
BEDS_NOTES = "全市医疗机构的实有床位数量。"
SANGONG = "南京市市级部门预算“三公”经费表"
BUS = "南京市公共交通线路数据"
BUDGET = "建邺区2026年一般公共预算收支表"
SCATTERED = "建邺区政府信息公开年度报告"
SCATTERED_NOTES = ("报告列明本年度政府信息公开的主动公开、依申请公开、复议诉讼和收费情况，"
                   "并说明存在的主要问题和改进措施。附表另载本级决算数据。")


@pytest.mark.parametrize("typed, read", [
    ("医院床位", '"医院 床位"'),
    ("“三公”经费", "三公 经费"),
    ("重大项目进度", '"重大 项目 进度"'),        # 重大项目 split again: finds 重大建设项目
    ("地表水水质月报", '"地表水 水质 月报"'),    # 月 报 joined: one character matches anything
    ("公交线路 南京", '"公交 线路" 南京'),       # the user's own spaces stay
    ("三公", "三公"),
    ("bus routes", "bus routes"),
    ("320100-05-0001", "320100-05-0001"),
])
def test_free_text_is_read_as_words(typed, read):
    assert split_words(typed) == read


@pytest.mark.parametrize("query", [
    "title:医院床位", '"医院床位"', "医院床位 AND 南京", "医院*", "(医院床位)",
    "{!join from=id to=id}医院床位", "-医院床位", "医院床位^2",
])
def test_solr_syntax_passes_unchanged(query):
    assert read_query({"q": query}) == {"q": query}


def test_a_search_naming_its_parser_is_left_alone():
    assert read_query({"q": "医院床位", "defType": "edismax"}) == {
        "q": "医院床位", "defType": "edismax"}


def test_the_phrase_carries_its_slop_for_dismax():
    assert read_query({"q": "医院床位"}) == {
        "q": '{!dismax qs=30}"医院 床位"', "defType": "lucene"}


def _titles(query: str, **params) -> list[str]:
    found = helpers.call_action("package_search", q=query, rows=50, **params)
    return [dataset["title"] for dataset in found["results"]]


@pytest.fixture
def catalog(clean_db, clean_index):
    org = factories.Organization()
    for title, notes in [(BEDS, BEDS_NOTES), (SANGONG, "因公出国（境）费、公务接待费。"),
                         (BUS, "主城区线路的基础信息。"), (BUDGET, "一般公共预算支出，单位万元。"),
                         (SCATTERED, SCATTERED_NOTES)]:
        factories.Dataset(title=title, notes=notes, owner_org=org["id"])


@pytest.mark.usefixtures("catalog")
def test_words_typed_together_find_a_title_that_has_them_apart():
    assert _titles("医院床位") == [BEDS]
    assert _titles("医院床位", defType="dismax") == []  # CKAN's reading: one exact phrase
    assert _titles("三公经费") == [SANGONG]


@pytest.mark.usefixtures("catalog")
def test_words_far_apart_in_a_record_do_not_make_a_hit():
    # 政府 and 决算 are both in SCATTERED's notes, more than 30 characters apart.
    assert _titles("政府决算") == []


@pytest.mark.usefixtures("catalog")
def test_synonyms_written_in_chinese_take_effect():
    assert _titles("公交") == [BUS]
    assert BUDGET in _titles("预决算")


@pytest.mark.usefixtures("catalog")
def test_the_search_page_reads_the_query_the_same_way(app):
    page = app.get("/dataset/", query_string={"q": "医院床位"})
    assert page.status_code == 200
    assert BEDS in page.body
    assert 'value="医院床位"' in page.body  # the box shows what was typed


@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.parametrize("query", ["医院床位" * 3000, "“”《》（）", "医院}{!dismax", "医 院 床 位" * 500])
def test_hostile_and_huge_queries_are_answered(app, query):
    response = app.get("/api/3/action/package_search", query_string={"q": query})
    assert response.status_code in (200, 409), response.body
    page = app.get("/dataset/", query_string={"q": query})
    assert page.status_code == 200
