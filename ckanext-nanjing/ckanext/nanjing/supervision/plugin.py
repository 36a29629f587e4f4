from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig

from . import actions, auth, views


@tk.blanket.actions(lambda: {name: getattr(actions, name) for name in actions.__all__})
@tk.blanket.auth_functions(lambda: {name: getattr(auth, name) for name in auth.__all__})
@tk.blanket.blueprints(views)
class SupervisionPlugin(p.SingletonPlugin):
    """Supervision of disclosure and the yearly report (监督考核, 年度报告)."""
    p.implements(p.IConfigurer)

    def update_config(self, config: CKANConfig):
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "nanjing_supervision")
