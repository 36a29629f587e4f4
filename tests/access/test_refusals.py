"""Grants that do not hold, and hostile ways in: each is refused with a
Chinese reason, never a 500, and nothing of the data comes back."""
from __future__ import annotations

import jwt
import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.nanjing.access import grants

from ..publishing.conftest import dataset_dict
from .conftest import account, grant_to
from .test_sweep import _headers


def _search(call, user, resource_id, **params):
    return call("datastore_search", user, resource_id=resource_id, **params)


def test_the_public_is_told_how_to_apply(app, call, conditional):
    answer = _search(call, None, conditional.table["id"])
    assert not answer["success"] and "申请获取" in answer["error"]["message"]
    page = app.get(f"/datastore/dump/{conditional.table['id']}", status=403)
    assert "有条件开放" in page.text and "玄武湖" not in page.text


@pytest.mark.parametrize("token", [
    "not-a-token",
    jwt.encode({"jti": "x" * 20, "iat": 1700000000}, "another-secret-of-32-bytes-or-more!!",
               algorithm="HS256"),
    "Bearer " + "A" * 5000,
])
def test_forged_tokens_read_nothing(app, conditional, token):
    response = app.post("/api/3/action/datastore_search", json={
        "resource_id": conditional.table["id"]}, headers={"Authorization": token}, status=None)
    assert response.status_code in (400, 403), response.status_code
    assert "玄武湖" not in response.text


def test_a_revoked_api_token_reads_nothing(call, conditional, roles):
    holder = roles["grant"]
    assert _search(call, holder, conditional.table["id"])["success"]
    token_ids = [t["id"] for t in tk.get_action("api_token_list")(
        {"ignore_auth": True}, {"user_id": holder["name"]})]
    for token_id in token_ids:
        tk.get_action("api_token_revoke")({"ignore_auth": True}, {"jti": token_id})
    answer = _search(call, holder, conditional.table["id"])
    assert not answer["success"] and "records" not in str(answer)


def test_a_grant_for_one_resource_does_not_open_another(app, call, conditional):
    reader = account("link-only")
    grant_to(reader, conditional.package["id"], resource_ids=[conditional.link["id"]])
    answer = _search(call, reader, conditional.table["id"])
    assert not answer["success"] and "不包括该资源" in answer["error"]["message"]
    name = conditional.package["name"]
    app.get(f"/dataset/{name}/resource/{conditional.table['id']}/download/table.csv",
            headers=_headers(reader), status=403)
    app.get(f"/dataset/{name}/resource/{conditional.link['id']}/download",
            headers=_headers(reader), status=302, follow_redirects=False)


def test_a_grant_revoked_between_two_calls_refuses_the_second(app, call, conditional):
    reader = account("soon-revoked")
    grant = grant_to(reader, conditional.package["id"])
    assert _search(call, reader, conditional.table["id"])["success"]
    grants.revoke(model.Session.merge(grant), "违反协议对外提供数据")
    answer = _search(call, reader, conditional.table["id"])
    assert not answer["success"]
    assert "撤销" in answer["error"]["message"] and "违反协议对外提供数据" in answer["error"]["message"]
    page = app.get(f"/datastore/dump/{conditional.table['id']}", headers=_headers(reader),
                   status=403)
    assert "撤销" in page.text


def test_suspended_and_expired_grants_say_so(call, conditional):
    suspended, expired = account("suspended"), account("lapsed")
    grant_to(suspended, conditional.package["id"], state="suspended")
    grant_to(expired, conditional.package["id"], days_from=-30, days_to=-2)
    assert "暂停" in _search(call, suspended, conditional.table["id"])["error"]["message"]
    assert "到期" in _search(call, expired, conditional.table["id"])["error"]["message"]


def test_a_grant_of_some_fields_answers_only_those(app, call, conditional):
    reader = account("two-fields")
    grant_to(reader, conditional.package["id"], fields=["监测点", "监测日期"])
    table = conditional.table["id"]
    answer = _search(call, reader, table)
    assert answer["success"], answer
    assert [f["id"] for f in answer["result"]["fields"]] == ["监测点", "监测日期"]
    assert all(set(r) <= {"_id", "监测点", "监测日期"} for r in answer["result"]["records"])
    for params in ({"fields": ["所在区"]}, {"filters": {"所在区": "玄武区"}},
                   {"sort": "PM2.5浓度 desc"}, {"q": "玄武"}):
        refused = _search(call, reader, table, **params)
        assert not refused["success"], params
        assert "字段" in refused["error"]["message"], refused
    sql = call("datastore_search_sql", reader, sql=f'SELECT * FROM "{table}"')
    assert not sql["success"] and "部分字段" in sql["error"]["message"]
    name = conditional.package["name"]
    app.get(f"/dataset/{name}/resource/{table}/download/table.csv", headers=_headers(reader),
            status=403)
    dumped = app.get(f"/datastore/dump/{table}?format=csv", headers=_headers(reader)).text
    assert dumped.lstrip("\ufeff").splitlines()[0] == "监测点,监测日期"


@pytest.mark.parametrize("path", [
    "/datastore/dump/%27%3B%20DROP%20TABLE%20x%3B--",
    "/resource/" + "9" * 300 + "/export.csv",
    "/dataset/nanjing-hazchem/resource/%00/download",
    "/datatables/ajax/not-a-view",
])
def test_hostile_ids_on_data_paths_are_not_found(app, conditional, path):
    response = app.get(path, status=None) if "ajax" not in path else app.post(path, status=None)
    assert response.status_code in (400, 404), (path, response.status_code)


def test_a_dataset_not_open_cannot_be_made_public(call, steward, org):
    data = dataset_dict(org, name="nanjing-closed", open_type="not-open", private=False)
    refused = call("package_create", steward, **data)
    assert not refused["success"]
    assert "不予开放" in str(refused["error"]["private"])
    created = call("package_create", steward, **dict(data, private=True))
    assert created["success"], created
    patched = call("package_patch", steward, id="nanjing-closed", private=False)
    assert not patched["success"] and "不予开放" in str(patched["error"])
    assert call("package_show", None, id="nanjing-closed")["success"] is False
