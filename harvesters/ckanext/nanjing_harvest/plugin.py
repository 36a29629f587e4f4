"""nanjing_harvest: what every harvest source on the platform shares.
Secrets in source configurations (database passwords, API tokens) are never
shown back: they are masked in package_show / harvest_source_show (and so in
the edit form and the activity stream), in the search index and in
harvest_source_list; a masked configuration saved back keeps them. The
harvesters themselves are separate plugins (nanjing_exchange_db, ...).
Commands: `ckan nanjing-harvest` (cli.py)."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from . import config, visibility

HARVEST_TYPE = "harvest"


@tk.blanket.actions
@tk.blanket.auth_functions
class NanjingHarvestPlugin(p.SingletonPlugin):
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IClick)
    p.implements(p.ITemplateHelpers)

    def get_helpers(self):
        # The job page shows its counts while the job runs (the template is
        # ckanext-nanjing's: its templates come before ckanext-harvest's).
        from . import progress
        return {"nanjing_harvest_progress": progress.job_progress}

    def get_commands(self):
        from .cli import nanjing_harvest
        return [nanjing_harvest]

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]):
        if pkg_dict.get("type") == HARVEST_TYPE:
            config.mask_source(pkg_dict)
        return pkg_dict

    def before_dataset_index(self, pkg_dict: dict[str, Any]):
        # harvest_source_reindex indexes the unmasked source (validate=False
        # skips after_dataset_show); package_search returns what is indexed,
        # to anyone: only the public view of a source goes into the index.
        if HARVEST_TYPE in (pkg_dict.get("type"), pkg_dict.get("dataset_type")):
            return visibility.index_fields(config.mask_source(pkg_dict))
        return pkg_dict
