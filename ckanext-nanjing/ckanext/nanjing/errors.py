"""Pages shown when a backing service fails while serving a request."""
from __future__ import annotations

import logging

import pysolr
import requests
from werkzeug.exceptions import InternalServerError

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError, SolrConnectionError

from . import doctor

log = logging.getLogger(__name__)

__all__ = ["register_handlers", "quiet_solr_connection_tracebacks"]


def register_handlers(app) -> None:
    """Search outages answer 503 with an explanation instead of a bare 500.

    Runs after CKAN registered its own handlers (IMiddleware), so CKAN's
    500 page is kept for every other failure."""
    app.register_error_handler(SearchError, _search_unavailable)
    app.register_error_handler(SolrConnectionError, _search_unavailable)
    ckan_500 = app.error_handler_spec[None].get(500, {}).get(InternalServerError)

    def internal_error(error: InternalServerError):
        # CKAN's dataset search turns a lost Solr connection into abort(500).
        check = doctor.check_solr(tk.config)
        if not check.ok:
            return _unavailable_page(check, error)
        return ckan_500(error) if ckan_500 else error

    app.register_error_handler(InternalServerError, internal_error)
    app.before_request(_refuse_unparsable_group_search)


# CKAN's organization and group pages log a search syntax error and then fail
# to render (500); their dataset search page shows the error instead.
GROUP_PAGES = ("organization.read", "group.read")


def _refuse_unparsable_group_search():
    query = tk.request.args.get("q")
    if tk.request.endpoint not in GROUP_PAGES or not query:
        return None
    try:
        tk.get_action("package_search")({}, {"q": query, "rows": 0})
    except SearchError:
        # Solr refused the query (a lost connection is SolrConnectionError,
        # answered with the 503 page).
        return tk.abort(400, tk._("The search could not be understood: check its quotes and "
                                  "brackets, or search for plain words."))
    return None


def _search_unavailable(error: Exception):
    return _unavailable_page(doctor.check_solr(tk.config), error)


def _unavailable_page(check: doctor.Check, error: Exception):
    log.error("Search unavailable (%s)\n%s", error, check.report())
    page = tk.render("nanjing/service_unavailable.html", {"check": check})
    return page, 503, {"Retry-After": "60"}


class _DropConnectionTraceback(logging.Filter):
    """CKAN logs a full traceback each time Solr cannot be reached; the one
    line is enough, since the doctor message that follows says what to do."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(
                record.exc_info[1], (pysolr.SolrError, requests.ConnectionError)):
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_solr_connection_tracebacks() -> None:
    logger = logging.getLogger("ckan.lib.search.common")
    if not any(isinstance(f, _DropConnectionTraceback) for f in logger.filters):
        logger.addFilter(_DropConnectionTraceback())
