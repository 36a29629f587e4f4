"""Fixtures of the harvester tests: the exchange database (前置库) of the
demo business systems in its own PostgreSQL database `exchange_test`
(created by scripts/init.sh), reloaded from harvesters/fixtures/ for every
test, and helpers to create harvest sources and run them in-process as
`ckan harvester run-test` does."""
from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.harvest.queue import get_harvester
from ckanext.harvest.tests.lib import run_harvest_job

from ..support import ROOT

FIXTURES = ROOT / "harvesters" / "fixtures"
DATABASE = "exchange_test"
PASSWORD_ENV = "NANJING_EXCHANGE_TEST_PASSWORD"
SOURCE_TYPE = "nanjing_exchange_db"


def _secrets() -> dict[str, str]:
    path = Path(os.environ.get("NANJING_LOCAL", ROOT / ".local")) / "secrets.env"
    values = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


@dataclass
class Exchange:
    """The test exchange database: `owner` writes as the business systems
    do; the harvester reads as exchange_reader."""
    owner: sa.Engine
    reader_url: URL          # without password
    reader_password: str

    def execute(self, sql: str, **params) -> None:
        with self.owner.begin() as connection:
            connection.execute(sa.text(sql), params)

    def config(self, **changes) -> dict:
        """The demo source's configuration, pointed at exchange_test."""
        config = json.loads((FIXTURES / "exchange_demo_source.json").read_text(encoding="utf-8"))
        config["database_url"] = self.reader_url.render_as_string(hide_password=False)
        config["password_env"] = PASSWORD_ENV
        config.update(changes)
        return copy.deepcopy(config)


@pytest.fixture
def exchange_db(monkeypatch) -> Exchange:
    secrets = _secrets()
    if not secrets.get("EXCHANGE_OWNER_PASSWORD"):
        pytest.fail("没有前置库的账号：运行 make services（scripts/init.sh 创建 exchange_test）")
    ckan_db = make_url(tk.config["sqlalchemy.url"])
    owner_url = URL.create("postgresql", username="exchange_owner",
                           password=secrets["EXCHANGE_OWNER_PASSWORD"],
                           host=ckan_db.host, port=ckan_db.port, database=DATABASE)
    owner = sa.create_engine(owner_url, poolclass=NullPool)
    raw = owner.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute((FIXTURES / "exchange_db.sql").read_text(encoding="utf-8"))
        raw.commit()
    finally:
        raw.close()
    monkeypatch.setenv(PASSWORD_ENV, secrets["EXCHANGE_READER_PASSWORD"])
    reader_url = URL.create("postgresql", username="exchange_reader", host=ckan_db.host,
                            port=ckan_db.port, database=DATABASE)
    yield Exchange(owner, reader_url, secrets["EXCHANGE_READER_PASSWORD"])
    owner.dispose()


@pytest.fixture
def sysadmin(clean_db):
    return factories.Sysadmin()


@pytest.fixture
def orgs(clean_db, clean_index):
    return {name: factories.Organization(name=name, title=title) for name, title in (
        ("nanjing-czj", "南京市财政局"), ("nanjing-scjgj", "南京市市场监督管理局"))}


@pytest.fixture
def make_source(orgs, sysadmin, exchange_db):
    """Creates a harvest source through the API, as a steward would."""
    def make(config: dict | None = None, name: str = "exchange-demo") -> dict:
        config = exchange_db.config() if config is None else config
        return helpers.call_action(
            "harvest_source_create", {"user": sysadmin["name"]},
            name=name, title="前置库：市财政局、市市场监管局", url="postgresql://前置库/exchange_test",
            source_type=SOURCE_TYPE, owner_org=orgs["nanjing-czj"]["id"],
            config=json.dumps(config, ensure_ascii=False))
    return make


@pytest.fixture
def run():
    """Runs a source's job in-process: gather, fetch and import, then
    marks it finished (ckanext-harvest's run-test). Returns the job."""
    def run(source: dict) -> dict:
        job = helpers.call_action("harvest_job_create", {"ignore_auth": True},
                                  source_id=source["id"], run=False)
        run_harvest_job(HarvestJob.get(job["id"]),
                        get_harvester(source.get("source_type") or SOURCE_TYPE))
        model.Session.expire_all()
        return job_report(job["id"])
    return run


def job_report(job_id: str) -> dict:
    job = helpers.call_action("harvest_job_show", {"ignore_auth": True}, id=job_id)
    report = helpers.call_action("harvest_job_report", {"ignore_auth": True}, id=job_id)
    job["gather_errors"] = [e["message"] for e in report["gather_errors"]]
    job["object_errors"] = [e["message"] for obj in report["object_errors"].values()
                            for e in obj["errors"]]
    job["objects"] = model.Session.query(HarvestObject).filter_by(harvest_job_id=job_id).count()
    return job


def snapshot() -> dict[str, tuple]:
    """Every harvested dataset: what a second run must leave as it is."""
    model.Session.expire_all()
    return {p.name: (p.metadata_modified, p.private, p.state, p.title)
            for p in model.Session.query(model.Package).filter(model.Package.type != "harvest")}


@pytest.fixture
def harvest_consumers(ckan_ini, tmp_path):
    """ckanext-harvest's real gather and fetch consumers (tests/harvesters/queues.py)."""
    from ckanext.harvest import queue
    from .queues import Consumers

    queue.purge_queues()   # nothing left over from another test
    running = Consumers(ckan_ini, tmp_path)
    yield running
    running.stop()
    queue.purge_queues()
