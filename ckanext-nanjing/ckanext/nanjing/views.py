from __future__ import annotations

import re

from flask import Blueprint

import ckan.plugins.toolkit as tk

from . import codelists
from .catalog import tree

__all__ = ["nanjing"]

nanjing = Blueprint("nanjing", __name__)


# Organization names as CKAN allows them; anything else never reaches Solr.
ORGANIZATION_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")


def disclosure_catalog():
    organization = tk.request.args.get("organization") or None
    area = tk.request.args.get("area") or None
    if area and area not in codelists.get("areas"):
        return tk.abort(400, tk._("Unknown area: {area}").format(area=area[:50]))
    if organization and not ORGANIZATION_NAME.match(organization):
        return tk.abort(400, tk._("Unknown department: {name}").format(name=organization[:50]))
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    extra_vars = tree.catalog_tree(context, organization=organization, area=area)
    extra_vars.update(selected_organization=organization, selected_area=area)
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


nanjing.add_url_rule("/gkml", view_func=disclosure_catalog, endpoint="disclosure_catalog")
nanjing.add_url_rule("/gkml_item/<id>/review", view_func=review_decision,
                     endpoint="review_decision", methods=["POST"])
