"""Every page that hands out data asks the rule first: file downloads (and
the redirect to a link resource's target), `/datastore/dump`, the table
exports, the last valid file and the table preview of the resource view.

The views stay CKAN's and the platform's own; each is wrapped where Flask
keeps it (`app.view_functions`), so its URL and endpoint name do not
change. A refused read gets a 403 that says why in Chinese; an allowed
read of conditional data is logged once, with the bytes sent."""
from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, Iterator

import ckan.plugins.toolkit as tk

from . import log, resolve, rule

__all__ = ["register", "guarded_endpoints", "DATA_ENDPOINTS"]

# endpoint (or its ending) -> what the access log calls the read
DATA_ENDPOINTS = {
    "resource.download": "download",
    "datastore.dump": "dump",
    "nanjing.export_table": "export",
    "nanjing.last_valid_file": "download",
    "datatablesview.ajax": "preview",
    "datatablesview.filtered_download": "export",
}
# Reads of the whole table or file, which a grant narrowed to some fields
# does not cover (the dump and the preview go through datastore_search,
# which answers only the granted fields).
WHOLE_TABLE = {"download", "export"}
FIELD_SCOPED = ("您的授权仅限该数据的部分字段，原始文件和整表下载不在授权范围内；"
                "请通过 datastore_search 或 DataStore 导出（dump）按授权字段获取。")


def _path_of(endpoint: str) -> str | None:
    # CKAN names the download of each dataset type's blueprint:
    # resource.download, dataset_resource.download, open_dataset_resource.download...
    if endpoint.endswith("resource.download"):
        return DATA_ENDPOINTS["resource.download"]
    return DATA_ENDPOINTS.get(endpoint)


def register(app) -> None:
    for endpoint, view in list(app.view_functions.items()):
        path = _path_of(endpoint)
        if path and not getattr(view, "nanjing_guarded", False):
            app.view_functions[endpoint] = _guarded(view, path)


def guarded_endpoints(app) -> dict[str, bool]:
    """Each data endpoint of the app and whether the rule guards it."""
    return {endpoint: bool(getattr(view, "nanjing_guarded", False))
            for endpoint, view in app.view_functions.items() if _path_of(endpoint)}


def _resource_of(kwargs: dict[str, Any]):
    if "resource_view_id" in kwargs:
        return resolve.resource_of_view(kwargs["resource_view_id"])
    return resolve.resource_named(kwargs.get("resource_id"))


def _counted(chunks: Iterable[bytes], done: Callable[[int], None]) -> Iterator[bytes]:
    size = 0
    try:
        for chunk in chunks:
            size += len(chunk)
            yield chunk
    finally:
        done(size)


def _guarded(view: Callable, path: str) -> Callable:
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any):
        resource = _resource_of(kwargs)
        if resource is None:
            # CKAN's table preview answers an unknown view with a 500, and
            # any view a NUL in the address with one: both are not found.
            if "resource_view_id" in kwargs or any(
                    isinstance(value, str) and "\x00" in value for value in kwargs.values()):
                return tk.abort(404, "资源或资源视图不存在")
            return view(*args, **kwargs)  # the view's own 404
        who = rule.reader(tk.current_user.name if tk.current_user.is_authenticated else "")
        verdict = rule.verdict(who, resource.package, resource.id)
        if not verdict.allowed:
            return tk.abort(403, verdict.reason)
        if not verdict.logged:
            return view(*args, **kwargs)
        if verdict.fields is not None and path in WHOLE_TABLE:
            return tk.abort(403, FIELD_SCOPED)
        log.logging_whole_read()
        response = view(*args, **kwargs)
        if getattr(response, "status_code", 500) >= 400:
            return response

        def done(size: int | None) -> None:
            log.record(who, verdict, path, resource.package_id, resource.id, size=size)

        if response.is_streamed and not response.direct_passthrough:
            response.response = _counted(response.response, done)
        else:
            # A file sent as it is (its length known), or a redirect to a link's target.
            done(response.content_length)
        return response

    guarded.nanjing_guarded = True  # type: ignore[attr-defined]
    return guarded
