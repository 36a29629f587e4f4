"""What other parts of the platform may read of the requests for
disclosure: the stored requests, their steps and appeals (read only, for
supervision's figures and the yearly report), the deadline of a request on
the working-day clock, the open states and the reply types, and the
total of the public counts per body."""
from __future__ import annotations

from .clock import deadline_dict
from .model import Request, RequestAppeal, RequestEvent
from .results import GROUPS, RESULTS
from .states import OPEN_STATES
from .stats import total as stats_total

__all__ = ["Request", "RequestAppeal", "RequestEvent", "deadline_dict", "OPEN_STATES",
           "RESULTS", "GROUPS", "stats_total"]
