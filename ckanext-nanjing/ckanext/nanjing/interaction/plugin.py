"""互动交流 (`nanjing_interaction`): the public's 咨询, 建议, 投诉, 纠错,
数据异议 and 数据需求, reviewed, routed, answered on the working-day
clock and rated."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from . import actions, auth, cli, helpers, views


def _actions() -> dict:
    return {name: getattr(actions, name) for name in actions.__all__}


@tk.blanket.actions(_actions)
@tk.blanket.auth_functions(auth.functions)
@tk.blanket.blueprints(views)
@tk.blanket.helpers(helpers)
@tk.blanket.cli(cli)
class InteractionPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)

    def update_config(self, config):
        tk.add_template_directory(config, "templates")

    def configure(self, config):
        if p.plugin_loaded("nanjing_feeds"):
            from ..feeds import api as feeds_api
            feeds_api.register("answer_published", "互动答复发布", "answer published")
