from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from . import codelists

__all__ = [
    "nanjing_codelist_choices", "nanjing_codelist_label", "nanjing_lang",
    "nanjing_review_history", "nanjing_policy_interpretations", "humanize_entity_type",
    "nanjing_is_reviewer", "nanjing_validation", "nanjing_validation_report",
    "nanjing_export_formats",
]

# What each catalog type is called on pages (English msgids, translated).
TYPE_LABELS = {
    "open_dataset": "Open dataset",
    "gkml_item": "Disclosure item",
    "power_item": "Power-list item",
    "service_item": "Public service",
    "policy_document": "Policy",
    "policy_interpretation": "Policy interpretation",
}


@tk.chained_helper
def humanize_entity_type(next_helper, entity_type: str, object_type: str, purpose: str):
    """CKAN builds page texts from the type name ("open_dataset"); give it
    the type's name in the user's language instead."""
    if entity_type == "package" and object_type in TYPE_LABELS:
        return next_helper(entity_type, tk._(TYPE_LABELS[object_type]), purpose)
    return next_helper(entity_type, object_type, purpose)


def nanjing_lang() -> str:
    """The request's language, or the site default outside a request
    (CLI, background jobs, direct action calls)."""
    try:
        return tk.h.lang() or tk.config["ckan.locale_default"]
    except RuntimeError:
        return tk.config["ckan.locale_default"]


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
    from .catalog import review

    user = tk.current_user
    return bool(user and user.is_authenticated and review.is_reviewer(user.name))


def nanjing_validation(resource_id: str) -> dict[str, Any] | None:
    """What the public may know of a resource's check: its status and totals."""
    import ckan.model as model

    from .model import Validation
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
