"""A harvest job interrupted half-way: the fetch consumer killed, or its
database connections cut, in the middle of a job run by ckanext-harvest's
real consumers (`ckan harvester gather-consumer` / `fetch-consumer`,
queues on Redis). Run again, the catalog holds exactly the source's records:
no duplicates, no losses."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import helpers
from ckanext.harvest.model import HarvestJob

from .conftest import PASSWORD_ENV
from .queues import (APP_NAME, current_objects_per_guid, interrupt_and_run_again,
                     job_status, objects, run_to_the_end, wait)

EXTRA_ROWS = 160


def _add_rows(exchange_db, count: int) -> None:
    exchange_db.execute(f"""
        INSERT INTO czj_budget_disclosure (item_id, dept_name, title, category, content, basis,
            deadline, channels, attribute, formed_date, doc_url, operator, status, updated_at)
        SELECT 'GK-320100-09-' || lpad(n::text, 4, '0'), '南京市第' || n || '预算单位',
               '南京市第' || n || '预算单位2026年部门预算', '部门预算', '部门收支总表等九张表及情况说明',
               '《中华人民共和国预算法》第十四条', '财政部门批复后20日内', '政府网站',
               '主动公开', DATE '2026-02-10', 'https://czj.nanjing.gov.cn/ysgk/2026/bmys/' || n || '/',
               '周*', '正常', now()
          FROM generate_series(1, {count}) AS n""")


def _expected_names(exchange_db) -> set[str]:
    with exchange_db.owner.connect() as connection:
        keys = connection.execute(sa.text(
            "SELECT item_id FROM czj_budget_disclosure WHERE status = '正常'")).scalars().all()
    return {f"czj-budget-{key.lower()}" for key in keys}


@pytest.fixture
def consumers(harvest_consumers, exchange_db):
    """The consumers, with the exchange database's password (password_env)."""
    harvest_consumers.env[PASSWORD_ENV] = exchange_db.reader_password
    return harvest_consumers


def _assert_catalog_is_exactly_the_source(exchange_db, source: dict) -> None:
    model.Session.expire_all()
    expected = _expected_names(exchange_db)
    entries = model.Session.query(model.Package.name, model.Package.private) \
        .filter_by(type="gkml_item", state="active").all()
    names = [name for name, _ in entries]
    assert len(names) == len(set(names))
    assert set(names) == expected, (sorted(set(names) - expected)[:5],
                                    sorted(expected - set(names))[:5])
    assert not any(private for _, private in entries)
    # One dataset per source record, each with one current harvest object.
    current = current_objects_per_guid(source["id"])
    assert set(current.values()) == {1}
    assert len(current) == len(expected) + 1   # and the food-sampling dataset
    assert tk.get_action("package_search")({"ignore_auth": True}, {
        "fq": "dataset_type:gkml_item", "rows": 0})["count"] == len(expected)


def test_killed_fetch_consumer_then_run_again_loses_and_duplicates_nothing(
        make_source, exchange_db, consumers):
    _add_rows(exchange_db, EXTRA_ROWS)
    source = make_source()

    total, done, second = interrupt_and_run_again(consumers, source, after=30)

    _assert_catalog_is_exactly_the_source(exchange_db, source)
    # The second job did only what the first left undone.
    assert objects(second) <= total - done + 1
    # A third run finds nothing to do.
    assert objects(run_to_the_end(source)) == 0


def test_cut_database_connection_then_run_again_loses_and_duplicates_nothing(
        make_source, exchange_db, consumers):
    _add_rows(exchange_db, EXTRA_ROWS)
    source = make_source()
    consumers.start("gather")
    consumers.start("fetch")
    job = helpers.call_action("harvest_job_create", {"ignore_auth": True},
                              source_id=source["id"], run=True)
    wait("30 imported records", lambda: objects(job["id"], "COMPLETE") >= 30)

    cut = model.Session.execute(sa.text(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE application_name = :name"), {"name": APP_NAME}).scalar()
    model.Session.commit()
    assert cut >= 1, "the fetch consumer's connection was cut"

    # Whatever the consumer makes of it, the job is not left Running for
    # ever: it ends, by itself or by abort (as ckan.harvest.timeout would).
    time.sleep(3)
    if job_status(job["id"]) != "Finished":
        helpers.call_action("harvest_job_abort", {"ignore_auth": True}, id=job["id"])
    if not consumers.alive("fetch"):
        consumers.kill("fetch")
        consumers.start("fetch")

    run_to_the_end(source)

    _assert_catalog_is_exactly_the_source(exchange_db, source)


def test_stuck_job_is_ended_by_the_timeout_with_a_message(make_source, exchange_db, monkeypatch):
    """No consumer at all: `ckan harvester run` ends the job once it has
    been idle longer than ckan.harvest.timeout (minutes)."""
    source = make_source()
    job = helpers.call_action("harvest_job_create", {"ignore_auth": True},
                              source_id=source["id"], run=False)
    job_obj = HarvestJob.get(job["id"])
    job_obj.status = "Running"
    job_obj.gather_started = job_obj.created = \
        job_obj.created.replace(year=job_obj.created.year - 1)
    job_obj.save()
    assert tk.config.get("ckan.harvest.timeout"), "test.ini sets the timeout"

    helpers.call_action("harvest_jobs_run", {"ignore_auth": True}, source_id=source["id"])

    assert job_status(job["id"]) == "Finished"
    report = helpers.call_action("harvest_job_report", {"ignore_auth": True}, id=job["id"])
    assert "timeout" in report["gather_errors"][0]["message"]
