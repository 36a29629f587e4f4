from __future__ import annotations

import logging

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultPermissionLabels, DefaultTranslation

from . import doctor, downloads, errors, locale_fix, roles, security
from .catalog import facets, querywords, review
from .publishing import gate

log = logging.getLogger(__name__)

MAX_SOLR_STRING_BYTES = 32766
TEXT_INDEX_FIELDS = frozenset(["title", "notes", "text", "data_dict", "validated_data_dict"])


@tk.blanket.actions
@tk.blanket.blueprints
@tk.blanket.auth_functions
@tk.blanket.cli
@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.validators
class NanjingPlugin(p.SingletonPlugin, DefaultTranslation, DefaultPermissionLabels):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.ITranslation)
    p.implements(p.IPermissionLabels)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)

    # IConfigurer
    def update_config(self, config: CKANConfig):
        tk.add_template_directory(config, "templates")
        tk.add_template_directory(config, "website/templates")
        tk.add_public_directory(config, "public")
        # Runs before CKAN's own Solr check at start-up.
        errors.quiet_solr_connection_tracebacks()
        querywords.allow_phrase_slop(config)

    # IConfigurable
    def configure(self, config: CKANConfig):
        # CKAN only logs a warning when Solr is unreachable at start-up and
        # then fails on the first page; say plainly what is wrong instead.
        for check in doctor.startup_checks(config):
            if not check.ok:
                log.error(check.report())

    # IMiddleware
    def make_middleware(self, app, config: CKANConfig):
        errors.register_handlers(app)
        downloads.register(app)
        locale_fix.register(app)
        security.register(app)
        return app

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        return facets.facets_for(facets_dict, package_type)

    # IPackageController
    def before_dataset_search(self, search_params):
        return querywords.read_query(search_params)

    def after_dataset_search(self, search_results, search_params):
        return facets.label_facet_items(search_results)

    def before_dataset_index(self, pkg_dict):
        # Fields the Solr schema does not declare are indexed as one string,
        # which Solr refuses past 32,766 bytes (the information items of a
        # wide table): the whole dataset would fail to save. package_show
        # reads them from the database, so the index goes without them.
        for key, value in list(pkg_dict.items()):
            if (isinstance(value, str) and key not in TEXT_INDEX_FIELDS
                    and not key.startswith(("extras_", "res_extras_"))
                    and len(value.encode("utf-8")) > MAX_SOLR_STRING_BYTES):
                del pkg_dict[key]
        return pkg_dict

    # Inside the save, before CKAN commits: the gate's verdicts go in the
    # same transaction as the dataset (publishing/gate.py).
    def after_dataset_create(self, context, pkg_dict):
        gate.staged_plan(context, pkg_dict["id"])

    def after_dataset_update(self, context, pkg_dict):
        gate.staged_plan(context, pkg_dict["id"])

    # IPermissionLabels: reviewers find withheld entries in search.
    def get_dataset_labels(self, dataset_obj):
        labels = super().get_dataset_labels(dataset_obj)
        if review.is_under_review(dataset_obj):
            labels.append(review.PERMISSION_LABEL)
        return labels

    def get_user_dataset_labels(self, user_obj):
        labels = super().get_user_dataset_labels(user_obj)
        if user_obj and roles.is_reviewer(user_obj.name):
            labels.append(review.PERMISSION_LABEL)
        return labels
