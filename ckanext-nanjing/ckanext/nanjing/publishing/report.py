"""What the gate found in one file: problems in frictionless's vocabulary
(plus our own `nanjing-*` codes), each with row, column and a Chinese
explanation, and the totals."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Problem", "Report", "MAX_VALUE_CHARS"]

MAX_VALUE_CHARS = 200


@dataclass(frozen=True)
class Problem:
    code: str                 # frictionless error type ("type-error", ...) or ours ("nanjing-...")
    message: str              # plain Chinese, naming row and column
    row: int | None = None    # frictionless rowNumber (the header row is 1)
    field: int | None = None  # 1-based fieldNumber
    field_name: str | None = None
    value: str | None = None  # the offending cell, truncated

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    encoding: str | None = None
    schema: dict[str, Any] | None = None
    schema_inferred: bool = False
    # Problems beyond this many are counted, not kept.
    limit: int = 1000
    counts: Counter = field(default_factory=Counter)

    @property
    def valid(self) -> bool:
        return not self.counts

    @property
    def error_count(self) -> int:
        return sum(self.counts.values())

    @property
    def full(self) -> bool:
        return len(self.problems) >= self.limit

    def add(self, problem: Problem) -> None:
        self.counts[problem.code] += 1
        if len(self.problems) < self.limit:
            self.problems.append(problem)

    def extend(self, problems) -> None:
        for problem in problems:
            self.add(problem)

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid, "rows": self.rows, "encoding": self.encoding,
            "error_count": self.error_count, "counts": dict(self.counts),
            "errors": [p.as_dict() for p in self.problems],
            "truncated": self.error_count > len(self.problems),
            "schema": self.schema, "schema_inferred": self.schema_inferred,
        }
