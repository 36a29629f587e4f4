from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig

from . import actions, auth, cli, notices, views


def _actions() -> dict:
    return {name: getattr(module, name)
            for module in (actions, notices) for name in module.__all__}


def _auth_functions() -> dict:
    return {**{name: getattr(auth, name) for name in auth.__all__}, **notices.AUTH_FUNCTIONS}


@tk.blanket.actions(_actions)
@tk.blanket.auth_functions(_auth_functions)
@tk.blanket.blueprints(views)
@tk.blanket.cli(cli)
class RequestsPlugin(p.SingletonPlugin):
    """Requests for disclosure (依申请公开)."""
    p.implements(p.IConfigurer)

    def update_config(self, config: CKANConfig):
        tk.add_template_directory(config, "templates")
