"""One change log behind every feed (`nanjing_feeds`): the dataset hooks
(every create, update and delete, the bulk actions' too) and the purge
action write each public change to the outbox in the change's own
transaction; `nanjing_changes` reads it."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.types import Action, Context

from . import (actions, atom, auth, cli, helpers, outbox, subscription_actions, views,
               webhook_actions, webhook_views)


@tk.chained_action
def dataset_purge(original: Action, context: Context, data_dict: dict[str, Any]):
    ident = data_dict.get("id")
    if ident is not None and not isinstance(ident, str):
        # CKAN's own purge answers 500 to a list or a number.
        raise tk.ValidationError({"id": ["应为数据集的名称或 id"]})
    package = model.Package.get(ident or "")
    if package is not None:
        tk.check_access("dataset_purge", dict(context, package=package), data_dict)
        outbox.record_package(package.id, deleting=True)
    return original(context, data_dict)


def _actions() -> dict:
    return {"nanjing_changes": actions.nanjing_changes, "dataset_purge": dataset_purge,
            **{name: getattr(webhook_actions, name) for name in webhook_actions.__all__},
            **{name: getattr(subscription_actions, name)
               for name in subscription_actions.__all__}}


@tk.blanket.actions(_actions)
@tk.blanket.auth_functions(auth.functions)
@tk.blanket.cli(cli)
@tk.blanket.blueprints(lambda: [views.nanjing_feeds, webhook_views.nanjing_webhooks])
@tk.blanket.helpers(helpers)
class FeedsPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFeed, inherit=True)

    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "nanjing_feeds")

    # IFeed: CKAN's own /feeds/ and ours are declared Chinese.
    def get_feed_class(self):
        return atom.ChineseFeed

    def after_dataset_create(self, context: Context, pkg_dict: dict[str, Any]):
        outbox.record_package(pkg_dict["id"])

    def after_dataset_update(self, context: Context, pkg_dict: dict[str, Any]):
        outbox.record_package(pkg_dict["id"])

    def after_dataset_delete(self, context: Context, pkg_dict: dict[str, Any]):
        outbox.record_package(pkg_dict["id"], deleting=True)
