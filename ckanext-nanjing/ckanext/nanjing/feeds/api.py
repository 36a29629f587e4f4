"""What other features may use of the change log: `record` a change of a
kind of theirs (registered once with `register`), in the transaction of the
change itself."""
from __future__ import annotations

from .outbox import record, register

__all__ = ["record", "register"]
