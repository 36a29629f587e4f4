"""Scoring the catalog search against the relevance set (relevance.yaml).

Shared by tests/catalog/test_relevance.py and `make bench-search`
(benchmarks/search.py), so that both count the same way:
  recall@10   per query, the relevant datasets among the first ten hits,
              over the relevant ones (at most ten), averaged over queries;
  MRR         the mean of 1/rank of the first relevant hit (0 if none);
  irrelevant  hits among the first ten that are neither relevant nor
              listed as fair (`also`), summed over queries.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

QUERIES_FILE = Path(__file__).with_name("relevance.yaml")
TOP = 10


def package_search_hits(**params) -> Callable[[str], list[str]]:
    """hits_of(query) through package_search as an anonymous visitor, with
    extra parameters (e.g. defType) passed on."""
    from ckan.logic import get_action

    def hits_of(query: str) -> list[str]:
        found = get_action("package_search")({"user": ""},
                                             {"q": query, "rows": TOP, "fl": "name", **params})
        return [dataset["name"] for dataset in found["results"]]
    return hits_of


def load_queries() -> list[dict]:
    return yaml.safe_load(QUERIES_FILE.read_text(encoding="utf-8"))


@dataclass
class Score:
    queries: int = 0
    recall: float = 0.0
    mrr: float = 0.0
    irrelevant: int = 0
    misses: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"recall@10 {self.recall:.3f}  MRR {self.mrr:.3f}  "
                f"irrelevant hits {self.irrelevant}  ({self.queries} queries)")


def score(hits_of: Callable[[str], list[str]], queries: list[dict] | None = None) -> Score:
    """hits_of(query) -> names of the first hits, best first."""
    queries = queries if queries is not None else load_queries()
    result = Score(queries=len(queries))
    for item in queries:
        hits = hits_of(str(item["q"]))[:TOP]
        relevant = set(item["relevant"])
        fair = relevant | set(item.get("also", []))
        found = relevant & set(hits)
        result.recall += len(found) / min(len(relevant), TOP)
        result.mrr += next((1 / rank for rank, name in enumerate(hits, 1) if name in relevant), 0)
        wrong = [name for name in hits if name not in fair]
        result.irrelevant += len(wrong)
        if found != relevant or wrong:
            result.misses.append(f"{item['q']}: 未找到 {sorted(relevant - found)}，不相关 {wrong}")
    result.recall /= len(queries)
    result.mrr /= len(queries)
    return result
