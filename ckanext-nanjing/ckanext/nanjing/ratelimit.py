"""Counters of attempts per client address or per applicant, kept in Redis
so that every web worker sees the same counts."""
from __future__ import annotations

import logging

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

__all__ = ["client_address", "count", "hit"]

log = logging.getLogger(__name__)


def _key(bucket: str, who: str) -> str:
    return f"{tk.config.get('ckan.site_id')}:nanjing:{bucket}:{who}"


def client_address() -> str:
    """The address of the web client, or "api-local" outside a web request."""
    try:
        from flask import request
        return request.remote_addr or "unknown"
    except RuntimeError:
        return "api-local"


def count(bucket: str, who: str) -> int:
    try:
        return int(connect_to_redis().get(_key(bucket, who)) or 0)
    except Exception:  # noqa: BLE001 - a Redis outage must not block the public
        log.exception("Could not read the %s counter", bucket)
        return 0


def hit(bucket: str, who: str, window_seconds: int) -> int:
    """Count one attempt; the count expires `window_seconds` after the first."""
    try:
        redis = connect_to_redis()
        key = _key(bucket, who)
        pipe = redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, window_seconds, nx=True)
        value, _ = pipe.execute()
        return int(value)
    except Exception:  # noqa: BLE001
        log.exception("Could not count an attempt for %s", bucket)
        return 0
