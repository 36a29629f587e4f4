"""The file-drop harvester against the demo drop of 市财政局
(harvesters/fixtures/file_drop/, a copy per test): a folder read from disk
and the same folder served over HTTP; a multi-sheet budget workbook with
title lines above the tables, a workbook with a sheet per year and a GBK
CSV from the finance system."""
from __future__ import annotations

import functools
import json
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from .conftest import FIXTURES, snapshot

SOURCE_TYPE = "nanjing_file_drop"
REVENUE = "nanjing-2026-city-budget-revenue"
SPENDING = "nanjing-2026-city-budget-spending"
DISTRICTS = "nanjing-district-general-budget-revenue"
DEPARTMENTS = "nanjing-2026-dept-budget-summary"
ALL = {REVENUE, SPENDING, DISTRICTS, DEPARTMENTS}
GBK_CSV = "2026/市级部门预算汇总.csv"


@pytest.fixture
def drop(tmp_path) -> Path:
    folder = tmp_path / "drop"
    shutil.copytree(FIXTURES / "file_drop", folder, ignore=shutil.ignore_patterns("*.py"))
    return folder


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def write_manifest(folder: Path, value: dict) -> None:
    (folder / "manifest.json").write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def czj(clean_db, clean_index):
    return factories.Organization(name="nanjing-czj", title="南京市财政局")


@pytest.fixture
def make_source(czj, sysadmin):
    def make(config: dict, name: str = "czj-file-drop") -> dict:
        return helpers.call_action(
            "harvest_source_create", {"user": sysadmin["name"]},
            name=name, title="文件投递：市财政局预算公开表", url="file:///srv/drop/czj",
            source_type=SOURCE_TYPE, owner_org=czj["id"],
            config=json.dumps(config, ensure_ascii=False))
    return make


@pytest.fixture
def http_drop(drop):
    """The drop folder behind a plain HTTP file server, as a department's
    web server or object store would publish it."""
    handler = functools.partial(_QuietHandler, directory=str(drop))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def show(name: str) -> dict:
    return helpers.call_action("package_show", {"ignore_auth": True}, id=name)


def rows(resource: dict) -> list[dict]:
    return helpers.call_action("datastore_search", {"ignore_auth": True},
                               resource_id=resource["id"], limit=1000, sort="_id")["records"]


def public_names() -> set[str]:
    model.Session.expire_all()
    return {p.name for p in model.Session.query(model.Package)
            .filter_by(type="open_dataset", state="active", private=False)}


def test_folder_drop_publishes_sheets_and_gbk_csv(make_source, run, drop, app):
    job = run(make_source({"folder": str(drop)}))

    assert job["status"] == "Finished"
    assert job["gather_errors"] == [] and job["object_errors"] == []
    assert job["stats"]["added"] == 4
    assert public_names() == ALL

    revenue = show(REVENUE)
    assert revenue["organization"]["name"] == "nanjing-czj"
    assert (revenue["area"], revenue["update_frequency"]) == ("budgets", "yearly")
    (resource,) = revenue["resources"]
    assert resource["format"] == "CSV" and resource["datastore_active"] is True
    table = rows(resource)
    # The title and unit lines above the header are not data.
    assert table[0]["项目"] == "税收收入" and table[0]["2026年预算数"] == 4539700
    assert len(table) == 9

    spending = rows(show(SPENDING)["resources"][0])
    assert [r["科目编码"] for r in spending][:3] == ["201", "204", "205"]

    years = show(DISTRICTS)["resources"]
    assert [r["name"] for r in years] == [f"各区一般公共预算收入（{y}年）" for y in (2024, 2025, 2026)]
    assert all(r["datastore_active"] for r in years)
    assert [r["区"] for r in rows(years[2])][:2] == ["玄武区", "秦淮区"]

    (summary,) = show(DEPARTMENTS)["resources"]
    departments = rows(summary)
    assert departments[0]["部门名称"] == "南京市人民政府办公厅"
    assert len(departments) == 14
    # The public downloads the file as the finance system exported it.
    response = app.get(urlsplit(summary["url"]).path)
    assert response.status_code == 200
    assert response.data == (drop / GBK_CSV).read_bytes()
    assert response.data.decode("gbk").startswith("部门编码,部门名称")


def test_http_drop_is_harvested_like_a_folder(make_source, run, http_drop):
    job = run(make_source({"url": http_drop}))

    assert job["gather_errors"] == [] and job["object_errors"] == []
    assert public_names() == ALL
    assert len(rows(show(DEPARTMENTS)["resources"][0])) == 14


def test_second_run_with_no_change_creates_and_changes_nothing(make_source, run, drop):
    source = make_source({"folder": str(drop)})
    run(source)
    before = snapshot()

    job = run(source)

    assert job["objects"] == 0 and job["gather_errors"] == []
    assert snapshot() == before


def test_changed_file_updates_exactly_its_dataset(make_source, run, drop):
    source = make_source({"folder": str(drop)})
    run(source)
    before = snapshot()
    path = drop / GBK_CSV
    text = path.read_bytes().decode("gbk").replace("南京市司法局", "南京市司法局（含公证）")
    path.write_bytes(text.encode("gbk"))

    job = run(source)

    assert job["stats"]["updated"] == 1 and job["object_errors"] == []
    after = snapshot()
    assert {name for name in after if after[name] != before[name]} == {DEPARTMENTS}
    names = [r["部门名称"] for r in rows(show(DEPARTMENTS)["resources"][0])]
    assert "南京市司法局（含公证）" in names and "南京市司法局" not in names


def test_dataset_dropped_from_the_manifest_is_withdrawn(make_source, run, drop):
    source = make_source({"folder": str(drop)})
    run(source)
    value = manifest(drop)
    value["datasets"] = [d for d in value["datasets"] if d["name"] != SPENDING]
    write_manifest(drop, value)

    run(source)

    withdrawn = show(SPENDING)
    assert withdrawn["private"] is True and withdrawn["notes"].startswith("【已撤回】")
    assert public_names() == ALL - {SPENDING}


def test_missing_file_is_reported_and_its_dataset_left_as_it_was(make_source, run, drop):
    source = make_source({"folder": str(drop)})
    run(source)
    before = snapshot()
    (drop / GBK_CSV).unlink()

    job = run(source)

    (message,) = job["gather_errors"]
    assert message.startswith(f"清单第 4 项（{DEPARTMENTS}）：找不到文件“{GBK_CSV}”")
    assert snapshot() == before, "a missing file neither withdraws nor changes the dataset"
    assert public_names() == ALL


def test_failing_sheet_keeps_its_dataset_unpublished_and_is_reported(make_source, run, drop):
    """The sheet goes through the validation gate like any upload."""
    value = manifest(drop)
    items = value["datasets"][1]["fields"]["information_items"]["fields"]
    items[2]["constraints"]["maximum"] = 1_000_000   # 教育、城乡社区支出 exceed it
    write_manifest(drop, value)

    job = run(make_source({"folder": str(drop)}))

    (message,) = job["object_errors"]
    assert message.startswith(f"记录 {SPENDING}：")
    assert "2026年预算数" in message and "1246300" in message
    assert public_names() == ALL - {SPENDING}


@pytest.mark.parametrize("change, expected", [
    ({"path": "../../etc/passwd.csv"}, "文件路径“../../etc/passwd.csv”无效"),
    ({"path": "/etc/passwd.csv"}, "文件路径“/etc/passwd.csv”无效"),
    ({"sheet": "支出"}, "工作簿中没有工作表 支出；现有：说明、一般公共预算收入、一般公共预算支出"),
    ({"path": "2026/市级部门预算汇总.csv", "sheet": "Sheet1"}, "只有 Excel 文件才能指定工作表"),
    ({"path": "manifest.json"}, "不是 CSV/TSV/Excel 文件"),
    ({"header_row": 0}, "“header_row”应在 1 到 100 之间"),
    ({"colour": "red"}, "有不认识的配置项：colour"),
])
def test_bad_manifest_entry_is_reported_in_chinese_and_others_harvested(
        make_source, run, drop, change, expected):
    source = make_source({"folder": str(drop)})
    value = manifest(drop)
    value["datasets"][0]["files"][0].update(change)
    write_manifest(drop, value)

    job = run(source)

    (message,) = job["gather_errors"]
    assert message.startswith(f"清单第 1 项（{REVENUE}）：") and expected in message
    assert public_names() == ALL - {REVENUE}


def test_corrupt_workbook_is_reported(make_source, run, drop):
    (drop / "各区一般公共预算收入.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")

    job = run(make_source({"folder": str(drop)}))

    (message,) = job["gather_errors"]
    assert message.startswith(f"清单第 3 项（{DISTRICTS}）：Excel 文件已损坏")
    assert DISTRICTS not in public_names()


@pytest.mark.parametrize("body, expected", [
    (b"", "清单 manifest.json 是空文件"),
    ("{not json".encode(), "清单 manifest.json：清单不是合法的 JSON"),
    ("{}".encode(), "应有“datasets”列表"),
    ("\ufeff{\"datasets\": []}".encode("utf-16"), "不是 UTF-8 编码"),
])
def test_broken_manifest_is_a_gather_error_and_withdraws_nothing(make_source, run, drop,
                                                                 body, expected):
    source = make_source({"folder": str(drop)})
    run(source)
    before = snapshot()
    (drop / "manifest.json").write_bytes(body)

    job = run(source)

    (message,) = job["gather_errors"]
    assert expected in message
    assert snapshot() == before


@pytest.mark.parametrize("config, expected", [
    ({}, "应给出“folder”（服务器上的文件夹）或“url”（HTTP 目录地址）中的一个"),
    ({"folder": "drop"}, "应写成绝对路径"),
    ({"url": "ftp://example.org/drop/"}, "不是 http:// 或 https:// 开头的网址"),
    ({"folder": "/nonexistent/drop"}, "找不到文件“manifest.json”"),
    ({"url": "http://127.0.0.1:9/"}, "无法连接 http://127.0.0.1:9/"),
    ({"folder": "{drop}", "max_file_mb": 0}, "“max_file_mb”应在 1 到 1024 之间"),
    ({"folder": "{drop}", "on_withdraw": "hide"}, "on_withdraw"),
])
def test_bad_config_is_refused_in_chinese_when_saved(make_source, drop, config, expected):
    config = {k: (str(drop) if v == "{drop}" else v) for k, v in config.items()}
    with pytest.raises(tk.ValidationError) as error:
        make_source(config)
    assert expected in json.dumps(error.value.error_dict, ensure_ascii=False)


def test_manifest_with_a_bad_field_is_refused_when_saved(make_source, drop):
    value = manifest(drop)
    value["datasets"][2]["fields"]["colour"] = "red"
    write_manifest(drop, value)
    with pytest.raises(tk.ValidationError) as error:
        make_source({"folder": str(drop)})
    assert "清单第 3 项：目录类型 open_dataset 没有字段“colour”" in \
        json.dumps(error.value.error_dict, ensure_ascii=False)


def test_file_over_the_size_limit_is_refused(make_source, run, drop):
    (drop / GBK_CSV).write_bytes((drop / GBK_CSV).read_bytes() * 1
                                 + b"999,x,1,1,0,1,1,0\r\n" * 60_000)

    job = run(make_source({"folder": str(drop), "max_file_mb": 1}))

    (message,) = job["gather_errors"]
    assert "超过上限 1 MB" in message
    assert DEPARTMENTS not in public_names()


def test_emptied_manifest_withdraws_nothing_unless_allowed(make_source, run, drop, sysadmin):
    source = make_source({"folder": str(drop)})
    run(source)
    before = snapshot()
    write_manifest(drop, {"datasets": []})

    job = run(source)

    (message,) = job["gather_errors"]
    assert "不再列出已采集的 4 条记录中的 4 条" in message and "allow_mass_withdraw" in message
    assert snapshot() == before and public_names() == ALL

    helpers.call_action("harvest_source_update", {"user": sysadmin["name"]}, id=source["id"],
                        **{k: source[k] for k in ("name", "title", "url", "source_type",
                                                  "owner_org")},
                        config=json.dumps({"folder": str(drop), "allow_mass_withdraw": True}))
    job = run(source)
    assert job["gather_errors"] == [] and public_names() == set()


def test_title_lines_above_the_header_are_not_loaded_as_rows(make_source, run, drop):
    """Without header_row, the gate finds the header under the sheet's title
    and unit lines, and the DataStore load starts after that same header."""
    value = manifest(drop)
    del value["datasets"][1]["files"][0]["header_row"]
    write_manifest(drop, value)

    job = run(make_source({"folder": str(drop)}))

    assert job["object_errors"] == []
    (resource,) = show(SPENDING)["resources"]
    assert resource["datastore_active"] is True
    table = rows(resource)
    assert len(table) == 11 and table[0]["科目编码"] == "201"


def test_killed_fetch_consumer_then_run_again_loses_and_duplicates_nothing(
        make_source, drop, harvest_consumers):
    from .queues import current_objects_per_guid, interrupt_and_run_again

    value = manifest(drop)
    template = value["datasets"][3]
    names = set()
    for number in range(40):
        entry = json.loads(json.dumps(template))
        entry["name"] = f"dept-budget-copy-{number:02d}"
        entry["fields"]["resource_code"] = f"320100-03-{100 + number:04d}"
        value["datasets"].append(entry)
        names.add(entry["name"])
    write_manifest(drop, value)
    source = make_source({"folder": str(drop)})

    interrupt_and_run_again(harvest_consumers, source, after=10)

    assert public_names() == ALL | names
    current = current_objects_per_guid(source["id"])
    assert set(current) == ALL | names and set(current.values()) == {1}
