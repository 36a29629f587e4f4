"""The exchange-database (前置库) harvester against a real MariaDB: the
same demo business systems as test_exchange_db.py, loaded from
harvesters/fixtures/exchange_db.mariadb.sql into MariaDB's `exchange_test`
(the server is installed and started by `make test`, the database and its
accounts created by scripts/init.sh), read through PyMySQL."""
from __future__ import annotations

import os

import pymysql
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from .conftest import FIXTURES, PASSWORD_ENV, Exchange, _secrets, snapshot

ENTRY = "czj-budget-gk-320100-03-102"        # 南京市公安局2026年部门预算
WITHDRAWN_AT_SOURCE = "czj-budget-gk-320100-03-204"
FOOD = "nanjing-food-sampling-exchange"
LIVE_ENTRIES = 13                            # 14 rows, one 撤回
LIVE_SAMPLES = 31                            # 32 rows, one 撤回
HOST = "127.0.0.1"
PORT = int(os.environ.get("NANJING_MARIADB_PORT", "3307"))


@pytest.fixture
def exchange_db(monkeypatch) -> Exchange:
    """Overrides conftest's PostgreSQL exchange database, so that its
    `make_source` and `run` fixtures harvest MariaDB here."""
    secrets = _secrets()
    if not secrets.get("EXCHANGE_OWNER_PASSWORD"):
        pytest.fail("没有前置库的账号：运行 make test（scripts/init.sh 创建 MariaDB 的 exchange_test）")
    owner_url = URL.create("mysql+pymysql", username="exchange_owner",
                           password=secrets["EXCHANGE_OWNER_PASSWORD"], host=HOST, port=PORT,
                           database="exchange_test", query={"charset": "utf8mb4"})
    owner = sa.create_engine(owner_url, poolclass=NullPool, connect_args={
        "client_flag": pymysql.constants.CLIENT.MULTI_STATEMENTS,
        "init_command": "SET time_zone = '+08:00'"})
    try:
        raw = owner.raw_connection()
    except sa.exc.OperationalError as error:
        pytest.fail(f"无法连接 MariaDB {HOST}:{PORT}（make test 安装并启动它）：{error.orig}")
    try:
        with raw.cursor() as cursor:
            cursor.execute((FIXTURES / "exchange_db.mariadb.sql").read_text(encoding="utf-8"))
            while cursor.nextset():
                pass
        raw.commit()
    finally:
        raw.close()
    monkeypatch.setenv(PASSWORD_ENV, secrets["EXCHANGE_READER_PASSWORD"])
    reader_url = URL.create("mysql+pymysql", username="exchange_reader", host=HOST, port=PORT,
                            database="exchange_test")
    yield Exchange(owner, reader_url, secrets["EXCHANGE_READER_PASSWORD"])
    owner.dispose()


def show(name: str) -> dict:
    return helpers.call_action("package_show", {"ignore_auth": True}, id=name)


def datastore_rows(resource_id: str, **filters) -> list[dict]:
    return helpers.call_action("datastore_search", {"ignore_auth": True}, resource_id=resource_id,
                               filters=filters, limit=1000)["records"]


def harvested(dataset_type: str) -> list[model.Package]:
    model.Session.expire_all()
    return model.Session.query(model.Package).filter_by(type=dataset_type, state="active").all()


def test_first_run_harvests_entries_and_open_dataset(make_source, run):
    job = run(make_source())

    assert job["status"] == "Finished"
    assert job["gather_errors"] == [] and job["object_errors"] == []
    assert job["stats"]["added"] == LIVE_ENTRIES + 1 and job["stats"]["errored"] == 0
    entries = harvested("gkml_item")
    assert len(entries) == LIVE_ENTRIES and not any(p.private for p in entries)
    assert WITHDRAWN_AT_SOURCE not in {p.name for p in entries}
    entry = show(ENTRY)
    assert entry["title"] == "南京市公安局2026年部门预算"
    assert (entry["area"], entry["audience"], entry["disclosure_attribute"]) == \
        ("budgets", "public", "proactive")
    assert entry["channels"] == ["gov-website", "new-media"]
    assert entry["formed_date"] == "2026-02-10"

    food = show(FOOD)
    assert food["private"] is False and food["organization"]["name"] == "nanjing-scjgj"
    assert [f["name"] for f in food["information_items"]["fields"]][:2] == ["抽样编号", "抽样日期"]
    (resource,) = food["resources"]
    assert resource["datastore_active"] is True
    rows = datastore_rows(resource["id"])
    assert len(rows) == LIVE_SAMPLES
    assert "DC26320117000193" not in {r["抽样编号"] for r in rows}, "撤回的批次不公开"
    (row,) = datastore_rows(resource["id"], 抽样编号="DC26320116000217")
    assert (row["抽样日期"], row["食品名称"]) == ("2026-10-08", "月饼")


@pytest.mark.parametrize("watermark", [True, False], ids=["watermark", "no watermark"])
def test_second_run_with_no_change_creates_and_changes_nothing(make_source, run, exchange_db,
                                                               watermark):
    config = exchange_db.config()
    if not watermark:
        for mapping in config["mappings"]:
            del mapping["watermark"]
    source = make_source(config)
    assert run(source)["stats"]["added"] == LIVE_ENTRIES + 1
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


def test_withdrawn_row_is_made_private_and_marked(make_source, run, exchange_db):
    source = make_source()
    run(source)
    exchange_db.execute("UPDATE czj_budget_disclosure SET status = '撤回', updated_at = now() "
                        "WHERE item_id = 'GK-320100-03-102'")

    job = run(source)

    assert job["stats"]["deleted"] == 1 and job["object_errors"] == []
    entry = show(ENTRY)
    assert entry["private"] is True
    assert entry["notes"].startswith("【已撤回】来源系统于")
    before = snapshot()
    assert run(source)["objects"] == 0
    assert snapshot() == before


def test_row_deleted_at_the_source_is_withdrawn(make_source, run, exchange_db):
    source = make_source()
    run(source)
    exchange_db.execute("DELETE FROM czj_budget_disclosure WHERE item_id = 'GK-320100-03-102'")

    job = run(source)

    assert job["stats"]["deleted"] == 1 and job["object_errors"] == []
    model.Session.expire_all()
    package = model.Package.get(ENTRY)
    assert package.state == "active" and package.private
    assert run(source)["objects"] == 0


def _url(config, **parts):
    url = sa.engine.make_url(config["database_url"]).set(**parts)
    config["database_url"] = url.render_as_string(hide_password=False)


BAD_CONFIGS = {
    "wrong password": (lambda c: (c.pop("password_env"), c.update(password="wrong")),
                       "无法登录前置库 127.0.0.1:{port}/exchange_test：用户名“exchange_reader”或密码错误"),
    "missing database": (lambda c: _url(c, database="exchange_nowhere"),
                         "没有数据库“exchange_nowhere”"),
    "missing table": (lambda c: c["mappings"][0].update(table="v_czj_budget"),
                      "前置库中没有表或视图“v_czj_budget”"),
    "column of a hidden table column": (
        lambda c: c["mappings"][0]["fields"].update(notes="operator"), "没有列“operator”"),
}


@pytest.mark.parametrize("case", BAD_CONFIGS)
def test_bad_config_is_refused_in_chinese_when_saved(case, make_source, exchange_db):
    change, expected = BAD_CONFIGS[case]
    config = exchange_db.config()
    change(config)
    with pytest.raises(tk.ValidationError) as raised:
        make_source(config)
    (message,) = raised.value.error_dict["config"]
    assert message.startswith("采集配置有误："), message
    assert expected.format(port=PORT) in message, message
    assert exchange_db.reader_password not in message
    assert helpers.call_action("harvest_source_list", {"ignore_auth": True}) == []
