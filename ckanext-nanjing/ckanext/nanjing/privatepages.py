"""Answers that carry one person's matter (an applicant's pages, a 查询码,
a letter, an attachment, a form they filled in): never kept by the
micro-cache or a browser. CKAN then sends `private` instead of `public`."""
from __future__ import annotations

from flask import Response, make_response

import ckan.plugins.toolkit as tk

__all__ = ["no_store", "private_page"]


def no_store(response: Response) -> Response:
    tk.request.environ["__no_cache__"] = True
    response.headers["Cache-Control"] = "no-store"
    return response


def private_page(template: str, extra: dict, status: int = 200) -> Response:
    return no_store(make_response(tk.render(template, extra), status))
