"""`ckan nanjing-requests demo`: a year of requests in every state and with
every reply result, through the real actions; running it again adds nothing."""
from __future__ import annotations

import collections

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories

from ckanext.nanjing import identifiers
from ckanext.nanjing.requests import clock, demo, privacy, results
from ckanext.nanjing.requests.model import Request, RequestAppeal, RequestEvent
from ckanext.nanjing.requests.states import PAUSE_KINDS, STATES


@pytest.fixture
def catalog(clean_db):
    """The demo catalog's bodies and the demo sysadmin (the catalog's own
    loading is tested in tests/test_loader.py)."""
    factories.Sysadmin(name=tk.config.get("ckanext.nanjing.demo_user"))
    factories.Organization(name="nanjing-zfbgt", title="南京市人民政府办公厅")
    for name in demo.ORGANIZATIONS:
        factories.Organization(name=name, title=name)


def test_the_demo_holds_every_state_and_result_once(catalog, cli):
    first = cli.invoke(ckan_command, ["nanjing-requests", "demo"])
    assert first.exit_code == 0, first.output
    rows = model.Session.query(Request).all()
    assert 60 <= len(rows) <= 90
    assert f"依申请公开申请共 {len(rows)} 件" in first.output

    states = collections.Counter(r.state for r in rows)
    assert set(states) == set(STATES), states
    assert {r.pause_kind for r in rows if r.state == "paused"} == set(PAUSE_KINDS)
    assert {r.result for r in rows if r.result} == set(results.RESULTS)
    status = collections.Counter(clock.deadline_dict(r)["status"] for r in rows)
    assert status["near"] >= 3 and status["overdue"] >= 3, status
    replied_late = [r for r in rows if r.result and clock.deadline_dict(r)["on_time"] is False]
    assert replied_late

    transitions = collections.Counter(e.transition for e in model.Session.query(RequestEvent))
    for transition in ("request_correction", "submit_correction", "approve_extension",
                       "start_consultation", "end_consultation", "fee_paid", "withdraw"):
        assert transitions[transition] >= 1, transition
    outcomes = {a.outcome for a in model.Session.query(RequestAppeal)}
    assert {"upheld", "corrected", "pending"} <= outcomes

    assert {r.applicant_category for r in rows} == {
        "natural", "business", "research", "nonprofit", "legal_service", "other"}
    assert all(r.email == "" for r in rows)  # the demo mails nobody
    assert len({r.received.month for r in rows}) >= 6  # spread over the year
    for row in rows:
        number = privacy.decrypt(row.id_number_encrypted)
        if row.id_type == "id_card":
            assert identifiers.id_number_problem(number) is None, number
        elif row.id_type == "credit_code":
            assert identifiers.is_credit_code(number) and identifiers.is_registered_credit_code(number)

    second = cli.invoke(ckan_command, ["nanjing-requests", "demo"])
    assert second.exit_code == 0, second.output
    assert "演示申请已存在" in second.output
    assert model.Session.query(Request).count() == len(rows)


def test_the_demo_needs_the_catalog(clean_db, cli):
    factories.Sysadmin(name=tk.config.get("ckanext.nanjing.demo_user"))
    result = cli.invoke(ckan_command, ["nanjing-requests", "demo"])
    assert result.exit_code == 1
    assert "演示目录中缺少这些机关" in result.output
    assert model.Session.query(Request).count() == 0
