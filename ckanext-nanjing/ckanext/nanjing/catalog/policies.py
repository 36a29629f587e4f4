"""Policy documents (政策文件) and their interpretations (政策解读): which
documents must be interpreted. A yearly report is published as a policy
document but is not interpreted."""
from __future__ import annotations

from typing import Any

__all__ = ["NO_INTERPRETATION_KINDS", "needs_interpretation"]

NO_INTERPRETATION_KINDS = frozenset(["annual_report"])


def needs_interpretation(policy: dict[str, Any]) -> bool:
    return policy.get("document_kind") not in NO_INTERPRETATION_KINDS
