"""Actions of the withheld-entry review and of the validation gate, and the
chained core actions through which every change to a dataset passes: they
keep a withheld entry private until it is approved, and a dataset private
until all its tabular resources pass the gate."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Action, Context

from .. import identifiers
from ..catalog import review
from ..catalog.model import Review
from ..publishing.model import Validation
from ..publishing import gate, jobs, publish
from ..website import figures as public_figures
from . import params, schema

__all__ = [
    "package_create", "package_update", "bulk_update_public", "bulk_update_private",
    "bulk_update_delete",
    "nanjing_review_decide", "nanjing_review_history", "nanjing_review_queue",
    "nanjing_validation_show", "nanjing_validation_run", "nanjing_schema_adopt",
    "organization_create", "organization_update", "dcat_dataset_show",
    "nanjing_public_figures",
]

# Set by nanjing_review_decide so that its own update may publish the entry.
APPROVAL_FLAG = "nanjing_review_approval"


def _commit(context: Context) -> None:
    if not context.get("defer_commit"):
        model.repo.commit()


def _submit_if_needed(context: Context, package_id: str) -> None:
    if review.status(package_id) != review.SUBMITTED:
        review.record(package_id, review.SUBMITTED, context.get("user"))
        _commit(context)


def _package_id(result: dict[str, Any] | str) -> str:
    # package_create/update return the id alone when asked with return_id_only.
    return result["id"] if isinstance(result, dict) else result


@tk.chained_action
def package_create(original: Action, context: Context, data_dict: dict[str, Any]):
    withheld = review.needs_review(data_dict)
    if withheld:
        data_dict = dict(data_dict, private=True)
    data_dict, plan = gate.before_save(context, data_dict, None)
    result = original(context, data_dict)
    if withheld:
        _submit_if_needed(context, _package_id(result))
    jobs.after_save(context, plan, _package_id(result))
    return result


@tk.chained_action
def package_update(original: Action, context: Context, data_dict: dict[str, Any]):
    params.check_text(data_dict, "id", "name")
    existing = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    withheld = review.needs_review(data_dict, existing.type if existing else None)
    approving = context.get(APPROVAL_FLAG)
    if withheld and not approving:
        # Any change to a withheld entry goes back to the reviewers.
        data_dict = dict(data_dict, private=True)
    data_dict, plan = gate.before_save(context, data_dict, existing)
    result = original(context, data_dict)
    if withheld and not approving:
        _submit_if_needed(context, _package_id(result))
    jobs.after_save(context, plan, _package_id(result))
    return result


@tk.chained_action
def bulk_update_public(original: Action, context: Context, data_dict: dict[str, Any]):
    waiting = []
    for package_id in data_dict.get("datasets", []):
        package = model.Package.get(package_id)
        if package and review.is_under_review(package) \
                and review.status(package.id) != review.APPROVED:
            waiting.append(package.title)
    if waiting:
        raise tk.ValidationError({"datasets": [
            tk._("These withheld entries cannot be made public before a reviewer approves "
                 "them: {titles}").format(titles="、".join(waiting))]})
    unvalidated = []
    for package_id in data_dict.get("datasets", []):
        package = model.Package.get(package_id)
        reasons = gate.blocking_reasons(package) if package else []
        if reasons:
            unvalidated.append(f"{package.title}（{'；'.join(reasons)}）")
    if unvalidated:
        raise tk.ValidationError({"datasets": [
            "以下数据集的表格资源未全部通过数据校验，不能公开：" + "、".join(unvalidated)]})
    tk.check_access("bulk_update_public", context, data_dict)
    return _bulk_update(context, data_dict, {"private": False})


def _bulk_update(context: Context, data_dict: dict[str, Any], changes: dict[str, Any]) -> None:
    """CKAN 2.12's bulk actions pass package_patch a database row as `id`
    (its _bulk_update_dataset), which every id check refuses: the same
    package_patch per dataset, with the id as text, so each change goes
    through the dataset hooks (the gate, the review, the change log)."""
    datasets = data_dict.get("datasets") or []
    if not isinstance(datasets, list) or not all(isinstance(d, str) for d in datasets):
        raise tk.ValidationError({"datasets": ["应为数据集 id 的列表"]})
    owned = {package_id for (package_id,) in model.Session.query(model.Package.id).filter(
        model.Package.id.in_(datasets), model.Package.owner_org == data_dict.get("org_id"))}
    # In the order given: the change log records them so.
    for package_id in dict.fromkeys(d for d in datasets if d in owned):
        tk.get_action("package_patch")({"user": context.get("user")},
                                       dict(changes, id=package_id))


@tk.chained_action
def bulk_update_private(original: Action, context: Context, data_dict: dict[str, Any]):
    tk.check_access("bulk_update_private", context, data_dict)
    return _bulk_update(context, data_dict, {"private": True})


@tk.chained_action
def bulk_update_delete(original: Action, context: Context, data_dict: dict[str, Any]):
    tk.check_access("bulk_update_delete", context, data_dict)
    return _bulk_update(context, data_dict, {"state": "deleted"})


@validate(schema.review_decide_schema)
def nanjing_review_decide(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Approve a withheld entry (it becomes public) or return it to its
    steward with a comment.

    :param id: the entry's id or name
    :param decision: ``approve`` or ``return``
    :param comment: required when returning
    """
    tk.check_access("nanjing_review_decide", context, data_dict)
    package = model.Package.get(data_dict["id"])
    if package is None:
        raise tk.ObjectNotFound(tk._("Catalog entry not found"))
    if review.status(package.id) != review.SUBMITTED:
        raise tk.ValidationError({"id": [tk._("This entry is not waiting for review.")]})
    comment = (data_dict.get("comment") or "").strip()
    user = context.get("user")
    if data_dict["decision"] == "return":
        if not comment:
            raise tk.ValidationError({"comment": [
                tk._("Say why the entry is returned, so its steward can correct it.")]})
        review.record(package.id, review.RETURNED, user, comment)
    else:
        tk.get_action("package_patch")(
            {"user": user, APPROVAL_FLAG: True, "ignore_auth": True},
            {"id": package.id, "private": False})
        review.record(package.id, review.APPROVED, user, comment)
    model.repo.commit()
    return nanjing_review_history(context, {"id": package.id})


@tk.side_effect_free
@validate(schema.review_id_schema)
def nanjing_review_history(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The review status of an entry and every step of its review."""
    tk.check_access("nanjing_review_history", context, data_dict)
    package = model.Package.get(data_dict["id"])
    if package is None:
        raise tk.ObjectNotFound(tk._("Catalog entry not found"))
    steps = [_step_dict(step) for step in Review.history(package.id)]
    return {"id": package.id, "status": steps[-1]["event"] if steps else None,
            "history": steps}


@tk.side_effect_free
def nanjing_review_queue(context: Context, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """Withheld entries waiting for a reviewer, oldest first."""
    tk.check_access("nanjing_review_queue", context, data_dict)
    latest = (model.Session.query(Review.package_id, sa.func.max(Review.created).label("at"))
              .group_by(Review.package_id).subquery())
    rows = (model.Session.query(Review, model.Package)
            .join(latest, (Review.package_id == latest.c.package_id)
                  & (Review.created == latest.c.at))
            .join(model.Package, model.Package.id == Review.package_id)
            .filter(Review.event == review.SUBMITTED, model.Package.state == "active")
            .order_by(Review.created))
    return [{"id": package.id, "name": package.name, "title": package.title,
             "owner_org": package.owner_org, "submitted": step.created.isoformat()}
            for step, package in rows]


def _step_dict(step: Review) -> dict[str, Any]:
    user = model.User.get(step.user_id) if step.user_id else None
    return {"event": step.event, "comment": step.comment, "created": step.created.isoformat(),
            "user": user.name if user else None,
            "user_display_name": user.display_name if user else None}


def _resource_or_404(resource_id: str) -> model.Resource:
    resource = model.Resource.get(resource_id or "")
    if resource is None or resource.state != "active":
        raise tk.ObjectNotFound("资源不存在")
    return resource


@tk.side_effect_free
@validate(schema.resource_id_schema)
def nanjing_validation_show(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The gate's report on a resource: status, each error with row,
    column, value and a Chinese explanation, the totals, and whether the
    verdict is about the current file and Table Schema.

    :param resource_id: the resource's id
    """
    tk.check_access("nanjing_validation_show", context, data_dict)
    resource = _resource_or_404(data_dict["resource_id"])
    row = Validation.get(resource.id)
    if row is None:
        return {"resource_id": resource.id, "status": None, "current": False, "report": {}}
    package = model.Package.get(resource.package_id)
    return {
        "resource_id": resource.id, "status": row.status,
        "current": gate.verdict(resource, gate.schema_of(package)) is not None,
        "encoding": row.encoding, "rows": row.row_count, "error_count": row.error_count,
        "load_status": row.load_status, "load_message": row.load_message,
        "job_id": row.job_id, "updated": row.updated.isoformat(),
        "report": row.report_dict,
    }


@validate(schema.resource_id_schema)
def nanjing_validation_run(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Validates a resource's stored file again now, and loads it if valid.

    :param resource_id: the resource's id
    """
    tk.check_access("nanjing_validation_run", context, data_dict)
    resource = _resource_or_404(data_dict["resource_id"])
    publish.validate_stored(resource.id)
    return nanjing_validation_show(context, {"resource_id": resource.id})


@validate(schema.resource_id_schema)
def nanjing_schema_adopt(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Makes the Table Schema inferred from a resource the dataset's
    information items (信息项); its resources are then checked against it.

    :param resource_id: the resource whose inferred schema is adopted
    """
    tk.check_access("nanjing_schema_adopt", context, data_dict)
    resource = _resource_or_404(data_dict["resource_id"])
    row = Validation.get(resource.id)
    report = row.report_dict if row else {}
    if not report.get("schema_inferred") or not (report.get("schema") or {}).get("fields"):
        raise tk.ValidationError({"resource_id": [
            "该资源没有可采用的推断信息项：只有在数据集未填写信息项时，校验才会推断表结构"]})
    return tk.get_action("package_patch")(
        {"user": context.get("user")},
        {"id": resource.package_id, "information_items": report["schema"]})


def _check_credit_code(data_dict: dict[str, Any]) -> None:
    """An organization's 统一社会信用代码 (kept as the extra `credit_code`)."""
    for extra in data_dict.get("extras") or []:
        if extra.get("key") != "credit_code" or not extra.get("value"):
            continue
        value = str(extra["value"])
        if not identifiers.is_credit_code(value):
            raise tk.ValidationError({"credit_code": [
                f"统一社会信用代码“{value[:40]}”无效：应为 18 位数字和大写字母"
                f"（不用 I、O、S、V、Z），末位为 GB 32100 校验码"]})


@tk.chained_action
def organization_create(original: Action, context: Context, data_dict: dict[str, Any]):
    _check_credit_code(data_dict)
    return original(context, data_dict)


@tk.chained_action
def organization_update(original: Action, context: Context, data_dict: dict[str, Any]):
    params.check_text(data_dict, "id", "name")
    _check_credit_code(data_dict)
    return original(context, data_dict)


@tk.side_effect_free
@tk.chained_action
def dcat_dataset_show(original: Action, context: Context, data_dict: dict[str, Any]):
    # ckanext-dcat passes the id to package_show's database lookup as given.
    params.check_text(data_dict, "id")
    return original(context, data_dict)


@tk.side_effect_free
def nanjing_public_figures(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Every public count in one answer, as the home page and 公开情况 show
    them: records per type, 领域 and body (public records only), and, when
    requests for disclosure run, this year's requests per body
    (`nanjing_request_stats`)."""
    tk.check_access("nanjing_public_figures", context, data_dict)
    answer = public_figures.record_counts()
    answer["requests"] = (tk.get_action("nanjing_request_stats")({"user": ""}, {})
                          if p.plugin_loaded("nanjing_requests") else None)
    return answer
