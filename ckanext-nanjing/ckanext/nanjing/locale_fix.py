"""CKAN 2.12's JavaScript asks for its translations at /api/i18n/zh_Hans-CN.

`client.getLocaleData` turns the page's language tag `zh-Hans-CN` into a
locale with `replace('-', '_')`, which replaces only the first dash; CKAN
answers the result with 400, and since the page's JavaScript modules start
only once the translations have arrived, none of them starts (the data
preview, autocompletes, the resource view embed) in the default language
of this portal. The request is answered here for the locale it means."""
from __future__ import annotations

import re

from flask import request

from ckan.lib.i18n import get_locales_from_config
from ckan.views.api import i18n_js_translations

__all__ = ["register"]

I18N_PATH = re.compile(r"^/api/(?:\d/)?i18n/(?P<lang>[A-Za-z_-]+)$")


def register(app) -> None:
    app.before_request(_answer_half_converted_locale)


def _answer_half_converted_locale():
    match = I18N_PATH.match(request.path)
    if not match or "-" not in match["lang"]:
        return None
    locale = match["lang"].replace("-", "_")
    if locale not in get_locales_from_config():
        return None
    return i18n_js_translations(locale)
