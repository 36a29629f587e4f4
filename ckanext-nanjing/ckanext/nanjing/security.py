"""Security headers on every response, the upload size limit and a limit on
failed logins. Set in the application, so they hold under any server
(`ckan run`, gunicorn, behind any proxy)."""
from __future__ import annotations

import json
import math
import re

from flask import Response, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

import ckan.plugins.toolkit as tk
from ckan.lib import signals

from . import ratelimit

__all__ = ["register", "upload_too_large_message", "LOGIN_THROTTLED"]

MB = 1024 * 1024
API_PATH = re.compile(r"^(/[A-Za-z_]+)?/api/")
ACTION_PATH = re.compile(r"^(/[A-Za-z_]+)?/api/(\d/)?action/")
# Multipart framing and the other form fields around an uploaded file.
FORM_MARGIN = MB

LOGIN_THROTTLED = "登录失败次数过多，请 {minutes} 分钟后再试。"


def upload_too_large_message(limit_mb: int) -> str:
    return (f"上传的内容超过了平台允许的 {limit_mb} MB 上限，未被接收。"
            f"请压缩或拆分文件后重新上传，或改为提供文件的下载链接。")


def register(app) -> None:
    app.after_request(_add_headers)
    app.before_request(_refuse_oversized_request)
    app.before_request(_refuse_throttled_login)
    app.before_request(_refuse_unstorable_action_input)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    # Werkzeug also stops a body without Content-Length (chunked) at this size.
    app.config["MAX_CONTENT_LENGTH"] = _limit_mb() * MB + FORM_MARGIN
    signals.failed_login.connect(_count_failed_login)
    # Behind a proxy every client has the proxy's address: take the client's
    # from the X-Forwarded-For the trusted proxies add.
    hops = tk.config.get("ckanext.nanjing.proxy_hops")
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy",
                       tk.config.get("ckanext.nanjing.content_security_policy"))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    hsts = tk.config.get("ckanext.nanjing.hsts_max_age")
    if hsts and request.scheme == "https":
        headers.setdefault("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")
    return response


def _limit_mb() -> int:
    return tk.config.get("ckan.max_resource_size")


def _refuse_oversized_request():
    length = request.content_length
    if length is not None and length > _limit_mb() * MB + FORM_MARGIN:
        return _too_large(None)
    return None


def _too_large(error):
    message = upload_too_large_message(_limit_mb())
    if API_PATH.match(request.path):
        body = {"success": False, "error": {"__type": "Request Entity Too Large",
                                            "message": message}}
        return Response(json.dumps(body, ensure_ascii=False), 413,
                        content_type="application/json;charset=utf-8")
    return Response(f"<!doctype html><meta charset=utf-8><title>413</title><p>{message}</p>",
                    413, content_type="text/html;charset=utf-8")


# Failed logins are counted per client address and per account name, with
# the platform's one set of counters (Redis, seen by every web worker).
def _buckets(login: str | None) -> list[tuple[str, str]]:
    buckets = [("login-failures:ip", str(request.remote_addr))]
    if login:
        buckets.append(("login-failures:user", login.lower()))
    return buckets


def _count_failed_login(login, **kwargs) -> None:
    window = tk.config.get("ckanext.nanjing.login_throttle.window") * 60
    for bucket, who in _buckets(str(login)):
        ratelimit.hit(bucket, who, window)


def _refuse_throttled_login():
    if request.method != "POST" or request.endpoint != "user.login":
        return None
    limit = tk.config.get("ckanext.nanjing.login_throttle.attempts")
    counts = [ratelimit.count(bucket, who)
              for bucket, who in _buckets(request.form.get("login"))]
    if max(counts) < limit:
        return None
    minutes = tk.config.get("ckanext.nanjing.login_throttle.window")
    message = LOGIN_THROTTLED.format(minutes=minutes)
    return Response(f"<!doctype html><meta charset=utf-8><title>429</title><p>{message}</p>",
                    429, {"Retry-After": str(minutes * 60)},
                    content_type="text/html;charset=utf-8")


# What PostgreSQL cannot store, refused before any action sees it: a NUL
# character (psycopg2 raises ValueError on it, in CKAN's actions as in ours,
# which answered 500) and numbers JSON allows but no column holds (NaN,
# Infinity, 1e400).
def _unstorable(value) -> str | None:
    """Why `value` (or something in it) cannot be stored, or None."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "含有无法保存的控制字符（空字符 \\u0000），请删除后重新提交"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "数值超出范围（须为有限的数）"
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


def _action_input() -> dict:
    """The action's parameters as CKAN will read them (query, form, a JSON
    form key, or a JSON body)."""
    found = {}
    for source in (request.args, request.form):
        for key, values in source.lists():
            found[key] = values
            if len(source) == 1 and values in (["1"], [""]):
                try:
                    parsed = json.loads(key)
                except ValueError:
                    parsed = None
                if isinstance(parsed, dict):
                    found.update(parsed)
    if request.content_type != "multipart/form-data" and request.data:
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            found.update(body)
    return found


def _refusal(field: str, message: str) -> Response:
    body = {"success": False, "error": {"__type": "Validation Error", field: [message]}}
    return Response(json.dumps(body, ensure_ascii=False), 409,
                    content_type="application/json;charset=utf-8")


def _refuse_unstorable_action_input():
    if not ACTION_PATH.match(request.path):
        return None
    try:
        given = _action_input()
    except RecursionError:
        return _refusal("参数", "JSON 嵌套层级过深")
    for key, value in given.items():
        why = _unstorable(key) or _unstorable(value)
        if why:
            field = key if isinstance(key, str) and "\x00" not in key else "参数"
            return _refusal(field, why)
    return None
