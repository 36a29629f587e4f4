"""`ckan nanjing-access demo`: applications in every state for each
conditional dataset, through the real actions; running it again adds nothing."""
from __future__ import annotations

import collections

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories

from ckanext.nanjing import identifiers
from ckanext.nanjing.access import clock, demo
from ckanext.nanjing.access.dicts import grant_status
from ckanext.nanjing.access.model import Application, Grant
from ckanext.nanjing.access.states import STATES

from ..publishing.conftest import dataset_dict


def test_the_demo_holds_every_state_for_each_conditional_dataset(clean_db, org, steward, call,
                                                                  cli):
    factories.Sysadmin(name=tk.config.get("ckanext.nanjing.demo_user"))
    for name in demo.DATASETS:
        created = call("package_create", steward, **dataset_dict(
            org, name=name, title=name, open_type="conditional", open_conditions="实名申请",
            share_type="conditional", share_conditions="实名申请",
            resources=[{"name": "查询页", "url": "https://data.example.gov.cn/query.html",
                        "format": "HTML"}]))
        assert created["success"], created
    first = cli.invoke(ckan_command, ["nanjing-access", "demo"])
    assert first.exit_code == 0, first.output
    rows = model.Session.query(Application).all()
    assert len(rows) == len(demo.DATASETS) * len(demo.SCENARIOS)
    for name in demo.DATASETS:
        package_id = model.Package.get(name).id
        assert {a.state for a in rows if a.package_id == package_id} == set(STATES)
    statuses = collections.Counter(grant_status(g) for g in model.Session.query(Grant))
    assert set(statuses) == {"active", "suspended", "revoked", "expired"}, statuses
    deadlines = collections.Counter(clock.deadline_dict(a)["status"] for a in rows)
    assert deadlines["overdue"] == len(demo.DATASETS) and deadlines["paused"], deadlines
    for _name, profile in demo.APPLICANTS:
        number = profile["id_number"]
        assert (identifiers.id_number_problem(number) if profile["id_type"] == "id_card"
                else identifiers.credit_code_problem(number)) is None, number
    assert f"有条件开放数据申请共 {len(rows)} 件" in first.output
    again = cli.invoke(ckan_command, ["nanjing-access", "demo"])
    assert again.exit_code == 0 and "不再重复载入" in again.output
    assert model.Session.query(Application).count() == len(rows)
