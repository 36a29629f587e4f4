"""Tables of supervision. Created by the migrations in
migration/nanjing_supervision/. The figures are recomputed by
`ckan nanjing supervise` and kept one row per body and month, so the
dashboard reads them at once and the monthly trend is the rows of a body.
What a body writes into its yearly report is kept one row per body and year."""
from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Integer, Numeric, UnicodeText

from ckan.model.base import BaseModel

__all__ = ["LinkCheck", "Figures", "ReportEntry", "CITY_KEY"]

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


class ReportEntry(BaseModel):
    """What the platform does not hold for a body's yearly report: table 二's
    decision counts and fee income (entered, or sent by a business system
    through the API) and the text of sections 一, 五 and 六; and the
    `policy_document` the finished report was published as."""
    __tablename__ = "nanjing_annual_report_entry"

    organization_id = Column(UnicodeText, primary_key=True)  # or CITY_KEY
    year = Column(Integer, primary_key=True)
    licensing = Column(Integer, nullable=True)
    penalty = Column(Integer, nullable=True)
    enforcement = Column(Integer, nullable=True)
    charges = Column(Numeric(16, 4), nullable=True)          # 万元
    figures_source = Column(UnicodeText, nullable=False, default="")
    overview = Column(UnicodeText, nullable=False, default="")
    problems = Column(UnicodeText, nullable=False, default="")
    other = Column(UnicodeText, nullable=False, default="")
    modified = Column(DateTime, nullable=False, default=_now)
    modified_by = Column(UnicodeText, nullable=True)         # user id
    published_package_id = Column(UnicodeText, nullable=True)
    published = Column(DateTime, nullable=True)
