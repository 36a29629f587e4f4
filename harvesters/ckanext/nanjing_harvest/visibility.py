"""Who sees what of a harvest source. Its configuration, its address and
its jobs' reports (which quote source records) map internal systems: only
sysadmins and the editors and admins of the source's organization (those
who may update it) see them. Everyone else sees at most the source's
title, its organization and when it last ran."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from . import config

__all__ = ["may_manage", "public_source", "public_status", "public_list_entry",
           "index_fields", "HARVEST_TYPE"]

HARVEST_TYPE = "harvest"
# What package_show / package_search show of a source to the public.
PUBLIC_KEYS = ("id", "name", "title", "type", "state", "private", "owner_org",
               "metadata_created", "metadata_modified")
ORGANIZATION_KEYS = ("id", "name", "title", "type", "is_organization", "state",
                     "image_url", "approval_status", "created", "description")


def may_manage(context: Context, source_id: str | None) -> bool:
    """Whether the caller may see everything of the source: sysadmins and
    whoever may update it (harvest_source_update forwards to package_update)."""
    if context.get("ignore_auth"):
        return True
    if not isinstance(source_id, str) or not source_id:
        return False
    # A fresh context: check_access records into and reads from the caller's.
    check: Context = {"model": model, "session": model.Session,
                      "user": context.get("user") or ""}
    if context.get("auth_user_obj") is not None:
        check["auth_user_obj"] = context["auth_user_obj"]
    try:
        tk.check_access("harvest_source_update", check, {"id": source_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def last_run(status: Any) -> str | None:
    """When the source's last job ended (or started, while it runs)."""
    if not isinstance(status, dict):
        return None
    if status.get("last_run"):
        return status["last_run"]   # already the public view
    job = status.get("last_job")
    if not isinstance(job, dict):
        # harvest_source_list's status (ckanext-harvest's older shape)
        request = status.get("last_harvest_request")
        return request if request and request[:1].isdigit() else None
    return job.get("finished") or job.get("gather_started") or job.get("created")


def public_status(status: Any) -> dict[str, Any]:
    # last_job is kept empty: ckanext-harvest's pages read it (the public's
    # "last job" page then answers 404).
    return {"last_run": last_run(status), "last_job": None}


def public_source(source: dict[str, Any]) -> dict[str, Any]:
    """A source's package dict reduced to what the public may see."""
    public = {key: source[key] for key in PUBLIC_KEYS if key in source}
    organization = source.get("organization")
    if isinstance(organization, dict):
        public["organization"] = {k: organization[k] for k in ORGANIZATION_KEYS
                                  if k in organization}
    public["status"] = public_status(source.get("status"))
    # Keys the dataset templates read without checking them first.
    public.update(resources=[], tags=[], extras=[], groups=[], num_resources=0, num_tags=0)
    return public


def public_list_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry of harvest_source_list reduced to what the public may see."""
    public = {key: entry.get(key) for key in ("id", "title", "publisher_id")}
    if "status" in entry:
        public["status"] = public_status(entry["status"])
    return public


def index_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The search index holds only the public view of a source: package_search
    answers from it (its results, `fl` fields and queries alike). package_show
    of a source does not read the index (see logic/action.py)."""
    keep = {"id", "name", "title", "type", "dataset_type", "state", "private", "owner_org",
            "organization", "capacity", "site_id", "index_id", "entity_type",
            "metadata_created", "metadata_modified", "permission_labels", "_version_",
            "title_string", "num_resources", "num_tags"}
    public = {key: value for key, value in pkg_dict.items() if key in keep}
    config.map_index_json(public, pkg_dict, public_source)
    return public
