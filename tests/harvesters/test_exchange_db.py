"""The exchange-database (前置库) harvester against real PostgreSQL: the
demo business systems of 市财政局 (disclosure-catalog entries from a view)
and 市市场监管局 (food-sampling results, one open dataset with a CSV)."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers
from ckanext.activity.model import Activity
from sqlalchemy.engine import make_url

from ..support import CKAN_BIN, free_port
from .conftest import PASSWORD_ENV, job_report, snapshot

ENTRY = "czj-budget-gk-320100-03-102"        # 南京市公安局2026年部门预算
WITHDRAWN_AT_SOURCE = "czj-budget-gk-320100-03-204"
FOOD = "nanjing-food-sampling-exchange"
LIVE_ENTRIES = 13                            # 14 rows, one 撤回
LIVE_SAMPLES = 31                            # 32 rows, one 撤回


def show(name: str) -> dict:
    return helpers.call_action("package_show", {"ignore_auth": True}, id=name)


def datastore_rows(resource_id: str, **filters) -> list[dict]:
    return helpers.call_action("datastore_search", {"ignore_auth": True}, resource_id=resource_id,
                               filters=filters, limit=1000)["records"]


def harvested(dataset_type: str) -> list[model.Package]:
    model.Session.expire_all()
    return model.Session.query(model.Package).filter_by(type=dataset_type, state="active").all()


def test_run_test_cli_harvests_entries_and_open_dataset(make_source, exchange_db, ckan_ini):
    source = make_source()
    command = [str(CKAN_BIN), "-c", ckan_ini, "harvester", "run-test", source["name"]]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                            env=dict(os.environ, **{PASSWORD_ENV: exchange_db.reader_password}))
    assert result.returncode == 0, result.stderr[-3000:]

    entries = harvested("gkml_item")
    assert len(entries) == LIVE_ENTRIES
    assert not any(p.private for p in entries)
    assert WITHDRAWN_AT_SOURCE not in {p.name for p in entries}
    entry = show(ENTRY)
    assert entry["title"] == "南京市公安局2026年部门预算"
    assert entry["organization"]["name"] == "nanjing-czj"
    # Chinese labels of the business system became the catalog's codes.
    assert (entry["area"], entry["audience"], entry["disclosure_attribute"]) == \
        ("budgets", "public", "proactive")
    assert entry["channels"] == ["gov-website", "new-media"]
    assert entry["formed_date"] == "2026-02-10"
    assert entry["related_content"] == ["https://czj.nanjing.gov.cn/ysgk/2026/bmys/gaj/"]

    food = show(FOOD)
    assert food["private"] is False, "the CSV passed the gate, so the dataset is public"
    assert food["organization"]["name"] == "nanjing-scjgj"
    assert (food["area"], food["update_frequency"]) == ("food-drug", "daily")
    assert [f["name"] for f in food["information_items"]["fields"]][:2] == ["抽样编号", "抽样日期"]
    (resource,) = food["resources"]
    assert resource["url_type"] == "upload" and resource["datastore_active"] is True
    rows = datastore_rows(resource["id"])
    assert len(rows) == LIVE_SAMPLES
    assert "DC26320117000193" not in {r["抽样编号"] for r in rows}, "撤回的批次不公开"
    assert "inspector" not in rows[0] and "抽样人员" not in rows[0]

    (job,) = helpers.call_action("harvest_job_list", {"ignore_auth": True}, source_id=source["id"])
    report = job_report(job["id"])
    assert report["status"] == "Finished"
    assert report["stats"]["added"] == LIVE_ENTRIES + 1 and report["stats"]["errored"] == 0


@pytest.mark.parametrize("watermark", [True, False], ids=["watermark", "no watermark"])
def test_second_run_with_no_change_creates_and_changes_nothing(make_source, run, exchange_db,
                                                               watermark):
    config = exchange_db.config()
    if not watermark:
        for mapping in config["mappings"]:
            del mapping["watermark"]
    source = make_source(config)
    first = run(source)
    assert first["stats"]["added"] == LIVE_ENTRIES + 1
    before = snapshot()

    second = run(source)

    assert second["objects"] == 0
    assert second["gather_errors"] == [] and second["object_errors"] == []
    assert snapshot() == before


def test_changed_row_updates_exactly_its_dataset(make_source, run, exchange_db):
    source = make_source()
    run(source)
    before = snapshot()
    exchange_db.execute("UPDATE czj_budget_disclosure SET title = :title, updated_at = now() "
                        "WHERE item_id = 'GK-320100-03-102'",
                        title="南京市公安局2026年部门预算（调整）")

    job = run(source)

    after = snapshot()
    assert job["stats"]["updated"] == 1 and job["objects"] == 1
    assert {name for name in after if after[name] != before[name]} == {ENTRY}
    assert show(ENTRY)["title"] == "南京市公安局2026年部门预算（调整）"


def test_rows_touched_without_change_change_nothing(make_source, run, exchange_db):
    source = make_source()
    run(source)
    before = snapshot()
    exchange_db.execute("UPDATE czj_budget_disclosure SET updated_at = now()")
    exchange_db.execute("UPDATE scjgj_food_inspection SET updated_at = now()")

    assert run(source)["objects"] == 0
    assert snapshot() == before
    # The new watermarks are remembered: the rows are not read again.
    assert run(source)["objects"] == 0


def test_duplicate_and_blank_keys_of_a_view_are_reported(make_source, run, exchange_db):
    exchange_db.execute(
        "CREATE VIEW v_czj_repeated AS SELECT * FROM v_czj_budget_disclosure "
        "UNION ALL SELECT * FROM v_czj_budget_disclosure WHERE item_id = 'GK-320100-03-101' "
        "UNION ALL SELECT NULL, dept_name, title, category, content, basis, deadline, channels, "
        "attribute, formed_date, doc_url, status, updated_at FROM v_czj_budget_disclosure "
        "WHERE item_id = 'GK-320100-03-102'; "
        "GRANT SELECT ON v_czj_repeated TO exchange_reader")
    config = exchange_db.config()
    config["mappings"][0]["table"] = "v_czj_repeated"
    source = make_source(config)

    job = run(source)

    assert sorted(job["gather_errors"]) == [
        "映射“czj-budget”：表“v_czj_repeated”有 1 行的键列“item_id”为空，未采集",
        "映射“czj-budget”：表“v_czj_repeated”的键列“item_id”有 1 个重复值，重复的行未采集"]
    assert job["object_errors"] == []
    assert len(harvested("gkml_item")) == LIVE_ENTRIES


def test_row_changed_without_moving_the_watermark_is_not_read_again(make_source, run, exchange_db):
    """The watermark is the business system's promise: rows whose
    updated_at did not move are not read again."""
    source = make_source()
    run(source)
    exchange_db.execute("UPDATE czj_budget_disclosure SET title = 'x' "
                        "WHERE item_id = 'GK-320100-03-102'")
    assert run(source)["objects"] == 0


def test_changed_sample_regenerates_the_csv_only(make_source, run, exchange_db):
    source = make_source()
    run(source)
    before = snapshot()
    exchange_db.execute("UPDATE scjgj_food_inspection SET result = '不合格', failed_items = '菌落总数', "
                        "updated_at = now() WHERE sample_no = 'DC26320116000217'")

    job = run(source)

    after = snapshot()
    assert job["stats"]["updated"] == 1
    assert {name for name in after if after[name] != before[name]} == {FOOD}
    (resource,) = show(FOOD)["resources"]
    (row,) = datastore_rows(resource["id"], 抽样编号="DC26320116000217")
    assert (row["检验结果"], row["不合格项目"]) == ("不合格", "菌落总数")


def test_withdrawn_row_is_made_private_and_marked_then_republished(make_source, run,
                                                                   exchange_db):
    source = make_source()
    run(source)
    exchange_db.execute("UPDATE czj_budget_disclosure SET status = '撤回', updated_at = now() "
                        "WHERE item_id = 'GK-320100-03-102'")

    job = run(source)

    assert job["stats"]["deleted"] == 1 and job["object_errors"] == []
    entry = show(ENTRY)
    assert entry["private"] is True
    assert entry["notes"].startswith("【已撤回】来源系统于")
    assert len([p for p in harvested("gkml_item") if not p.private]) == LIVE_ENTRIES - 1
    # Withdrawn once: the next run has nothing to do.
    before = snapshot()
    assert run(source)["objects"] == 0
    assert snapshot() == before

    exchange_db.execute("UPDATE czj_budget_disclosure SET status = '正常', updated_at = now() "
                        "WHERE item_id = 'GK-320100-03-102'")
    job = run(source)
    assert job["object_errors"] == []
    entry = show(ENTRY)
    assert entry["private"] is False and not entry.get("notes")


@pytest.mark.parametrize("mode", ["withdraw", "delete"])
def test_row_deleted_at_the_source_is_withdrawn(make_source, run, exchange_db, mode):
    source = make_source(exchange_db.config(on_withdraw=mode))
    run(source)
    exchange_db.execute("DELETE FROM czj_budget_disclosure WHERE item_id = 'GK-320100-03-102'")

    job = run(source)

    assert job["stats"]["deleted"] == 1 and job["object_errors"] == []
    model.Session.expire_all()
    package = model.Package.get(ENTRY)
    if mode == "delete":
        assert package.state == "deleted"
    else:
        assert package.state == "active" and package.private
    assert run(source)["objects"] == 0


def _bad(exchange_db, change):
    config = exchange_db.config()
    change(config)
    return config


def _url(config, **parts):
    url = make_url(config["database_url"]).set(**parts)
    config["database_url"] = url.render_as_string(hide_password=False)


def _mapping(config, name):
    return next(m for m in config["mappings"] if m["name"] == name)


BAD_CONFIGS = {
    "not JSON": (lambda c: None, "不是合法的 JSON"),
    "malformed URL": (lambda c: c.update(database_url="exchange_demo"), "格式不正确"),
    "unknown database type": (lambda c: c.update(database_url="oracle://u@h/db"),
                              "不支持的数据库类型“oracle”"),
    "wrong password": (lambda c: (c.pop("password_env"), c.update(password="wrong")),
                       "用户名“exchange_reader”或密码错误"),
    "unset password variable": (lambda c: c.update(password_env="NANJING_NO_SUCH_VARIABLE"),
                                "环境变量 NANJING_NO_SUCH_VARIABLE"),
    "missing database": (lambda c: _url(c, database="exchange_nowhere"),
                         "没有数据库“exchange_nowhere”"),
    "closed port": (lambda c: _url(c, port=free_port()), "连接被拒绝"),
    "unknown host": (lambda c: _url(c, host="exchange.invalid"), "找不到前置库的服务器“exchange.invalid”"),
    "missing table": (lambda c: _mapping(c, "czj-budget").update(table="v_czj_budget"),
                      "前置库中没有表或视图“v_czj_budget”"),
    "unknown column": (lambda c: _mapping(c, "czj-budget")["fields"].update(title="titel"),
                       "没有列“titel”（用于 fields.title）"),
    "column of a hidden table column": (
        lambda c: _mapping(c, "czj-budget")["fields"].update(notes="operator"),
        "没有列“operator”"),
    "unknown field": (lambda c: _mapping(c, "czj-budget")["fields"].update(titel="title"),
                      "没有字段“titel”"),
    "missing required field": (lambda c: _mapping(c, "czj-budget")["values"].pop("area"),
                               "必填字段 领域（area）"),
    "unknown organization": (lambda c: _mapping(c, "czj-budget").update(organization="nanjing-xxx"),
                             "组织“nanjing-xxx”不存在"),
    "typo in a key": (lambda c: c.update(on_withdrawl="delete"), "不认识的配置项：on_withdrawl"),
}


@pytest.mark.parametrize("case", BAD_CONFIGS)
def test_bad_config_is_refused_in_chinese_when_saved(case, make_source, exchange_db):
    change, expected = BAD_CONFIGS[case]
    config = _bad(exchange_db, change)
    with pytest.raises(tk.ValidationError) as raised:
        if case == "not JSON":
            helpers.call_action("harvest_source_create", {"ignore_auth": True}, name="bad",
                                url="x", source_type="nanjing_exchange_db",
                                owner_org=model.Group.get("nanjing-czj").id,
                                config='{"database_url": ')
        else:
            make_source(config)
    (message,) = raised.value.error_dict["config"]
    assert message.startswith("采集配置有误："), message
    assert expected in message
    assert "Error parsing" not in message and "Traceback" not in message
    assert exchange_db.reader_password not in message
    assert helpers.call_action("harvest_source_list", {"ignore_auth": True}) == []
    assert model.Session.query(model.Package).filter_by(type="harvest").count() == 0


def test_connection_failure_at_run_is_a_chinese_gather_error(make_source, run, exchange_db,
                                                             monkeypatch):
    source = make_source()
    monkeypatch.setenv(PASSWORD_ENV, "no-longer-the-password")

    job = run(source)

    url = exchange_db.reader_url
    assert job["status"] == "Finished"
    assert job["gather_errors"] == [f"无法登录前置库 {url.host}:{url.port}/exchange_test："
                                    "用户名“exchange_reader”或密码错误"]
    assert harvested("gkml_item") == []


def test_invalid_rows_keep_the_dataset_unpublished_and_are_reported(make_source, run,
                                                                    exchange_db):
    """The gate checks the generated CSV: a value outside the Table Schema
    keeps the dataset from the public and shows in the job report."""
    config = exchange_db.config()
    food = _mapping(config, "scjgj-food-sampling")
    food["dataset"]["information_items"] = {"fields": [
        {"name": header, "type": "string",
         **({"constraints": {"enum": ["合格"]}} if header == "检验结果" else {})}
        for header in food["columns"].values()]}
    source = make_source(config)

    job = run(source)

    assert job["stats"]["errored"] == 1
    (message,) = job["object_errors"]
    assert message.startswith("记录 scjgj_food_inspection：")
    assert "检验结果" in message and "不合格" in message
    model.Session.expire_all()
    package = model.Package.get(FOOD)
    assert package is None or package.private
    assert helpers.call_action("package_search", {"ignore_auth": True},
                               fq=f"name:{FOOD}")["count"] == 0
    # Fixed at the source: the next run publishes it.
    exchange_db.execute("UPDATE scjgj_food_inspection SET result = '合格', failed_items = NULL, "
                        "updated_at = now() WHERE result = '不合格'")
    job = run(source)
    assert job["object_errors"] == []
    assert show(FOOD)["private"] is False


def test_password_is_never_shown(make_source, run, exchange_db, sysadmin, app):
    config = exchange_db.config()
    del config["password_env"]
    config["database_url"] = config["database_url"].replace(
        "exchange_reader@", f"exchange_reader:{exchange_db.reader_password}@")
    source = make_source(config)
    secret = exchange_db.reader_password
    context = {"user": sysadmin["name"]}

    shown = helpers.call_action("harvest_source_show", context, id=source["id"])
    assert secret not in json.dumps(source) + json.dumps(shown)
    assert json.loads(shown["config"])["password"] == "******"
    listed = helpers.call_action("harvest_source_list", context)
    assert listed and secret not in json.dumps(listed)
    admin = factories.SysadminWithToken()
    pages = {url: app.get(url, headers={"Authorization": admin["token"]}) for url in (
        f"/harvest/edit/{source['name']}", f"/harvest/{source['name']}",
        f"/harvest/about/{source['name']}")}
    assert all(page.status_code == 200 and secret not in page.body for page in pages.values())
    assert "exchange_reader" in pages[f"/harvest/edit/{source['name']}"].body

    # Saved back as shown (the edit form, harvest_source_patch): the
    # password is kept, and the source still connects.
    helpers.call_action("harvest_source_patch", context, id=source["id"], title="前置库（改名）")
    assert secret not in json.dumps(helpers.call_action("harvest_source_show", context,
                                                        id=source["id"]))
    job = run(source)
    assert job["gather_errors"] == [] and job["stats"]["added"] == LIVE_ENTRIES + 1

    # Nor in the search index (reindexed when the job finished), nor in the
    # activity stream.
    for fields in (None, ["id", "data_dict", "validated_data_dict", "extras_config", "config"]):
        found = helpers.call_action("package_search", context, fq="dataset_type:harvest",
                                    include_private=True, **({"fl": fields} if fields else {}))
        assert found["count"] == 1 and secret not in json.dumps(found)
    activities = model.Session.query(Activity).filter_by(object_id=source["id"]).all()
    assert activities and secret not in json.dumps([a.data for a in activities])


def test_emptied_exchange_table_withdraws_nothing(make_source, run, exchange_db):
    """An exchange table emptied by a failed sync is not a withdrawal of
    every entry: the job reports it and the catalog stays as it was."""
    source = make_source()
    run(source)
    before = snapshot()
    exchange_db.execute("DELETE FROM czj_budget_disclosure")

    job = run(source)

    (message,) = job["gather_errors"]
    assert f"不再列出已采集的 {LIVE_ENTRIES + 1} 条记录中的 {LIVE_ENTRIES} 条" in message
    assert snapshot() == before
