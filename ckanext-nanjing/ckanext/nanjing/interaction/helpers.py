"""Template helpers of 互动交流: the mark on a dataset while objections to
it are checked."""
from __future__ import annotations

import ckan.model as model

from . import rules
from .model import Item

__all__ = ["nanjing_open_objections"]


def nanjing_open_objections(dataset_id: str) -> int:
    """How many objections to the dataset are accepted and being checked."""
    if not dataset_id:
        return 0
    return model.Session.query(Item).filter(
        Item.dataset_id == dataset_id, Item.kind == "objection",
        Item.state.in_(rules.OPEN_STATES)).count()
