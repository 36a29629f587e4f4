"""Conditional data behind the demo's nginx with its micro-cache on: what
the rule allowed one reader is never stored and handed to another."""
from __future__ import annotations

from ..test_serving import cached_nginx  # noqa: F401 - the fixture


def test_the_micro_cache_never_hands_conditional_data_to_another_reader(
        cached_nginx, conditional, roles):  # noqa: F811
    table = conditional.table["id"]
    for path in (f"/datastore/dump/{table}?format=csv",
                 f"/api/3/action/datastore_search?resource_id={table}",
                 f"/dataset/{conditional.package['name']}/resource/{table}/download/table.csv"):
        held = cached_nginx(path, Authorization=roles["grant"]["token"])
        assert (held.status, held.getheader("X-Cache-Status")) == (200, "BYPASS"), path
        for _ in range(2):
            public = cached_nginx(path)
            assert public.status == 403, path
            assert public.getheader("X-Cache-Status") != "HIT", path
