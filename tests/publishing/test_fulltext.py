"""Chinese full text in the DataStore: rows the gate loads (and rows
`datastore_upsert` adds later) are found by `datastore_search?q=` with
Chinese words typed without spaces, through the Action API."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckanext.datastore.backend import postgres as backend
from ckanext.nanjing.publishing import fulltext


LINES = {"fields": [
    {"name": "线路名称", "type": "string", "constraints": {"required": True}},
    {"name": "所在区", "type": "string"},
    {"name": "说明", "type": "string"},
    {"name": "开通年份", "type": "integer"},
]}
CSV = ("线路名称,所在区,说明,开通年份\n"
       "南京市公共交通线路,玄武区,Bus route along Zhongshan Road,2005\n"
       "南京地铁1号线,鼓楼区,Metro Line 1,2005\n"
       "北京市地铁,海淀区,不在本市,1969\n"
       "江宁区 社区巴士,江宁区,“三公”经费公开,2019\n")


@pytest.fixture
def lines(publish_table):
    """A resource of bus and metro lines, validated and loaded by the gate."""
    _, status, body = publish_table("nanjing-lines", "南京市公交线路", LINES, CSV)
    assert status == 200, body
    return body["result"]


def _names(call, resource, **query):
    result = call("datastore_search", resource_id=resource["id"], **query)
    assert result["success"], result
    return [record["线路名称"] for record in result["result"]["records"]]


def test_chinese_words_without_spaces_find_their_rows(call, lines):
    assert sorted(_names(call, lines, q="南京")) == ["南京地铁1号线", "南京市公共交通线路"]
    assert _names(call, lines, q="公共交通") == ["南京市公共交通线路"]
    assert _names(call, lines, q="南京地铁") == ["南京地铁1号线"]
    # Every word must match, in any column of the row.
    assert _names(call, lines, q="地铁 海淀") == ["北京市地铁"]
    assert _names(call, lines, q="上海") == []
    assert _names(call, lines, q="交通南京") == []
    # One character finds the runs it begins or ends.
    assert sorted(_names(call, lines, q="市")) == ["北京市地铁", "南京市公共交通线路"]
    # Punctuation inside a term is no obstacle, full-width digits are digits.
    assert _names(call, lines, q="三公经费") == ["江宁区 社区巴士"]
    assert _names(call, lines, q="１号线") == ["南京地铁1号线"]


def test_english_words_and_numbers_still_match(call, lines):
    assert _names(call, lines, q="metro") == ["南京地铁1号线"]
    # A word finds the longer words it begins, as stemming would (route: routes).
    assert _names(call, lines, q="Zhongshan rout") == ["南京市公共交通线路"]
    assert sorted(_names(call, lines, q="2005")) == ["南京地铁1号线", "南京市公共交通线路"]


def test_ckan_search_parameters_keep_their_meaning(call, lines):
    # q per column: only that column is searched.
    assert _names(call, lines, q={"说明": "地铁"}) == []
    assert _names(call, lines, q={"线路名称": "地铁", "所在区": "鼓楼"}) == ["南京地铁1号线"]
    # full_text with a filter; the rank of each row comes back.
    result = call("datastore_search", resource_id=lines["id"], full_text="南京",
                  filters={"所在区": "玄武区"})["result"]
    assert [r["线路名称"] for r in result["records"]] == ["南京市公共交通线路"]
    assert result["records"][0]["rank"] > 0 and result["total"] == 1
    # plain=false: PostgreSQL's tsquery syntax, with Chinese runs split.
    assert sorted(_names(call, lines, q="地铁 & !北京", plain=False)) == ["南京地铁1号线"]
    assert sorted(_names(call, lines, q="交通 | 海淀", plain=False)) == [
        "北京市地铁", "南京市公共交通线路"]


def test_rows_upserted_later_are_split_the_same_way(call, api, lines, steward):
    result = call("datastore_upsert", steward, resource_id=lines["id"], method="insert", force=True,
                  records=[{"线路名称": "南京长江大桥观光线", "所在区": "浦口区"}])
    assert result["success"], result
    assert _names(call, lines, q="长江大桥") == ["南京长江大桥观光线"]
    assert len(_names(call, lines, q="南京")) == 3
    # An update of a row's cells updates its full text.
    record = call("datastore_search", resource_id=lines["id"],
                  filters={"线路名称": "北京市地铁"})["result"]["records"][0]
    result = call("datastore_upsert", steward, resource_id=lines["id"], method="update", force=True,
                  records=[{"_id": record["_id"], "所在区": "栖霞区"}])
    assert result["success"], result
    assert _names(call, lines, q="栖霞") == ["北京市地铁"]
    assert _names(call, lines, q="海淀") == []


@pytest.mark.parametrize("query", ["！！！", "", " ", "南" * 500, "'\\:*&|!()<>",
                                   "a" * 300, "<script>alert(1)</script>"])
def test_odd_queries_answer_without_error(call, lines, query):
    result = call("datastore_search", resource_id=lines["id"], q=query)
    assert result["success"], result


def test_a_huge_query_is_refused_in_chinese(call, lines):
    result = call("datastore_search", resource_id=lines["id"], q="南京" * 50_000)
    assert result["success"] is False
    assert result["error"]["q"] == ["检索词过长：最多 500 个字符，现有 100000 个"]


def test_broken_tsquery_syntax_is_refused_clearly(call, lines):
    result = call("datastore_search", resource_id=lines["id"], q="南京 & (", plain=False)
    assert result["success"] is False
    assert result["error"]["__type"] == "Validation Error"


def test_tables_created_through_the_api_keep_ckans_full_text(call, api, lines):
    created = api("datastore_create", resource_id=lines["id"], force=True,
                  fields=[{"id": "线路名称", "type": "text"}])
    assert created["success"], created
    other = api("datastore_create", resource={"package_id": lines["package_id"],
                                              "name": "api"},
                fields=[{"id": "title", "type": "text"}],
                records=[{"title": "Buses of Nanjing"}])["result"]
    result = call("datastore_search", resource_id=other["resource_id"], q="nanjing")["result"]
    assert [r["title"] for r in result["records"]] == ["Buses of Nanjing"]


CORPUS = ["南京市公共交通线路", "2025年度一般公共预算基本支出（万元）", "ＡＢＣ１２３ full-width",
          "“三公”经费", "鼓楼区 宁海路街道", "Route 66, café crème", "㐀㐁 豈 更",
          "市", "a" * 300 + " ok", "x" * 255, "12号线" * 5000, "", "  ", "\u3000全角空格\u3000",
          "e\u0301 İstanbul", "mixed南京abc京市123"]


def test_the_python_and_sql_splits_agree(clean_db):
    engine = backend.get_write_engine()
    fulltext.ensure_functions(engine)
    with engine.connect() as connection:
        for text in CORPUS:
            in_sql = connection.execute(sa.text(
                f"SELECT array_to_tsvector({fulltext.LEXEMES_FUNCTION}(:text))::text"),
                {"text": text}).scalar()
            in_python = connection.execute(sa.text("SELECT CAST(:lexemes AS tsvector)::text"),
                                           {"lexemes": " ".join(fulltext.lexemes(text))}).scalar()
            assert in_sql == in_python, text
