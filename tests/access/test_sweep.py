"""Every data path of a conditional dataset, tried as every kind of reader:
each path is open exactly to the owning body's members, sysadmins and the
holder of an active grant. The metadata stays public on every path."""
from __future__ import annotations

import json

import ckan.model as model

from ckanext.nanjing.access import paths
from ckanext.nanjing.access.model import AccessLog

from .conftest import LINK_TARGET

ALLOWED = {"grant", "member", "sysadmin"}


def _headers(user):
    return {"Authorization": user["token"]} if user else {}


def _paths(app, call, c, user):
    """{path: True when the data came back, False when refused}."""
    name, table, link = c.package["name"], c.table["id"], c.link["id"]
    get = lambda url, **kw: app.get(url, headers=_headers(user), status=None, **kw)  # noqa: E731
    seen = {}
    seen["file download"] = get(f"/dataset/{name}/resource/{table}/download/table.csv") \
        .status_code == 200
    response = get(f"/dataset/{name}/resource/{link}/download", follow_redirects=False)
    seen["link download"] = response.status_code == 302 \
        and response.headers["Location"] == LINK_TARGET
    shown = call("package_show", user, id=name)["result"]
    seen["link in package_show"] = LINK_TARGET in json.dumps(shown)
    seen["link in resource_show"] = call("resource_show", user, id=link)["result"]["url"] \
        == LINK_TARGET
    found = call("package_search", user, q="name:nanjing-hazchem")["result"]["results"]
    seen["link in package_search"] = LINK_TARGET in json.dumps(found)
    raw = call("package_search", user, q="name:nanjing-hazchem",
               fl="validated_data_dict,data_dict,res_url")["result"]["results"]
    seen["link in package_search fl"] = LINK_TARGET in json.dumps(raw)
    seen["link on the resource page"] = LINK_TARGET in get(f"/dataset/{name}/resource/{link}").text
    for fmt in ("csv", "json", "xml", "xlsx"):
        seen[f"dump {fmt}"] = get(f"/datastore/dump/{table}?format={fmt}").status_code == 200
    seen["datastore_search"] = call("datastore_search", user, resource_id=table)["success"]
    sql = f'SELECT * FROM "{table}"'
    seen["datastore_search_sql"] = call("datastore_search_sql", user, sql=sql)["success"]
    seen["datastore_info"] = call("datastore_info", user, id=table)["success"]
    for fmt in ("csv", "json", "xlsx"):
        seen[f"export {fmt}"] = get(f"/resource/{table}/export.{fmt}").status_code == 200
    seen["last valid file"] = get(f"/resource/{table}/last-valid").status_code == 200
    preview = app.post(f"/datatables/ajax/{c.view_id}", headers=_headers(user), status=None,
                       data={"draw": "1", "start": "0", "length": "10", "search[value]": "",
                             "order[0][column]": "0", "order[0][dir]": "asc"})
    # CKAN's preview answers JSON as text/html.
    seen["table preview"] = preview.status_code == 200 and bool(json.loads(preview.text)["data"])
    activity = call("package_activity_list", user, id=name, include_data=True)
    seen["link in activity stream"] = LINK_TARGET in json.dumps(activity)
    return seen


# Paths whose answer must not depend on the reader: the metadata.
METADATA = {"dataset page": lambda app, c, user: app.get(
    f"/dataset/{c.package['name']}", headers=_headers(user), status=None).status_code == 200}


def test_every_data_path_is_open_exactly_to_members_sysadmins_and_grant_holders(
        app, call, conditional, roles):
    matrix = {role: _paths(app, call, conditional, user) for role, user in roles.items()}
    wrong = []
    for role, seen in matrix.items():
        for path, open_ in seen.items():
            expected = role in ALLOWED
            if open_ != expected:
                wrong.append(f"{role}: {path} {'open' if open_ else 'refused'}")
        assert METADATA["dataset page"](app, conditional, roles[role]), role
    checks = sum(len(seen) for seen in matrix.values())
    print(f"\nsweep: {len(matrix)} readers × {len(matrix['anonymous'])} paths = {checks} checks")
    assert not wrong, "\n".join(wrong)


def test_reads_under_a_grant_are_logged_with_the_grant_and_refusals_are_not(
        app, call, conditional, roles):
    holder = roles["grant"]
    table = conditional.table["id"]
    assert call("datastore_search", holder, resource_id=table, limit=2)["success"]
    dumped = app.get(f"/datastore/dump/{table}?format=csv", headers=_headers(holder)).data
    downloaded = app.get(
        f"/dataset/{conditional.package['name']}/resource/{table}/download/table.csv",
        headers=_headers(holder)).data
    assert not call("datastore_search", roles["registered"], resource_id=table)["success"]
    rows = model.Session.query(AccessLog).order_by(AccessLog.id).all()
    user_id = model.User.get(holder["name"]).id
    assert [(r.path, r.basis, r.user_id) for r in rows] == [
        ("datastore_search", "grant", user_id), ("dump", "grant", user_id),
        ("download", "grant", user_id)]
    assert all(r.grant_id and r.resource_id == table for r in rows)
    assert rows[0].rows == 2
    # What was sent: a dump cut short logs the bytes that went out.
    assert (rows[1].bytes, rows[2].bytes) == (len(dumped), len(downloaded))


def test_the_resource_page_says_why_and_on_what_terms_instead_of_a_preview(
        app, conditional, roles):
    path = f"/dataset/{conditional.package['name']}/resource/{conditional.table['id']}"
    public = app.get(path).text
    assert "该数据暂未向您开放" in public and "申请获取" in public
    assert "实名注册用户提交用途说明" in public
    assert "/datatables/" not in public and "export.csv" not in public
    held = app.get(path, headers=_headers(roles["grant"])).text
    assert "该数据暂未向您开放" not in held and "export.csv" in held


def test_every_data_endpoint_of_every_dataset_type_is_guarded(app):
    """Plugins that install data views after `nanjing_access` (or new
    dataset types) would slip past the rule; none does."""
    guarded = paths.guarded_endpoints(app.flask_app)
    assert {"open_dataset_resource.download", "gkml_item_resource.download",
            "datastore.dump", "nanjing.export_table", "nanjing.last_valid_file",
            "datatablesview.ajax", "datatablesview.filtered_download"} <= set(guarded)
    assert all(guarded.values()), [endpoint for endpoint, ok in guarded.items() if not ok]


def test_a_sql_read_under_a_grant_is_logged_once_per_table(call, conditional, roles):
    table = conditional.table["id"]
    sql = f'SELECT a."监测点" FROM "{table}" a JOIN "{table}" b ON a._id = b._id'
    assert call("datastore_search_sql", roles["grant"], sql=sql)["success"]
    rows = model.Session.query(AccessLog).all()
    assert [(r.path, r.basis, r.resource_id, r.rows) for r in rows] == [
        ("datastore_search_sql", "grant", table, 3)]
