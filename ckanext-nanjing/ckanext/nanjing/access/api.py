"""What other parts of the platform may use of conditional access: the
rule itself (who may have a dataset's data), the stored grants and access
log (read only), and the yearly figures per body that supervision shows."""
from __future__ import annotations

from .figures import empty as empty_figures
from .figures import yearly as yearly_figures
from .model import AccessLog, Grant
from .rule import CONDITIONAL, NOT_OPEN, OPEN, Verdict, openness_of, reader, verdict

__all__ = ["AccessLog", "Grant", "Verdict", "reader", "verdict", "openness_of",
           "OPEN", "CONDITIONAL", "NOT_OPEN", "yearly_figures", "empty_figures"]
