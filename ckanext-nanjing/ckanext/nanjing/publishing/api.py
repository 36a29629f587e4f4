"""What other parts of the platform may use of the gate: its verdicts (read
only), the flags a harvester passes when it saves, the workbook readers a
file drop uses, and cancelling a publication that was asked for. Anything
not named here is the gate's own."""
from __future__ import annotations

from .formats import FormatProblem, sheet_to_csv, tabular_format, workbook_sheets
from .gate import INVALID, LOADED, PENDING, PUBLISH_WHEN_VALID, RUNNING, VALID
from .model import Validation
from .publish import cancel_publication

__all__ = [
    "Validation", "PENDING", "RUNNING", "VALID", "INVALID", "LOADED", "PUBLISH_WHEN_VALID",
    "FormatProblem", "tabular_format", "workbook_sheets", "sheet_to_csv", "cancel_publication",
]
