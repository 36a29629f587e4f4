"""What other parts of the platform may use of the catalog: whether a
policy document must be interpreted (supervision counts the missing
interpretations)."""
from __future__ import annotations

from .policies import needs_interpretation

__all__ = ["needs_interpretation"]
