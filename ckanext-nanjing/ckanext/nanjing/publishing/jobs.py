"""Background jobs of the gate, run by `ckan jobs worker` (RQ on Redis)."""
from __future__ import annotations

import logging

from . import gate

__all__ = ["validate_resource"]

log = logging.getLogger(__name__)


def validate_resource(resource_id: str) -> str:
    """Validates and loads one resource's stored file; returns the status."""
    row = gate.validate_stored(resource_id)
    log.info("Gate verdict for %s: %s", resource_id, row.status if row else None)
    return row.status if row else "missing"
