"""Tables of supervision. Created by the migration in
migration/nanjing_supervision/. The figures are recomputed by
`ckan nanjing supervise` and kept one row per body and month, so the
dashboard reads them at once and the monthly trend is the rows of a body."""
from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Integer, UnicodeText

from ckan.model.base import BaseModel

__all__ = ["LinkCheck", "Figures", "CITY_KEY"]

# The key of the city's row (every body summed) in `Figures`.
CITY_KEY = "city"


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


class LinkCheck(BaseModel):
    """The last HEAD check of one URL that a dataset or catalog entry links to."""
    __tablename__ = "nanjing_supervision_link_check"

    url = Column(UnicodeText, primary_key=True)
    ok = Column(Boolean, nullable=False)
    status_code = Column(Integer, nullable=True)
    message = Column(UnicodeText, nullable=False, default="")
    elapsed_ms = Column(Integer, nullable=False, default=0)
    checked = Column(DateTime, nullable=False, default=_now)


class Figures(BaseModel):
    """A body's indicators and score as computed in one run; the row of a
    month is replaced by every run in that month."""
    __tablename__ = "nanjing_supervision_figures"

    organization_id = Column(UnicodeText, primary_key=True)  # or CITY_KEY
    month = Column(UnicodeText, primary_key=True)            # YYYY-MM
    computed = Column(DateTime, nullable=False, default=_now)
    figures_json = Column("figures", UnicodeText, nullable=False, default="{}")

    @property
    def figures(self) -> dict[str, Any]:
        return json.loads(self.figures_json or "{}")
