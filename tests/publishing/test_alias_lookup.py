"""CKAN's alias lookup, which every `datastore_search` makes first, under
threads as gunicorn runs it: each answer read while its connection is held."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ckanext.datastore.backend import postgres as backend

SCHEMA = {"fields": [{"name": "名称", "type": "string"}]}


def test_alias_lookup_answers_right_from_many_threads(publish_table, call, steward):
    _, status, body = publish_table("nanjing-alias", "别名查找", SCHEMA, "名称\n玄武湖\n")
    assert status == 200, body
    resource_id = body["result"]["id"]
    alias = f"lake_{resource_id[:8]}"  # the DataStore outlives each test's reset
    created = call("datastore_create", steward, resource_id=resource_id, aliases=alias, force=True)
    assert created["success"], created
    datastore = backend.DatastorePostgresqlBackend.get_active_backend()
    lookups = [resource_id, alias, "no-such-table"] * 400
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(datastore.resource_id_from_alias, lookups))
    expected = {resource_id: (True, None), alias: (True, resource_id),
                "no-such-table": (False, None)}
    assert answers == [expected[name] for name in lookups]
    # The search an alias names is the table's.
    found = call("datastore_search", resource_id=alias)
    assert [row["名称"] for row in found["result"]["records"]] == ["玄武湖"]
