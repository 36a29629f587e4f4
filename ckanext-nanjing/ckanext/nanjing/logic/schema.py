from __future__ import annotations

from ckan.logic.schema import validator_args

__all__ = ["review_decide_schema", "review_id_schema", "resource_id_schema"]


@validator_args
def review_decide_schema(not_empty, unicode_safe, one_of, ignore_missing):
    return {
        "id": [not_empty, unicode_safe],
        "decision": [not_empty, one_of(["approve", "return"])],
        "comment": [ignore_missing, unicode_safe],
    }


@validator_args
def review_id_schema(not_empty, unicode_safe):
    return {"id": [not_empty, unicode_safe]}


@validator_args
def resource_id_schema(not_empty, unicode_safe):
    return {"resource_id": [not_empty, unicode_safe]}
