"""Registration pages: `/user/register` (CKAN's URL and endpoint, with the
platform's view in place of CKAN's), the page that says a link was mailed,
the link itself and resending it. Nothing here is cached: each answer is
one person's."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

from .. import ratelimit
from ..privatepages import private_page
from ..formfields import errors as field_errors
from . import registration

__all__ = ["nanjing_register", "register"]

nanjing_register = Blueprint("nanjing_register", __name__)

FIELDS = ("kind", "name", "email", "fullname", "credit_code", "contact_person", "phone",
          "agree")
PASSWORDS = ("password1", "password2")
# A field people do not see (hidden by CSS, not by type): bots fill it in.
TRAP = "homepage"


def _sent(address: str):
    return private_page("nanjing/access/register_sent.html", {
        "email": address, "hours": tk.config.get("ckanext.nanjing.access.verify_hours")})


def register():
    """Replaces CKAN's `user.register` (see plugin.make_middleware)."""
    if tk.current_user.is_authenticated:
        tk.h.flash_notice("您已登录，无需再注册")
        return tk.redirect_to("nanjing_access.mine")
    values, errors, status = {"kind": "individual"}, {}, 200
    refused = "" if registration.open_for_registration() else registration.closed_message()
    if tk.request.method == "POST" and not refused:
        form = tk.request.form
        values = {name: form.get(name, "").strip() for name in FIELDS}
        if form.get(TRAP):
            return _sent(values["email"])
        try:
            registration.register(dict(values, **{name: form.get(name, "") for name in PASSWORDS}),
                                  ratelimit.client_address())
        except tk.ValidationError as error:
            errors, status = field_errors(error), 400
        except registration.RegistrationRefused as error:
            refused, status = str(error), 429
        else:
            return _sent(values["email"])
    return private_page("nanjing/access/register.html", {
        "values": values, "errors": errors, "refused": refused, "trap": TRAP,
        "kinds": list(registration.KINDS.items())}, status)


@nanjing_register.route("/user/register/verify/<token>")
def verify(token: str):
    try:
        user = registration.verify(token)
    except registration.RegistrationRefused as error:
        return private_page("nanjing/access/register_failed.html", {"reason": str(error)}, 400)
    tk.h.flash_success(f"邮箱已验证，账号“{user.name}”已启用，请登录")
    return tk.redirect_to("user.login")


@nanjing_register.route("/user/register/resend", methods=["GET", "POST"])
def resend():
    values, errors, status, sent = {}, {}, 200, False
    if tk.request.method == "POST":
        values = {"email": tk.request.form.get("email", "").strip()}
        try:
            registration.resend(values["email"], ratelimit.client_address())
        except tk.ValidationError as error:
            errors, status = field_errors(error), 400
        except registration.RegistrationRefused as error:
            errors, status = {"__all__": [str(error)]}, 429
        else:
            sent = True
    return private_page("nanjing/access/register_resend.html",
                   {"values": values, "errors": errors, "sent": sent}, status)
