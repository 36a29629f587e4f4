"""`/datastore/dump/<id>` in every format CKAN documents, with the
steward's headers, and clear refusals for what it cannot answer."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import openpyxl
import pytest

from .test_wide_and_long import LONG_A

SCHEMA = {"fields": [
    {"name": "单位名称", "type": "string"},
    {"name": LONG_A, "type": "number"},
    {"name": "备注", "type": "string"},
    {"name": "_序号", "type": "integer"},
]}
CSV = (f"单位名称,{LONG_A},备注,_序号\n"
       "南京市财政局,1234.5,=HYPERLINK(\"http://evil\"),1\n"
       "南京市教育局,88000,,2\n"
       "江宁区财政局,-5,调减,3\n")


@pytest.fixture
def budget(publish_table):
    _, status, body = publish_table("nanjing-budget-dump", "南京市部门决算", SCHEMA, CSV)
    assert status == 200, body
    return body["result"]["id"]


def _dump(app, resource_id, status=200, **params):
    response = app.get(f"/datastore/dump/{resource_id}", query_string=params, status=status)
    return response


def test_csv_has_a_bom_the_stewards_headers_and_safe_cells(app, budget):
    response = _dump(app, budget)
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["_id", "单位名称", LONG_A, "备注", "_序号"]
    assert rows[1] == ["1", "南京市财政局", "1234.5", "'=HYPERLINK(\"http://evil\")", "1"]
    assert rows[3][2] == "-5" and len(rows) == 4
    # CKAN's parameter still turns the BOM off.
    assert not _dump(app, budget, bom="false").data.startswith(b"\xef\xbb\xbf")


def test_tsv_json_and_xml_carry_the_stewards_headers(app, budget):
    tsv = _dump(app, budget, format="tsv").data.decode("utf-8-sig").splitlines()
    assert tsv[0].split("\t") == ["_id", "单位名称", LONG_A, "备注", "_序号"]
    assert tsv[2].split("\t")[1:3] == ["南京市教育局", "88000"]

    answer = json.loads(_dump(app, budget, format="json").data)
    assert [field["label"] for field in answer["fields"]] == [
        "_id", "单位名称", LONG_A, "备注", "_序号"]
    # The ids stay the DataStore's, as datastore_search names them.
    assert answer["fields"][2]["id"] != LONG_A
    assert answer["records"][1] == [2, "南京市教育局", 88000, None, 2]

    root = ET.fromstring(_dump(app, budget, format="xml").data)
    rows = root.findall("row")
    assert [row.get("_id") for row in rows] == ["1", "2", "3"]
    # XML names cannot begin with a digit nor hold brackets: CKAN's rules apply.
    assert [child.tag for child in rows[0]] == [
        "单位名称", "年度一般公共预算基本支出经济分类决算数万元", "备注", "_序号"]
    assert rows[1].find("备注").get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true"


def test_xlsx_is_a_workbook_with_the_stewards_headers(app, budget):
    response = _dump(app, budget, format="xlsx")
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["_id", "单位名称", LONG_A, "备注", "_序号"]
    assert rows[1][:3] == [1, "南京市财政局", 1234.5]
    # Text that looks like a formula stays text.
    assert sheet["D2"].data_type == "s" and sheet["D2"].value.startswith("=HYPERLINK")


def test_ckans_dump_parameters_keep_their_meaning(app, budget):
    found = _dump(app, budget, q="教育", fields="单位名称").data.decode("utf-8-sig")
    assert found.splitlines() == ["单位名称", "南京市教育局"]
    page = _dump(app, budget, format="json", offset=1, limit=1, sort="_id desc")
    assert [record[1] for record in json.loads(page.data)["records"]] == ["南京市教育局"]
    filtered = _dump(app, budget, filters=json.dumps({"单位名称": "江宁区财政局"}))
    assert len(filtered.data.decode("utf-8-sig").splitlines()) == 2


@pytest.mark.parametrize("params, expected", [
    ({"format": "pdf"}, "不支持的下载格式"),
    ({"limit": "很多"}, "行数（limit）"),
    ({"filters": "{不是JSON"}, "筛选条件（filters）"),
    ({"fields": "不存在的列"}, "查询条件有误"),
    ({"q": "南" * 600}, "检索词过长"),
    ({"sort": "单位名称; DROP TABLE x"}, "查询条件有误"),
])
def test_bad_parameters_are_refused_in_chinese(app, budget, params, expected):
    response = _dump(app, budget, status=400, **params)
    assert expected in response.data.decode("utf-8")


def test_an_xlsx_bigger_than_a_worksheet_is_refused(app, budget, monkeypatch):
    from ckanext.nanjing.publishing import dumps

    monkeypatch.setattr(dumps, "XLSX_MAX_ROWS", 2)  # a worksheet of 2 rows
    refused = _dump(app, budget, status=400, format="xlsx").data.decode("utf-8")
    assert "XLSX 工作表最多 2 行，本次下载有 3 行" in refused and "format=csv" in refused
    sheet = openpyxl.load_workbook(io.BytesIO(_dump(app, budget, format="xlsx", limit=2).data))
    assert sheet.worksheets[0].max_row == 3


def test_an_unknown_table_is_not_found(app, clean_db):
    response = _dump(app, "00000000-0000-0000-0000-000000000000", status=404)
    assert "没有该资源的数据表" in response.data.decode("utf-8")


def test_a_private_datasets_table_is_not_dumped_for_the_public(app, call, steward, budget):
    resource = call("resource_show", steward, id=budget)["result"]
    assert call("package_patch", steward, id=resource["package_id"], private=True)["success"]
    _dump(app, budget, status=404)
    shown = app.get(f"/datastore/dump/{budget}", headers={"Authorization": steward["token"]})
    assert shown.data.decode("utf-8-sig").startswith("_id,单位名称")


def test_a_table_of_several_pages_dumps_every_row_once(app, publish_table):
    rows = 25_001  # three pages of datastore_search
    schema = {"fields": [{"name": "序号", "type": "integer"}, {"name": "街道", "type": "string"}]}
    content = "序号,街道\n" + "".join(f"{i},玄武区第{i % 97}街道\n" for i in range(rows))
    _, status, body = publish_table("nanjing-streets", "街道", schema, content)
    assert status == 200, body
    dumped = _dump(app, body["result"]["id"], bom="false").data.decode("utf-8").splitlines()
    assert len(dumped) == rows + 1
    assert sorted(int(line.split(",")[1]) for line in dumped[1:]) == list(range(rows))
    xml_rows = ET.fromstring(_dump(app, body["result"]["id"], format="xml").data).findall("row")
    assert len(xml_rows) == rows
