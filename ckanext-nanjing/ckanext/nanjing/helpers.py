from __future__ import annotations

from typing import Any

import flask
import ckan.plugins.toolkit as tk

from . import codelists, language, qrcodes, roles
from .access import api as access
from .catalog import policies
from .website import accessibility, avatars, identity, licences, sections
from .website import figures as public_figures
from .website import hits

__all__ = [
    "nanjing_codelist_choices", "nanjing_codelist_label", "nanjing_lang",
    "nanjing_review_history", "nanjing_policy_interpretations", "nanjing_needs_interpretation",
    "humanize_entity_type",
    "nanjing_is_reviewer", "nanjing_validation", "nanjing_validation_report",
    "nanjing_export_formats", "nanjing_home", "nanjing_hits", "nanjing_table_schema_yaml",
    "nanjing_table_schema_example", "nanjing_page_needs_csrf", "nanjing_data_refusal",
    "nanjing_site_identity", "nanjing_main_sections", "user_image", "nanjing_pager",
    "nanjing_qr_code", "nanjing_type_label", "nanjing_licence_title",
]

# What each catalog type is called on pages (English msgids, translated).
TYPE_LABELS = {
    "open_dataset": "Open dataset",
    "gkml_item": "Disclosure item",
    "power_item": "Power-list item",
    "service_item": "Public service",
    "policy_document": "Policy",
    "policy_interpretation": "Policy interpretation",
    "interaction": "Public interaction",   # answers in the change log
}


@tk.chained_helper
def humanize_entity_type(next_helper, entity_type: str, object_type: str, purpose: str):
    """CKAN builds page texts from the type name ("open_dataset"); give it
    the type's name in the user's language instead."""
    if entity_type == "package" and object_type in TYPE_LABELS:
        return next_helper(entity_type, tk._(TYPE_LABELS[object_type]), purpose)
    return next_helper(entity_type, object_type, purpose)


def nanjing_type_label(dataset_type: str | None) -> str:
    """What a kind of record is called (None: every kind), as the site
    search's tabs name them."""
    if not dataset_type:
        return tk._("All")
    if dataset_type == "dataset":
        return tk._("Dataset")
    return tk._(TYPE_LABELS.get(dataset_type, dataset_type))


def nanjing_licence_title(package: dict[str, Any]) -> str:
    """The package's licence as a page names it (website/licences.py)."""
    return licences.shown_title(package.get("license_id"), package.get("license_title"),
                                language.current())


def nanjing_lang() -> str:
    """The request's language, or the site default outside a request."""
    return language.current()


def nanjing_page_needs_csrf() -> bool:
    """Whether the page carries CKAN's CSRF token for its scripts.

    Making the token starts a session, and a page that sets a cookie cannot
    be shared by the micro-cache (scripts/serving.py). Anonymous visitors'
    pages have no script that posts, except the table preview's, so they go
    without; forms still get a token from ``h.csrf_input()``.
    """
    if tk.current_user.is_authenticated:
        return True
    if tk.config.get("WTF_CSRF_FIELD_NAME") in flask.session:  # it has a session already
        return True
    blueprint, view = tk.get_endpoint()
    return blueprint == "datatablesview" or (blueprint.endswith("_resource") and view == "view")


def nanjing_codelist_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """`choices_helper` for scheming fields that name a `codelist`."""
    return codelists.get(field["codelist"]).choices()


def nanjing_codelist_label(codelist: str, value: str) -> str:
    return codelists.get(codelist).label_of(value, nanjing_lang())


def nanjing_review_history(package_id: str) -> dict[str, Any] | None:
    """The review of a withheld entry, or None when the user may not see it."""
    try:
        return tk.get_action("nanjing_review_history")({}, {"id": package_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None


def nanjing_needs_interpretation(policy: dict[str, Any]) -> bool:
    return policies.needs_interpretation(policy)


def nanjing_policy_interpretations(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """Interpretations linked to a policy, from either side of the link."""
    query = f'+dataset_type:policy_interpretation +policy:"{policy["name"]}"'
    found = tk.get_action("package_search")({}, {"fq": query, "rows": 20})["results"]
    linked = policy.get("interpretation")
    if linked and linked not in {item["name"] for item in found}:
        try:
            found.append(tk.get_action("package_show")({}, {"id": linked}))
        except (tk.NotAuthorized, tk.ObjectNotFound):
            pass
    return found


def nanjing_is_reviewer() -> bool:
    user = tk.current_user
    return bool(user and user.is_authenticated and roles.is_reviewer(user.name))


def nanjing_validation(resource_id: str) -> dict[str, Any] | None:
    """What the public may know of a resource's check: its status and totals."""
    import ckan.model as model

    from .publishing.model import Validation
    from .publishing import gate

    row = Validation.get(resource_id)
    resource = model.Resource.get(resource_id)
    if row is None or resource is None:
        return None
    package = model.Package.get(resource.package_id)
    return {
        "status": row.status, "rows": row.row_count, "encoding": row.encoding,
        "error_count": row.error_count, "load_status": row.load_status,
        "load_message": row.load_message, "updated": row.updated,
        "current": gate.verdict(resource, gate.schema_of(package)) is not None,
        "has_valid_copy": gate.valid_copy_path(resource_id).exists(),
    }


def nanjing_validation_report(resource_id: str) -> dict[str, Any] | None:
    """The full report, for those who may edit the dataset (None for others)."""
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    try:
        return tk.get_action("nanjing_validation_show")(context, {"resource_id": resource_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None


def nanjing_export_formats() -> list[tuple[str, str]]:
    return [("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("json", "JSON")]


def nanjing_hits(package_id: str) -> dict[str, Any]:
    """浏览量 and 下载量 of a record (website/hits.py), read once a request:
    the dataset's figures and each resource of its list ask for it."""
    cache = flask.g.setdefault("nanjing_hits", {}) if flask.has_app_context() else {}
    if package_id not in cache:
        cache[package_id] = hits.totals(package_id)
    return cache[package_id]


def nanjing_home() -> dict[str, Any]:
    """What the home page shows: per pilot area the open datasets and
    disclosure entries, totals per type (the public counts of
    website/figures.py, the ones 公开情况 shows too), the latest open datasets."""
    counts = public_figures.record_counts()
    totals, by_area = counts["totals"], counts["areas"]
    areas = [{"value": area["value"], "label": nanjing_codelist_label("areas", area["value"]),
              "open": by_area["open_dataset"].get(area["value"], 0),
              "disclosure": by_area["gkml_item"].get(area["value"], 0)}
             for area in codelists.get("areas").values if area.get("pilot")]
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    latest = tk.get_action("package_search")(context, {
        "fq": "dataset_type:open_dataset", "rows": 6, "sort": "metadata_modified desc"})["results"]
    return {"areas": areas, "open_total": totals["open_dataset"],
            "disclosure_total": totals["gkml_item"], "policy_total": totals["policy_document"],
            "service_total": totals["service_item"], "latest": latest}


TABLE_SCHEMA_EXAMPLE = """fields:
- name: 监测点
  type: string
  constraints: {required: true}
- name: 所在区
  type: string
  constraints: {enum: [玄武区, 秦淮区, 鼓楼区]}
- name: 监测日期
  type: date
- name: PM2.5浓度
  type: number
  constraints: {minimum: 0}
"""


def nanjing_table_schema_yaml(value: Any) -> str:
    """The stored Table Schema as YAML for the edit form (a value the
    steward typed and that failed validation is shown as typed)."""
    import json

    import yaml

    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, default_flow_style=None)


def nanjing_table_schema_example() -> str:
    return TABLE_SCHEMA_EXAMPLE


def nanjing_data_refusal(package: dict[str, Any], resource: dict[str, Any] | None = None) -> str:
    """Why the signed-in user (or the public) may not have this data, in
    Chinese; empty when they may (access/rule.py decides)."""
    user = tk.current_user.name if tk.current_user.is_authenticated else ""
    verdict = access.verdict(access.reader(user), package, (resource or {}).get("id"))
    return "" if verdict.allowed else verdict.reason


user_image = avatars.user_image


def nanjing_site_identity() -> identity.SiteIdentity:
    """Who runs the site (footer, 关于本站): website/identity.py."""
    return identity.site_identity()


def nanjing_pager(page, **kwargs):
    """CKAN's pager with named previous/next links: website/accessibility.py."""
    return accessibility.pager(page, **kwargs)


def nanjing_qr_code(text: str) -> str:
    """A QR code of ``text`` as a data: URI for an <img> (qrcodes.py)."""
    return qrcodes.svg_data_uri(text)


def nanjing_main_sections() -> list[sections.Section]:
    """The header's tabs: website/sections.py, shared with the 网站地图."""
    return sections.main_sections()
