"""Fixtures of the request tests: two handling organizations with their
stewards, a reviewer of the openness office, an outsider, and `apply`."""
from __future__ import annotations

import types

import pytest

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories

ID_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))


def id_number(first17: str = "32010219900307123") -> str:
    """A 居民身份证号 with its right check character."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS))
    return first17 + "10X98765432"[total % 11]


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


@pytest.fixture(autouse=True)
def fresh_counters():
    """Rate-limit and wrong-code counters live in Redis across tests."""
    redis = connect_to_redis()
    site = tk.config.get("ckan.site_id")
    for pattern in (f"{site}:nanjing:request-*",):
        for key in redis.scan_iter(pattern):
            redis.delete(key)


@pytest.fixture
def people(clean_db):
    steward = factories.UserWithToken(fullname="张办理")
    other_steward = factories.UserWithToken()
    reviewer = factories.UserWithToken(fullname="李审核")
    outsider = factories.UserWithToken()
    fgw = factories.Organization(name="nanjing-fgw", title="南京市发展和改革委员会",
                                 users=[{"name": steward["name"], "capacity": "editor"}])
    czj = factories.Organization(name="nanjing-czj", title="南京市财政局",
                                 users=[{"name": other_steward["name"], "capacity": "editor"}])
    factories.Organization(name="nanjing-zfbgt", title="南京市人民政府办公厅",
                           users=[{"name": reviewer["name"], "capacity": "editor"}])
    return types.SimpleNamespace(steward=steward, other_steward=other_steward,
                                 reviewer=reviewer, outsider=outsider, fgw=fgw, czj=czj)


def application(**overrides) -> dict:
    data = {
        "organization": "nanjing-fgw", "applicant_type": "natural", "name": "王小明",
        "id_type": "id_card", "id_number": id_number(), "phone": "13912345678",
        "email": "wang@example.com", "address": "南京市玄武区北京东路41号",
        "description": "2026年度南京市重大建设项目计划中江北新区各项目的总投资和年度投资额",
        "doc_number": "宁发改投资发〔2026〕12号", "purpose": "研究",
        "provision": "email", "delivery": "email", "fee_waiver": False, "undertaking": True,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def apply(call, people):
    """Applies anonymously (or as `user`) and returns the API answer."""
    def apply(user=None, **overrides):
        return call("nanjing_request_create", user, **application(**overrides))
    return apply


@pytest.fixture
def applied(apply):
    answer = apply()
    assert answer["success"], answer
    return answer["result"]
