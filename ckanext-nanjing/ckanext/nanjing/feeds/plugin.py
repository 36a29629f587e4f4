"""One change log behind every feed (`nanjing_feeds`): the dataset hooks
and the bulk and purge actions write each public change to the outbox in
the change's own transaction; `nanjing_changes` reads it."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context

from . import actions, auth, cli, outbox


def _ids(data_dict: dict[str, Any]) -> list[str]:
    ids = data_dict.get("datasets") or []
    return [str(i) for i in ids] if isinstance(ids, list) else []


def _after_bulk(original: Action, context: Context, data_dict: dict[str, Any]):
    # CKAN's bulk actions change the table directly, without the dataset hooks.
    answer = original(context, data_dict)
    for package_id in _ids(data_dict):
        outbox.record_package(package_id)
    model.Session.commit()
    return answer


@tk.chained_action
def bulk_update_private(original: Action, context: Context, data_dict: dict[str, Any]):
    return _after_bulk(original, context, data_dict)


@tk.chained_action
def bulk_update_public(original: Action, context: Context, data_dict: dict[str, Any]):
    return _after_bulk(original, context, data_dict)


@tk.chained_action
def bulk_update_delete(original: Action, context: Context, data_dict: dict[str, Any]):
    return _after_bulk(original, context, data_dict)


@tk.chained_action
def dataset_purge(original: Action, context: Context, data_dict: dict[str, Any]):
    package = model.Package.get(str(data_dict.get("id") or ""))
    if package is not None:
        outbox.record_package(package.id, deleting=True)
    return original(context, data_dict)


def _actions() -> dict:
    return {"nanjing_changes": actions.nanjing_changes,
            "bulk_update_private": bulk_update_private, "bulk_update_public": bulk_update_public,
            "bulk_update_delete": bulk_update_delete, "dataset_purge": dataset_purge}


@tk.blanket.actions(_actions)
@tk.blanket.auth_functions(lambda: {name: getattr(auth, name) for name in auth.__all__})
@tk.blanket.cli(cli)
class FeedsPlugin(p.SingletonPlugin):
    p.implements(p.IPackageController, inherit=True)

    def after_dataset_create(self, context: Context, pkg_dict: dict[str, Any]):
        outbox.record_package(pkg_dict["id"])

    def after_dataset_update(self, context: Context, pkg_dict: dict[str, Any]):
        outbox.record_package(pkg_dict["id"])

    def after_dataset_delete(self, context: Context, pkg_dict: dict[str, Any]):
        outbox.record_package(pkg_dict["id"], deleting=True)
