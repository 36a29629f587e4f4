"""From what a data path names (a resource id, a DataStore alias, a
resource view) to the resource and its dataset."""
from __future__ import annotations

import ckan.model as model

__all__ = ["resource_named", "resource_of_view", "plausible"]

# Ids are UUIDs and aliases short names; anything longer is no id.
LONGEST_NAME = 200


def plausible(name: object) -> bool:
    """Could this be a resource id, an alias or a view id? PostgreSQL
    refuses NUL in a string outright."""
    return isinstance(name, str) and 0 < len(name) <= LONGEST_NAME and "\x00" not in name


def resource_named(name: str | None) -> model.Resource | None:
    """The active resource with this id, or whose DataStore table has this alias."""
    if not plausible(name):
        return None
    resource = model.Resource.get(name)
    if resource is None:
        from ckanext.datastore.backend import DatastoreBackend

        try:
            exists, real_id = DatastoreBackend.get_active_backend() \
                .resource_id_from_alias(name)
        except Exception:  # noqa: BLE001 - no DataStore: nothing to resolve
            return None
        resource = model.Resource.get(real_id) if exists and real_id else None
    if resource is None or resource.state != "active" or resource.package is None:
        return None
    return resource


def resource_of_view(view_id: str | None) -> model.Resource | None:
    view = model.ResourceView.get(view_id) if plausible(view_id) else None
    return resource_named(view.resource_id) if view is not None else None
