"""Fixtures of 互动交流: the office (a reviewer of 政府办公厅), two bodies
with a steward each, a signed-in member of the public, the anti-spam
question solved as a person solves it, and empty rate-limit counters."""
from __future__ import annotations

import re
import types

import pytest

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories

NUMERALS = "零一二三四五六七八九十"


@pytest.fixture(autouse=True)
def fresh_counters():
    redis = connect_to_redis()
    site = tk.config.get("ckan.site_id")
    for key in redis.scan_iter(f"{site}:nanjing:interaction-*"):
        redis.delete(key)


@pytest.fixture
def quick(monkeypatch):
    """A test answers the question faster than a person may."""
    monkeypatch.setitem(tk.config, "ckanext.nanjing.interaction.challenge_min_seconds", 0)


@pytest.fixture
def people(clean_db):
    office = factories.UserWithToken(fullname="李审看", email="office@nanjing.example")
    steward = factories.UserWithToken(fullname="张办理", email="fgw@nanjing.example")
    other_steward = factories.UserWithToken(fullname="王办理", email="czj@nanjing.example")
    citizen = factories.UserWithToken(fullname="赵市民", email="zhao@nanjing.example")
    fgw = factories.Organization(name="nanjing-fgw", title="南京市发展和改革委员会",
                                 users=[{"name": steward["name"], "capacity": "editor"}])
    czj = factories.Organization(name="nanjing-czj", title="南京市财政局",
                                 users=[{"name": other_steward["name"], "capacity": "editor"}])
    factories.Organization(name="nanjing-zfbgt", title="南京市人民政府办公厅",
                           users=[{"name": office["name"], "capacity": "editor"}])
    return types.SimpleNamespace(office=office, steward=steward, other_steward=other_steward,
                                 citizen=citizen, fgw=fgw, czj=czj)


def solve(question: str) -> str:
    first, operator, second = re.search(r"(.)(加|减)(.)等于几", question).groups()
    a, b = NUMERALS.index(first), NUMERALS.index(second)
    return str(a + b if operator == "加" else a - b)


@pytest.fixture
def send(call, quick):
    """Sends a message as a visitor (answering the question) or as `user`."""
    def send(user=None, **data):
        fields = {"kind": "consult", "title": "公交线路咨询", "text": "请问 2 路公交何时恢复？", **data}
        if user is None:
            question = call("nanjing_interaction_challenge")["result"]
            fields.setdefault("challenge_token", question["token"])
            fields.setdefault("challenge_answer", solve(question["question"]))
        return call("nanjing_interaction_create", user, **fields)
    return send
