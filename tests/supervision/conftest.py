"""The request tests' people and application form serve the report tests."""
from __future__ import annotations

from ..requests.conftest import application, fresh_counters, id_number, people  # noqa: F401
