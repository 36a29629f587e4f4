"""A conditional dataset (有条件开放) with an uploaded table loaded into
the DataStore and a link resource, and the accounts that read it."""
from __future__ import annotations

import dataclasses
import datetime

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories

from ckanext.nanjing.access import grants
from ckanext.nanjing.access.model import Grant
from ckanext.nanjing.localtime import today

from ..publishing.conftest import VALID_CSV, dataset_dict

LINK_TARGET = "https://data.example.gov.cn/secret/hazchem-licences.html"
CONDITIONS = "实名注册用户提交用途说明并签署数据使用协议后下载"


@dataclasses.dataclass
class Conditional:
    package: dict
    table: dict       # uploaded CSV, in the DataStore
    link: dict        # a link resource
    view_id: str      # the table's preview (datatables_view)
    steward: dict


@pytest.fixture
def conditional(clean_db, org, steward, call, upload) -> Conditional:
    created = call("package_create", steward, **dataset_dict(
        org, name="nanjing-hazchem", title="危险化学品经营许可证信息",
        open_type="conditional", open_conditions=CONDITIONS,
        share_type="conditional", share_conditions=CONDITIONS))
    assert created["success"], created
    package = created["result"]
    status, body = upload("resource_create", steward, VALID_CSV.encode("utf-8"), "table.csv",
                          package_id=package["id"], name="许可证清单", format="CSV")
    assert status == 200, body
    table = call("resource_show", steward, id=body["result"]["id"])["result"]
    assert table["datastore_active"], table
    linked = call("resource_create", steward, package_id=package["id"], name="业务系统查询页",
                  url=LINK_TARGET, format="HTML")
    assert linked["success"], linked
    views = tk.get_action("resource_view_list")({"ignore_auth": True}, {"id": table["id"]})
    table_view = next(v for v in views if v["view_type"] == "datatables_view")
    return Conditional(package, table, linked["result"], table_view["id"], steward)


@pytest.fixture(autouse=True)
def fresh_register_counter():
    """Registrations and failed logins are counted per address in Redis,
    across tests and runs."""
    redis = connect_to_redis()
    for pattern in ("*:nanjing:register:*", "*:nanjing:login-failures:*"):
        for key in redis.scan_iter(pattern):
            redis.delete(key)


def account(name: str) -> dict:
    return factories.UserWithToken(name=name)


def grant_to(user: dict, package_id: str, days_from: int = -1, days_to: int = 30,
             state: str = "active", **scope) -> Grant:
    day = today()
    issued = grants.issue(model.User.get(user["id"]).id, model.Package.get(package_id),
                          day + datetime.timedelta(days=days_from),
                          day + datetime.timedelta(days=days_to), **scope)
    if state == "revoked":
        grants.revoke(issued, "超出协议约定用途使用数据")
    elif state == "suspended":
        grants.suspend(issued, "未按期报送利用情况")
    return issued


@pytest.fixture
def roles(conditional, org, call) -> dict[str, dict | None]:
    """Every kind of reader the rule tells apart (None: anonymous)."""
    member = account("org-member")
    tk.get_action("organization_member_create")(
        {"ignore_auth": True}, {"id": org["id"], "username": member["name"], "role": "member"})
    holder, expired, revoked = account("holder"), account("expired"), account("revoked")
    grant_to(holder, conditional.package["id"])
    grant_to(expired, conditional.package["id"], days_from=-60, days_to=-1)
    grant_to(revoked, conditional.package["id"], state="revoked")
    return {"anonymous": None, "registered": account("registered"), "grant": holder,
            "expired grant": expired, "revoked grant": revoked, "member": member,
            "sysadmin": factories.SysadminWithToken()}
