"""Pages of requests for disclosure."""
from __future__ import annotations

from flask import Blueprint

__all__ = ["nanjing_requests"]

nanjing_requests = Blueprint("nanjing_requests", __name__)
