"""The pages of 互动交流. /interaction/<number> shows a message as the
public see it (the change log's entries link here); the form, the list
and the stewards' queue are to come."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

__all__ = ["interaction"]

# Named as the change log's object type, so feeds link to interaction.read.
interaction = Blueprint("interaction", __name__)


def read(id: str):
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    try:
        item = tk.get_action("nanjing_interaction_show")(context, {"id": id})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, "没有这条留言，或它尚未通过审看")
    return tk.render("nanjing/interaction/read.html", {"item": item})


interaction.add_url_rule("/interaction/<id>", view_func=read, endpoint="read")
