from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, send_file, stream_with_context

import ckan.plugins.toolkit as tk

from . import codelists, identifiers, paging
from .catalog import tree
from .publishing import exports
from .website.views import nanjing_website

__all__ = ["nanjing", "nanjing_website"]

nanjing = Blueprint("nanjing", __name__)


# Longer searches are cut: nobody types more into the catalog's search box.
MAX_QUERY = 100


def disclosure_catalog():
    args = tk.request.args
    organization = args.get("organization") or None
    area = args.get("area") or None
    level = args.get("level") or None
    q = (args.get("q") or "").strip()[:MAX_QUERY] or None
    if area and area not in codelists.get("areas"):
        return tk.abort(400, tk._("Unknown area: {area}").format(area=area[:50]))
    if level and level not in codelists.get("levels"):
        return tk.abort(400, tk._("Unknown level: {level}").format(level=level[:50]))
    if organization and not identifiers.CKAN_NAME.fullmatch(organization):  # never to Solr
        return tk.abort(400, tk._("Unknown department: {name}").format(name=organization[:50]))
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    extra_vars = tree.catalog_tree(context, organization=organization, area=area, level=level,
                                   q=q, page=paging.requested_page(args, 10_000))
    selected = {"organization": organization, "area": area, "level": level, "q": q}
    pager = paging.pager("nanjing.disclosure_catalog", extra_vars["page_number"],
                         min(extra_vars["count"], tree.MAX_ENTRIES), tree.PAGE_SIZE, selected)
    extra_vars.update(selected_organization=organization, selected_area=area,
                      selected_level=level, q=q, selected=selected, pager=pager)
    return tk.render("nanjing/gkml/index.html", extra_vars)


def review_decision(id: str):
    """The reviewer's form on a withheld entry: approve, or return with a comment."""
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    data = {"id": id, "decision": tk.request.form.get("decision", ""),
            "comment": tk.request.form.get("comment", "")}
    try:
        result = tk.get_action("nanjing_review_decide")(context, data)
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Catalog entry not found"))
    except tk.ValidationError as error:
        for messages in error.error_dict.values():
            for message in messages if isinstance(messages, list) else [messages]:
                tk.h.flash_error(message)
    else:
        tk.h.flash_success(tk._("Approved: the entry is now public.")
                           if result["status"] == "approved"
                           else tk._("Returned to the steward with your comment."))
    return tk.redirect_to("gkml_item.read", id=id)


def _context() -> dict:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def export_table(resource_id: str, fmt: str):
    """The resource's data as CSV (UTF-8 with BOM), JSON or XLSX."""
    if fmt not in exports.FORMATS:
        return tk.abort(404, f"不支持的下载格式：{fmt[:20]}")
    try:
        resource = tk.get_action("resource_show")(_context(), {"id": resource_id})
    except tk.ObjectNotFound:
        return tk.abort(404, "资源不存在")
    except tk.NotAuthorized:
        return tk.abort(403, "无权访问该资源")
    if not resource.get("datastore_active"):
        return tk.abort(404, "该资源的数据尚未通过校验并载入数据库，暂不提供表格下载")
    title = resource.get("name") or resource_id
    filename = f"{title}.{fmt}"
    disposition = f"attachment; filename=data.{fmt}; filename*=UTF-8''{quote(filename)}"
    if fmt == "xlsx":
        return send_file(exports.xlsx_file(resource_id, title), mimetype=exports.FORMATS[fmt],
                         as_attachment=True, download_name=filename)
    stream = exports.csv_stream if fmt == "csv" else exports.json_stream
    return Response(stream_with_context(stream(resource_id)), content_type=exports.FORMATS[fmt],
                    headers={"Content-Disposition": disposition})


def last_valid_file(resource_id: str):
    """The last version of an uploaded file that passed the gate."""
    from .publishing import gate

    try:
        resource = tk.get_action("resource_show")(_context(), {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, "资源不存在")
    path = gate.valid_copy_path(resource["id"])
    if not path.exists():
        return tk.abort(404, "该资源没有通过校验的历史版本")
    name = (resource.get("url") or "data").rsplit("/", 1)[-1] or "data"
    return send_file(path, as_attachment=True, download_name=f"上次有效版本-{name}")


def adopt_schema(resource_id: str):
    try:
        package = tk.get_action("nanjing_schema_adopt")(_context(), {"resource_id": resource_id})
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ObjectNotFound:
        return tk.abort(404, "资源不存在")
    except tk.ValidationError as error:
        for messages in error.error_dict.values():
            for message in messages if isinstance(messages, list) else [messages]:
                tk.h.flash_error(message)
        resource = tk.get_action("resource_show")(_context(), {"id": resource_id})
        package = tk.get_action("package_show")(_context(), {"id": resource["package_id"]})
    else:
        tk.h.flash_success("已采用推断的信息项，资源已按其重新校验")
    return tk.redirect_to(f"{package['type']}_resource.read", id=package["name"],
                          resource_id=resource_id)


nanjing.add_url_rule("/resource/<resource_id>/export.<fmt>", view_func=export_table,
                     endpoint="export_table")
nanjing.add_url_rule("/resource/<resource_id>/last-valid", view_func=last_valid_file,
                     endpoint="last_valid_file")
nanjing.add_url_rule("/resource/<resource_id>/adopt-schema", view_func=adopt_schema,
                     endpoint="adopt_schema", methods=["POST"])
nanjing.add_url_rule("/gkml", view_func=disclosure_catalog, endpoint="disclosure_catalog")
nanjing.add_url_rule("/gkml_item/<id>/review", view_func=review_decision,
                     endpoint="review_decision", methods=["POST"])
