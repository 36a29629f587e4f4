"""The DataStore side of publishing (`nanjing_datastore`, listed after
`datastore` in `ckan.plugins`): Chinese full text for `datastore_search`
and `/datastore/dump/` with the steward's headers in every format, and
CKAN's alias lookup made safe under threads (`alias_lookup`)."""
from __future__ import annotations

import ckan.plugins as p
from ckanext.datastore.interfaces import IDatastore

from . import alias_lookup, dumps, fulltext_search

__all__ = ["DatastorePlugin"]


class DatastorePlugin(p.SingletonPlugin):
    p.implements(IDatastore, inherit=True)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IConfigurable, inherit=True)

    # IConfigurable
    def configure(self, config):
        alias_lookup.install()

    # IDatastore
    def datastore_search(self, context, data_dict, fields_types, query_dict):
        return fulltext_search.search_query(context, data_dict, query_dict)

    # IMiddleware
    def make_middleware(self, app, config):
        if hasattr(app, "view_functions"):  # the Flask app
            dumps.register(app)
        return app
