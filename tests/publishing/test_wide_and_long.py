"""Headers longer than PostgreSQL's 63-byte names load under a shortened
column id and keep the steward's header in the data dictionary, the
preview and the downloads; a file wider than PostgreSQL's 1,600 columns is
refused by the gate before anything is published."""
from __future__ import annotations

import io
import json

import openpyxl

from ckanext.nanjing.publishing import datastore, engine


# Alike for their first 21 characters, longer than 63 bytes each.
LONG_A = "2025年度一般公共预算基本支出经济分类决算数（万元）"
LONG_B = "2025年度一般公共预算基本支出经济分类决算数（万元）调整后"
BUDGET = {"fields": [
    {"name": "单位名称", "type": "string", "constraints": {"required": True}},
    {"name": LONG_A, "type": "number"},
    {"name": LONG_B, "type": "number", "description": "含年中追加"},
]}
CSV = (f"单位名称,{LONG_A},{LONG_B}\n"
       "南京市财政局,1234.5,1300\n"
       "南京市教育局,88000,90210.25\n")


def test_long_headers_load_and_keep_the_stewards_header(call, publish_table, app):
    dataset, status, body = publish_table("nanjing-budget", "南京市部门决算", BUDGET, CSV)
    assert status == 200, body
    resource = body["result"]
    assert call("resource_show", id=resource["id"])["result"]["datastore_active"] is True

    search = call("datastore_search", resource_id=resource["id"], sort="单位名称")["result"]
    ids = [field["id"] for field in search["fields"] if field["id"] != "_id"]
    assert ids[0] == "单位名称"
    assert len(set(ids)) == 3 and all(len(i.encode("utf-8")) <= 63 for i in ids)
    assert ids[1] != LONG_A and ids[1].startswith("2025年度一般公共预算")
    labels = [field.get("info", {}).get("label") for field in search["fields"][1:]]
    assert labels[1:] == [LONG_A, LONG_B]
    assert search["fields"][3]["info"]["notes"] == "含年中追加"
    education = [r for r in search["records"] if r["单位名称"] == "南京市教育局"][0]
    assert education[ids[2]] == 90210.25

    # The API's column ids query as any other; filters and full text work on them.
    found = call("datastore_search", resource_id=resource["id"],
                 filters={ids[1]: 88000}, q="教育")["result"]["records"]
    assert [r["单位名称"] for r in found] == ["南京市教育局"]

    # Downloads carry the steward's headers.
    text = app.get(f"/resource/{resource['id']}/export.csv").data.decode("utf-8-sig")
    assert text.splitlines()[0] == f"单位名称,{LONG_A},{LONG_B}"
    records = app.get(f"/resource/{resource['id']}/export.json").json["records"]
    assert records[0][LONG_B] == 1300
    book = openpyxl.load_workbook(io.BytesIO(app.get(f"/resource/{resource['id']}/export.xlsx")
                                             .data))
    assert [c.value for c in book.worksheets[0][1]] == ["单位名称", LONG_A, LONG_B]

    # So does the preview.
    views = call("resource_view_list", id=resource["id"])["result"]
    table = [v for v in views if v["view_type"] == "datatables_view"][0]
    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}/view/{table['id']}")
    assert LONG_A in page.body and LONG_B in page.body


def test_column_ids_are_short_unique_and_stable():
    assert datastore.column_id("监测点") == "监测点"
    first, second = datastore.column_id(LONG_A), datastore.column_id(LONG_B)
    assert first != second and first == datastore.column_id(LONG_A)
    assert all(len(i.encode("utf-8")) <= 63 for i in (first, second))
    assert datastore.header_of(first, LONG_A) == LONG_A
    # A label that is only a title does not replace the column's own name.
    assert datastore.header_of("监测点", "监测站点名称") == "监测点"


# Valid in a Table Schema, refused by CKAN's DataStore as column ids: a
# leading underscore (one of them CKAN's own row id), a double quote, an
# invisible zero-width space.
ODD = ["_id", "_备注", '单位"简称"', "金额\u200b"]
ODD_SCHEMA = {"fields": [{"name": name, "type": "string"} for name in ODD]}
ODD_CSV = ('_id,_备注,"单位""简称""",金额\u200b\n'
           '7,含下划线,"财政局","=1+2"\n')


def test_headers_the_datastore_refuses_load_under_safe_ids(call, publish_table, app):
    dataset, status, body = publish_table("nanjing-odd-headers", "南京市部门决算", ODD_SCHEMA,
                                          ODD_CSV)
    assert status == 200, body
    resource = body["result"]
    search = call("datastore_search", resource_id=resource["id"])["result"]
    fields = search["fields"][1:]
    ids = [field["id"] for field in fields]
    assert search["fields"][0]["id"] == "_id" and len(set(ids)) == 4
    assert ids[0].startswith("＿id~") and ids[1].startswith("＿备注~")
    assert ids[2].startswith("单位＂简称＂~") and ids[3].startswith("金额~")
    assert [field["info"]["label"] for field in fields] == ODD
    record = search["records"][0]
    assert record["_id"] == 1 and record[ids[0]] == "7" and record[ids[2]] == "财政局"

    text = app.get(f"/resource/{resource['id']}/export.csv").data.decode("utf-8-sig")
    assert text.splitlines() == ['_id,_备注,"单位""简称""",金额\u200b', "7,含下划线,财政局,'=1+2"]


def test_odd_column_ids_are_safe_for_the_datastore():
    from ckanext.datastore.helpers import is_valid_field_name

    names = ODD + [" ", "\t金额 ", "_" * 80, "列" * 30, "a\x00b"]
    ids = [datastore.column_id(name) for name in names]
    assert len(set(ids)) == len(ids)
    assert all(is_valid_field_name(i) and len(i.encode("utf-8")) <= 63 for i in ids)
    assert all(datastore.header_of(i, name) == name for i, name in zip(ids, names))


def test_a_file_wider_than_postgresql_allows_is_refused(call, publish_table):
    width = engine.MAX_COLUMNS + 1
    names = [f"指标{i}" for i in range(width)]
    schema = {"fields": [{"name": n, "type": "integer"} for n in names]}
    content = ",".join(names) + "\n" + ",".join(["1"] * width) + "\n"
    dataset, status, body = publish_table("nanjing-wide", "南京市部门决算", schema, content)

    assert status == 409, json.dumps(body, ensure_ascii=False)[:500]
    message = body["error"]["url"][0]
    assert f"表格有 {width} 列，超过数据库单表最多 1598 列的上限" in message
    assert "请按主题拆分为多个资源" in message
    assert call("package_show", id=dataset["id"])["result"]["resources"] == []
