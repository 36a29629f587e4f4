"""What other parts of the platform may use of conditional access: the
rule itself (who may have a dataset's data) and the stored grants and
access log (read only, for supervision's figures)."""
from __future__ import annotations

from .model import AccessLog, Grant
from .rule import CONDITIONAL, NOT_OPEN, OPEN, Verdict, openness_of, reader, verdict

__all__ = ["AccessLog", "Grant", "Verdict", "reader", "verdict", "openness_of",
           "OPEN", "CONDITIONAL", "NOT_OPEN"]
