"""Conditional open data (有条件开放): the `nanjing_access` plugin, listed
after `nanjing_datastore` in `ckan.plugins` (it guards the dump view that
plugin installs)."""
from __future__ import annotations

import flask

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from . import (accountpages, actions, activity, applying, auth, cli, conceal, granting, paths, rule,
               validators, views)


def _request_user() -> str | None:
    """The signed-in user of the request being answered ('' for the public);
    None outside a request (jobs and commands: trusted code)."""
    try:
        return getattr(flask.g, "user", "") or ""
    except RuntimeError:
        return None


def _actions() -> dict:
    return {name: getattr(module, name)
            for module in (actions, activity, applying, granting) for name in module.__all__}


@tk.blanket.actions(_actions)
@tk.blanket.auth_functions(auth)
@tk.blanket.validators(validators)
@tk.blanket.blueprints(views)
@tk.blanket.cli(cli)
class AccessPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IPackageController, inherit=True)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")

    # IMiddleware
    def make_middleware(self, app, config):
        if hasattr(app, "view_functions"):  # the Flask app
            paths.register(app)
            # CKAN's registration makes active accounts at once; ours waits
            # for the mailed link (registration.py). Same URL and endpoint.
            app.view_functions["user.register"] = accountpages.register
        return app

    # IPackageController
    def after_dataset_show(self, context, pkg_dict):
        if not context.get("ignore_auth"):
            conceal.conceal_package(rule.reader(context.get("user")), pkg_dict)
        return pkg_dict

    def after_dataset_search(self, search_results, search_params):
        user = _request_user()
        if user is not None:
            conceal.conceal_search_results(rule.reader(user), search_results)
        return search_results

    def before_dataset_index(self, pkg_dict):
        # Solr answers `fl=res_url` to anyone; the targets of links to
        # data not open to all stay out of it.
        if rule.openness_of(pkg_dict) != rule.OPEN:
            pkg_dict.pop("res_url", None)
        return pkg_dict
