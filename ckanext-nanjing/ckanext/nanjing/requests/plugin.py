from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig

from . import actions, auth, views


@tk.blanket.actions(actions)
@tk.blanket.auth_functions(auth)
@tk.blanket.blueprints(views)
class RequestsPlugin(p.SingletonPlugin):
    """Requests for disclosure (依申请公开)."""
    p.implements(p.IConfigurer)

    def update_config(self, config: CKANConfig):
        tk.add_template_directory(config, "templates")
