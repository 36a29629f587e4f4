"""Whether a link to the portal itself leads somewhere: the path is matched
against the site's own routes (no request is made), and a link to a record
is followed to the record, which must exist and be public."""
from __future__ import annotations

import os
import urllib.parse
from typing import Callable

import flask
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect
from werkzeug.security import safe_join

import ckan.model as model
import ckan.plugins.toolkit as tk

__all__ = ["resolver"]

# Views of one record (dataset.read, open_dataset_resource.read, …download).
RECORD_VIEWS = ("read", "download", "resource_read")
GROUP_BLUEPRINTS = ("organization", "group")


def _app():
    if flask.has_app_context():
        return flask.current_app
    # Outside a request (the daily run from the command line, the tests):
    # the context CKAN's own url_for uses there.
    from ckan.lib.helpers import _get_auto_flask_context
    context = _get_auto_flask_context()
    return context.app if context is not None else None


def _static_file(folders, filename: str) -> bool:
    """Whether one of the public folders (CKAN serves several as `static`) has it."""
    for folder in folders if isinstance(folders, (list, tuple)) else [folders]:
        if folder and safe_join(folder, filename) and os.path.isfile(safe_join(folder, filename)):
            return True
    return False


def _without_locale(path: str) -> str:
    parts = path.split("/", 2)
    offered = set(tk.aslist(tk.config.get("ckan.locales_offered"))) | {
        tk.config.get("ckan.locale_default")}
    if len(parts) > 1 and parts[1] in offered:
        return "/" + (parts[2] if len(parts) > 2 else "")
    return path


def _record_problem(endpoint: str, args: dict) -> str | None:
    blueprint, _, view = endpoint.partition(".")
    ident = str(args.get("id") or "")
    if not ident or view not in RECORD_VIEWS:
        return None
    if blueprint in GROUP_BLUEPRINTS:
        group = model.Group.get(ident)
        return None if group is not None and group.state == "active" else "链接的部门不存在"
    if blueprint in ("user", "api", "nanjing_supervision"):
        return None
    package = model.Package.get(ident)
    if package is None or package.state != "active" or package.private:
        return "链接的记录不存在或未公开"
    resource_id = args.get("resource_id")
    if resource_id:
        resource = model.Resource.get(str(resource_id))
        if resource is None or resource.state != "active" or resource.package_id != package.id:
            return "链接的资源不存在或已删除"
    return None


def resolver() -> Callable[[str], str | None]:
    """A function: a path on the portal → why it is broken, or None."""
    app = _app()
    if app is None:
        return lambda path: None
    adapter = app.url_map.bind("localhost")
    answers: dict[str, str | None] = {}

    def resolve(path: str, hops: int = 0) -> str | None:
        path = _without_locale(path or "/")
        if path in answers:
            return answers[path]
        try:
            endpoint, args = adapter.match(path, method="GET")
            if endpoint == "home.redirect_locale":
                # /<any CKAN locale>/<path>: CKAN redirects to the path.
                answer = resolve("/" + args.get("path", ""), hops + 1) if hops < 3 else None
            elif endpoint == "static":
                found = _static_file(app.static_folder, args.get("filename", ""))
                answer = None if found else "站内页面不存在（404）"
            else:
                answer = _record_problem(endpoint, args)
        except RequestRedirect as redirect:
            target = urllib.parse.urlsplit(redirect.new_url).path
            answer = resolve(target, hops + 1) if hops < 3 else None
        except NotFound:
            answer = "站内页面不存在（404）"
        except (MethodNotAllowed, HTTPException):
            answer = None
        answers[path] = answer
        return answer

    return resolve
