"""The per-department score out of 100: each weighted indicator gives its
weight × the share that met it. An indicator with nothing to measure for a
body (no requests, no policies) is left out and the other weights are
scaled up to 100, so a body is not marked down for what it did not have."""
from __future__ import annotations

from typing import Any

from .weights import INDICATORS

__all__ = ["score"]


def score(indicators: dict[str, dict[str, Any]], weights: dict[str, float]) -> dict[str, Any]:
    """{points, lost: [{indicator, label, points, missed}], left_out: [...]}"""
    counted = {key: weight for key, weight in weights.items()
               if weight and indicators[key]["ratio"] is not None}
    total = sum(counted.values())
    if not total:
        return {"points": None, "lost": [], "left_out": sorted(weights)}
    points, lost = 0.0, []
    for key, weight in counted.items():
        share = weight * 100 / total
        # From the counts, not the rounded ratio shown.
        ratio = indicators[key]["met"] / indicators[key]["measured"]
        points += share * ratio
        if ratio < 1:
            lost.append({"indicator": key, "label": INDICATORS[key],
                         "points": round(share * (1 - ratio), 2),
                         "missed": indicators[key]["missed"]})
    lost.sort(key=lambda item: -item["points"])
    return {"points": round(points, 1), "lost": lost,
            "left_out": sorted(key for key in weights if key not in counted)}
