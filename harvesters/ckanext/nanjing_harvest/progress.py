"""How far a harvest job has got, for its page while it runs: ckanext-harvest
shows a job's counts only once it is finished."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model
from ckanext.harvest.model import HarvestObject

__all__ = ["job_progress"]

DONE = ("COMPLETE", "ERROR")


def job_progress(job_id: str) -> dict[str, Any]:
    """Objects of the job: how many in all, done, and by report status."""
    rows = (model.Session.query(HarvestObject.state, HarvestObject.report_status,
                                sa.func.count(HarvestObject.id))
            .filter(HarvestObject.harvest_job_id == job_id)
            .group_by(HarvestObject.state, HarvestObject.report_status).all())
    total = sum(count for *_, count in rows)
    done = sum(count for state, _, count in rows if state in DONE)
    by_status: dict[str, int] = {}
    for state, status, count in rows:
        if state in DONE and status:
            by_status[status] = by_status.get(status, 0) + count
    return {"total": total, "done": done, "stats": by_status,
            "percent": round(done * 100 / total) if total else 0}
