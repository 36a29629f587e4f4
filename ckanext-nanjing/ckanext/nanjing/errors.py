"""Pages shown when a backing service fails while serving a request."""
from __future__ import annotations

import logging

import pysolr
import requests

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError

from . import doctor

log = logging.getLogger(__name__)

__all__ = ["register_handlers", "quiet_solr_connection_tracebacks"]


def register_handlers(app) -> None:
    # Flask picks the most specific handler, so this one wins over CKAN's
    # generic 500 page for search failures only.
    app.register_error_handler(SearchError, _search_unavailable)


def _search_unavailable(error: Exception):
    check = doctor.check_solr(tk.config)
    log.error("Search failed: %s\n%s", error, check.report())
    extra_vars = {"check": check}
    return tk.render("nanjing/service_unavailable.html", extra_vars), 503


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
