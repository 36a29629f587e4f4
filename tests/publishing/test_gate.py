"""The gate through the Action API, against the real PostgreSQL, DataStore,
Redis (jobs) and Solr: what a steward's client and the public see."""
from __future__ import annotations

import codecs
import io

import openpyxl
import pytest

from .conftest import SCHEMA, VALID_CSV, dataset_dict


def _create_dataset(call, steward, org, **extra):
    result = call("package_create", steward, **dataset_dict(org, **extra))
    assert result["success"], result
    return result["result"]


def _valid_resource(call, upload, steward, org, **extra):
    dataset = _create_dataset(call, steward, org, **extra)
    status, body = upload("resource_create", steward, VALID_CSV.encode("utf-8"), "air.csv",
                          package_id=dataset["id"], name="每日监测", format="CSV")
    assert status == 200, body
    return dataset, body["result"]


def test_a_valid_upload_is_checked_loaded_and_queryable(app, call, upload, steward, org):
    dataset, resource = _valid_resource(call, upload, steward, org)

    shown = call("resource_show", id=resource["id"])["result"]
    assert shown["datastore_active"] is True
    report = call("nanjing_validation_show", steward, resource_id=resource["id"])["result"]
    assert (report["status"], report["rows"], report["error_count"]) == ("valid", 3, 0)
    assert report["current"] is True and report["load_status"] == "loaded"

    # Anyone can query it, with the Chinese column names and the schema's types.
    search = call("datastore_search", resource_id=resource["id"], sort="监测日期, 监测点")["result"]
    types = {field["id"]: field["type"] for field in search["fields"]}
    assert types["监测日期"] == "date" and types["PM2.5浓度"] == "numeric"
    assert search["total"] == 3
    assert search["records"][0]["监测点"] == "玄武湖"
    sql = (f'SELECT "所在区", "PM2.5浓度" FROM "{resource["id"]}" '
           f'WHERE "PM2.5浓度" > 30 ORDER BY 2')
    rows = call("datastore_search_sql", sql=sql)["result"]["records"]
    assert [(r["所在区"], float(r["PM2.5浓度"])) for r in rows] == [("玄武区", 35.5),
                                                                   ("鼓楼区", 41.0)]
    # The data preview is created for it.
    views = call("resource_view_list", id=resource["id"])["result"]
    assert [v["view_type"] for v in views] == ["datatables_view"]
    # Its page posts its queries with CKAN's token, for anonymous visitors too.
    page = app.get(f"/{dataset['type']}/{dataset['name']}/resource/{resource['id']}"
                   f"/view/{views[0]['id']}")
    assert '<meta name="_csrf_token" content="' in page.body


def test_an_invalid_upload_is_refused_in_chinese_and_nothing_is_stored(
        call, upload, steward, org):
    dataset = _create_dataset(call, steward, org)
    bad = ("监测点,所在区,监测日期,PM2.5浓度,备注\n"
           "玄武湖,玄武区,2026年11月1日,35.5,\n"
           ",浦口区,2026-11-01,-3,\n")
    status, body = upload("resource_create", steward, bad.encode("utf-8"), "air.csv",
                          package_id=dataset["id"], name="每日监测", format="CSV")

    assert status == 409
    message = body["error"]["url"][0]
    assert "未通过数据校验，共 4 处问题" in message
    assert "第 2 行“监测日期”列的值“2026年11月1日”不是有效的日期" in message
    assert "可改为 2026-11-01" in message
    assert "第 3 行“监测点”列必填，不能为空" in message
    assert "第 3 行“所在区”列的值“浦口区”只能取以下值之一" in message
    assert "第 3 行“PM2.5浓度”列的值“-3”不能小于 0" in message
    assert call("package_show", id=dataset["id"])["result"]["resources"] == []


def test_a_failing_reupload_keeps_the_last_valid_version(call, upload, steward, org, app):
    dataset, resource = _valid_resource(call, upload, steward, org)
    before = app.get(call("resource_show", id=resource["id"])["result"]["url"]).data

    status, body = upload("resource_update", steward, b"\x89PNG\r\n\x1a\n\x00\x00binary",
                          "air.csv", id=resource["id"], format="CSV")

    assert status == 409
    assert "文件内容是PNG 图片，不是表格数据" in body["error"]["url"][0]
    shown = call("resource_show", id=resource["id"])["result"]
    assert app.get(shown["url"]).data == before
    assert call("datastore_search", resource_id=resource["id"])["result"]["total"] == 3
    report = call("nanjing_validation_show", steward, resource_id=resource["id"])["result"]
    assert report["status"] == "valid" and report["current"] is True


def test_a_gbk_file_is_read_whole_and_its_original_kept(call, upload, steward, org, app):
    dataset = _create_dataset(call, steward, org)
    # The only non-ASCII character of the last rows sits far past any sample.
    rows = ["监测点,所在区,监测日期,PM2.5浓度,备注"]
    rows += [f"point{i},玄武区,2026-11-01,{i % 90},ok" for i in range(20000)]
    rows.append("草场门,鼓楼区,2026-11-02,40,市监测站")
    original = "\r\n".join(rows).encode("gbk")
    status, body = upload("resource_create", steward, original, "air-gbk.csv",
                          package_id=dataset["id"], name="GBK 导出", format="CSV")

    assert status == 200, body
    resource = body["result"]
    report = call("nanjing_validation_show", steward, resource_id=resource["id"])["result"]
    assert report["encoding"] == "gb18030" and report["rows"] == 20001
    assert app.get(resource["url"]).data == original  # the original bytes, not a re-encoding
    last = call("datastore_search", resource_id=resource["id"], filters={"监测点": "草场门"})
    assert last["result"]["records"][0]["备注"] == "市监测站"


def test_a_dataset_with_an_unchecked_resource_cannot_go_public(call, steward, org):
    dataset = _create_dataset(call, steward, org, private=True, name="nanjing-air-linked")
    created = call("resource_create", steward, package_id=dataset["id"], name="外部链接",
                   format="CSV", url="http://127.0.0.1:9/air.csv")
    assert created["success"], created

    refused = call("package_patch", steward, id=dataset["id"], private=False)

    assert refused["success"] is False
    message = refused["error"]["private"][0]
    assert message.startswith("数据集的表格资源全部通过数据校验后才能公开")
    assert "外部链接" in message
    assert call("package_show", steward, id=dataset["id"])["result"]["private"] is True

    bulk = call("bulk_update_public", steward, datasets=[dataset["id"]], org_id=org["id"])
    assert bulk["success"] is False and "南京市空气质量监测数据" in bulk["error"]["datasets"][0]


@pytest.mark.ckan_config("ckanext.nanjing.validation.sync_max_bytes", "100")
def test_big_files_of_private_datasets_are_checked_by_the_jobs_worker(
        call, upload, steward, org, run_jobs):
    dataset = _create_dataset(call, steward, org, private=True)
    status, body = upload("resource_create", steward, VALID_CSV.encode("utf-8"), "air.csv",
                          package_id=dataset["id"], name="每日监测", format="CSV")
    assert status == 200, body
    resource = body["result"]
    pending = call("nanjing_validation_show", steward, resource_id=resource["id"])["result"]
    assert pending["status"] == "pending" and pending["job_id"]
    assert call("package_patch", steward, id=dataset["id"], private=False)["success"] is False

    run_jobs()

    done = call("nanjing_validation_show", steward, resource_id=resource["id"])["result"]
    assert (done["status"], done["load_status"], done["rows"]) == ("valid", "loaded", 3)
    assert call("package_patch", steward, id=dataset["id"], private=False)["success"] is True


def test_a_new_table_schema_rechecks_the_resources(call, upload, steward, org):
    dataset, resource = _valid_resource(call, upload, steward, org)
    stricter = {"fields": [dict(f) for f in SCHEMA["fields"]]}
    stricter["fields"][3] = {"name": "PM2.5浓度", "type": "integer"}

    refused = call("package_patch", steward, id=dataset["id"], information_items=stricter)

    # The dataset is public: a schema its file does not meet is refused.
    assert refused["success"] is False
    assert "第 2 行“PM2.5浓度”列的值“35.5”不是有效的整数" in refused["error"]["url"][0]
    relaxed = {"fields": [dict(f) for f in SCHEMA["fields"]]}
    relaxed["fields"][4] = {"name": "备注", "type": "string", "description": "说明"}
    assert call("package_patch", steward, id=dataset["id"], information_items=relaxed)["success"]
    report = call("nanjing_validation_show", steward, resource_id=resource["id"])["result"]
    assert report["status"] == "valid" and report["current"] is True
    fields = call("datastore_search", resource_id=resource["id"])["result"]["fields"]
    assert {f["id"]: f.get("info", {}).get("notes") for f in fields}["备注"] == "说明"


def test_the_report_is_for_stewards_only(call, upload, steward, org):
    dataset, resource = _valid_resource(call, upload, steward, org)
    anonymous = call("nanjing_validation_show", resource_id=resource["id"])
    assert anonymous["success"] is False
    assert "维护人员" in anonymous["error"]["message"]


def test_downloads_open_in_excel_and_neutralise_formulas(call, upload, steward, org, app):
    dataset, resource = _valid_resource(call, upload, steward, org)

    csv_bytes = app.get(f"/resource/{resource['id']}/export.csv").data
    assert csv_bytes.startswith(codecs.BOM_UTF8)
    text = csv_bytes.decode("utf-8-sig")
    assert text.splitlines()[0] == "监测点,所在区,监测日期,PM2.5浓度,备注"
    assert "'=HYPERLINK" in text and "'-1+2" in text
    assert ",35.5," in text  # numbers stay numbers

    records = app.get(f"/resource/{resource['id']}/export.json").json["records"]
    assert records[1]["备注"] == '=HYPERLINK("http://evil")'  # JSON is data, not a sheet
    assert records[0]["PM2.5浓度"] == 35.5

    book = openpyxl.load_workbook(io.BytesIO(app.get(f"/resource/{resource['id']}/export.xlsx")
                                             .data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["监测点", "所在区", "监测日期", "PM2.5浓度", "备注"]
    formula_cell = sheet.cell(row=3, column=5)
    assert formula_cell.data_type == "s" and formula_cell.value.startswith("=HYPERLINK")


def test_a_download_keeps_the_resources_chinese_name(call, upload, steward, org, app):
    from urllib.parse import quote

    from ckanext.nanjing import downloads

    dataset, resource = _valid_resource(call, upload, steward, org)
    got = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}/download/air.csv")
    assert got.headers["Content-Disposition"] == (
        f"attachment; filename=\"air.csv\"; filename*=UTF-8''{quote('每日监测.csv')}")
    # The dataset's page offers the table in every format the platform makes.
    page = app.get(f"/{dataset['type']}/{dataset['name']}").body
    for fmt in ("csv", "xlsx", "json"):
        assert f'href="/resource/{resource["id"]}/export.{fmt}"' in page
    assert "下载 CSV 格式" in page
    # The resource's page shows an API example that works as printed.
    import html
    import re
    resource_page = app.get(f"/{dataset['type']}/{dataset['name']}/resource/{resource['id']}").body
    assert "通过接口查询本表" in resource_page
    assert f"/api/3/action/datastore_search?resource_id={resource['id']}&amp;limit=5" in resource_page
    sql = html.unescape(re.search(r"sql='([^']+)'", resource_page).group(1))
    assert sql == f'SELECT "监测点", COUNT(*) FROM "{resource["id"]}" GROUP BY 1'
    assert len(call("datastore_search_sql", sql=sql)["result"]["records"]) == 3
    # Names a file system would refuse, or none at all.
    assert downloads.download_name('2026年/预算:"草案"', "2026-.csv") == "2026年 预算 草案.csv"
    assert downloads.download_name("表.CSV", "x.csv") == "表.CSV"
    assert downloads.download_name("", "2026-.csv") == "2026-.csv"
    assert len(downloads.download_name("长" * 500, "a.xlsx")) == downloads.MAX_NAME + len(".xlsx")


def test_publish_when_valid_waits_for_the_worker(call, upload, steward, org, run_jobs):
    from ckan.plugins import toolkit as tk

    from ckanext.nanjing.publishing import gate

    context = {"user": steward["name"], gate.PUBLISH_WHEN_VALID: True}
    data = dataset_dict(org, resources=[{"name": "外部", "format": "CSV",
                                         "url": "http://127.0.0.1:9/missing.csv"}])
    created = tk.get_action("package_create")(context, data)

    assert created["private"] is True
    run_jobs()
    report = call("nanjing_validation_show", steward,
                  resource_id=created["resources"][0]["id"])["result"]
    assert report["status"] == "error"
    assert "无法连接资源地址" in report["report"]["message"]
    assert call("package_show", steward, id=created["id"])["result"]["private"] is True


def test_an_excel_workbook_is_read_from_its_first_sheet(call, upload, steward, org):
    dataset = _create_dataset(call, steward, org)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["监测点", "所在区", "监测日期", "PM2.5浓度", "备注"])
    sheet.append(["玄武湖", "玄武区", __import__("datetime").date(2026, 11, 1), 35.5, None])
    sheet.append(["草场门", "鼓楼区", "2026-11-02", 41, "站点维护"])
    content = io.BytesIO()
    book.save(content)

    status, body = upload("resource_create", steward, content.getvalue(), "air.xlsx",
                          package_id=dataset["id"], name="Excel 报表", format="XLSX")

    assert status == 200, body
    records = call("datastore_search", resource_id=body["result"]["id"],
                   sort="监测日期")["result"]["records"]
    assert [(r["监测点"], r["监测日期"], float(r["PM2.5浓度"])) for r in records] == [
        ("玄武湖", "2026-11-01", 35.5), ("草场门", "2026-11-02", 41.0)]


def test_a_reload_swaps_the_table_readers_never_see_it_half_loaded(
        call, upload, steward, org, tmp_path):
    import threading

    import sqlalchemy as sa

    from ckanext.datastore.backend import postgres as backend
    from ckanext.nanjing.publishing import datastore, fulltext

    dataset, resource = _valid_resource(call, upload, steward, org)
    big = tmp_path / "big.csv"
    rows = [f"点{i},玄武区,2026-11-01,{i % 500},批量" for i in range(200_000)]
    big.write_text("监测点,所在区,监测日期,PM2.5浓度,备注\n" + "\n".join(rows) + "\n",
                   encoding="utf-8")
    seen, done = set(), threading.Event()

    def read():
        table = backend.identifier(resource["id"])
        with backend.get_read_engine().connect() as connection:
            while not done.is_set():
                seen.add(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar())
                connection.commit()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        loaded = datastore.load(resource["id"], big, SCHEMA)
        assert loaded.rows == 200_000
        # Queryable now; the full text follows while readers go on.
        assert datastore.build_full_text(resource["id"], loaded) is True
    finally:
        done.set()
        reader.join()
    assert seen <= {3, 200_000} and 3 in seen
    assert call("datastore_search", resource_id=resource["id"])["result"]["total"] == 200_000
    # The full text is what our trigger computes for a row upserted later.
    table = backend.identifier(resource["id"])
    with backend.get_read_engine().connect() as connection:
        differing = connection.execute(sa.text(
            f"SELECT count(*) FROM {table} t WHERE t._full_text IS DISTINCT FROM "
            f"(SELECT array_to_tsvector(coalesce(array_agg(lexeme), '{{}}')) "
            f"FROM json_each_text(row_to_json(t.*)) AS cell, "
            f"unnest({fulltext.LEXEMES_FUNCTION}(cell.value)) AS lexeme "
            f"WHERE cell.key NOT LIKE '\\_%')")).scalar()
    assert differing == 0
    # A table replaced meanwhile is not given the older load's full text.
    again = datastore.load(resource["id"], big, SCHEMA)
    assert datastore.build_full_text(resource["id"], loaded) is False
    assert datastore.build_full_text(resource["id"], again) is True
    found = call("datastore_search", resource_id=resource["id"], q="点199999")["result"]
    assert [r["监测点"] for r in found["records"]] == ["点199999"]


def test_json_and_tsv_files_pass_the_same_gate(call, upload, steward, org):
    import json

    dataset = _create_dataset(call, steward, org)
    records = [{"监测点": "玄武湖", "所在区": "玄武区", "监测日期": "2026-11-01",
                "PM2.5浓度": 35.5, "备注": None},
               {"监测点": "草场门", "所在区": "鼓楼区", "监测日期": "2026-11-02",
                "PM2.5浓度": 41, "备注": "站点维护"}]
    status, body = upload("resource_create", steward,
                          json.dumps(records, ensure_ascii=False).encode("utf-8"), "air.json",
                          package_id=dataset["id"], name="JSON 接口导出", format="JSON")
    assert status == 200, body
    found = call("datastore_search", resource_id=body["result"]["id"], sort="监测日期")
    assert [r["监测点"] for r in found["result"]["records"]] == ["玄武湖", "草场门"]

    tsv = VALID_CSV.replace(",", "\t")
    status, body = upload("resource_create", steward, tsv.encode("utf-8"), "air.tsv",
                          package_id=dataset["id"], name="制表符分隔", format="TSV")
    assert status == 200, body
    assert call("datastore_search", resource_id=body["result"]["id"])["result"]["total"] == 3

    bad = [{"监测点": "玄武湖", "所在区": "浦口区", "监测日期": "2026-11-01", "PM2.5浓度": 3}]
    status, body = upload("resource_create", steward,
                          json.dumps(bad, ensure_ascii=False).encode("utf-8"), "bad.json",
                          package_id=dataset["id"], name="错误", format="JSON")
    assert status == 409
    assert "第 2 行“所在区”列的值“浦口区”只能取以下值之一" in body["error"]["url"][0]
