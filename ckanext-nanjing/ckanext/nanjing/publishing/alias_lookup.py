"""A thread-safe `resource_id_from_alias` for CKAN 2.12's DataStore.

CKAN's version reads the row after its `with engine.connect()` block has
given the connection back to the pool; under gunicorn's threads another
request can take that connection first, and `datastore_search` fails with
"cursor already closed" (seen under make bench-load at 50 clients). This
one reads the row while it still holds the connection; otherwise it is the
same query and answer."""
from __future__ import annotations

from typing import Optional

import sqlalchemy as sa
from ckanext.datastore.backend.postgres import DatastorePostgresqlBackend

ALIAS_SQL = sa.text('SELECT alias_of FROM "_table_metadata" WHERE name = :id')


def resource_id_from_alias(self, alias: str) -> tuple[bool, Optional[str]]:
    with self._get_read_engine().connect() as connection:
        rows = connection.execute(ALIAS_SQL, {"id": alias}).fetchall()
    return bool(rows), (rows[0][0] if rows else None)


def install() -> None:
    DatastorePostgresqlBackend.resource_id_from_alias = resource_id_from_alias
