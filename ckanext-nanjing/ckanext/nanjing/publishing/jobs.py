"""What runs after a save, and the gate's background jobs (`ckan jobs
worker`, RQ on Redis). The top of the gate: imports publish and gate."""
from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from .model import Validation
from . import gate, publish

__all__ = ["after_save", "enqueue", "validate_resource"]

log = logging.getLogger(__name__)


def validate_resource(resource_id: str) -> str:
    """Validates and loads one resource's stored file; returns the status."""
    row = publish.validate_stored(resource_id)
    log.info("Gate verdict for %s: %s", resource_id, row.status if row else None)
    return row.status if row else "missing"


def enqueue(resource_id: str) -> None:
    """Queues the check of a resource (after the commit that recorded it
    pending, so the worker finds it)."""
    job = tk.enqueue_job(validate_resource, [resource_id],
                         title=f"数据校验 {resource_id}",
                         rq_kwargs={"timeout": tk.config.get(
                             "ckanext.nanjing.validation.job_timeout")})
    row = Validation.get(resource_id)
    if row is not None:
        row.job_id = job.id
        model.Session.commit()


def after_save(context: dict[str, Any], plan: gate.Plan, package_id: str) -> None:
    """After package_create/update committed: loads the files checked
    during the request and queues those left for the background."""
    try:
        context.pop(gate.PLAN_KEY, None)
        if not plan.pending and not plan.publish_request:
            return
        if not plan.staged:
            # CKAN saved nothing (an unchanged dataset): the verdicts alone.
            gate.stage(plan, package_id)
            model.Session.commit()
        for entry in plan.pending:
            if entry.resource_id is None:
                continue
            small = entry.checked is not None and \
                gate.valid_copy_path(entry.resource_id).stat().st_size <= gate.sync_max_bytes()
            if small:
                publish.load_checked(entry.resource_id, entry.checked)
            else:
                enqueue(entry.resource_id)
    finally:
        gate.cleanup(plan)
