"""What follows a verdict: the DataStore flag and preview of a loaded
resource, and publishing datasets whose publication waited for the gate."""
from __future__ import annotations

import logging

import ckan.lib.datapreview as datapreview
import ckan.model as model
import ckan.plugins.toolkit as tk

from ..model import PublishRequest
from . import gate

__all__ = ["mark_datastore_active", "publish_if_requested"]

log = logging.getLogger(__name__)


def _site_context() -> dict:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True, gate.GATE_FLAG: True}


def mark_datastore_active(resource_id: str) -> None:
    """Sets datastore_active (as datastore_create does) and adds the data
    preview, which CKAN only creates for resources already in the DataStore."""
    context = _site_context()
    resource = tk.get_action("resource_patch")(
        context, {"id": resource_id, "datastore_active": True})
    package = tk.get_action("package_show")(context, {"id": resource["package_id"]})
    datapreview.add_views_to_resource(dict(context), resource, package,
                                      create_datastore_views=True)


def publish_if_requested(package_id: str) -> bool:
    """Makes a dataset public once every tabular resource is valid, if its
    publication was requested; True when it was published."""
    request = model.Session.get(PublishRequest, package_id)
    package = model.Package.get(package_id)
    if request is None or package is None or package.state != "active":
        return False
    if gate.blocking_reasons(package):
        return False
    tk.get_action("package_patch")(_site_context(), {"id": package_id, "private": False})
    model.Session.delete(request)
    model.Session.commit()
    log.info("Published %s: all its tabular resources passed the gate", package.name)
    return True
