"""Self-registration of the public: an individual, or an organisation with
its 统一社会信用代码, opens an account that stays `pending` until the
address it gave is proved by the link mailed to it.

CKAN's own registration (`user.register`) creates active accounts at once
and signs them in; it is replaced by `accountpages.register`. The password
rule is CKAN's (`user_password_validator`, eight characters or more);
failed logins are counted by the platform's login throttle (security.py).
Registrations and resent links are counted per client address
(`ratelimit`). The link is signed (itsdangerous, Flask's own) with the
site's SECRET_KEY and names the account and the address, so it stops
working when either changes."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import validate

from .. import identifiers, mail, ratelimit
from ..formfields import EMAIL, boolean, choice, email, required, text
from . import profiles

__all__ = ["KINDS", "open_for_registration", "closed_message", "register", "verification_link",
           "verify", "resend", "RegistrationRefused"]

KINDS = {"individual": "个人", "organisation": "法人或其他组织"}
SALT = "nanjing-access/verify-email"
DAY = 24 * 3600
BUCKET = "register"


class RegistrationRefused(Exception):
    """Refused as a whole (limits, mail not set up), said in Chinese."""


def open_for_registration() -> bool:
    """Registration is on (a deployment behind the province's single
    sign-on turns it off) and mail is set up: the account is proved by a
    mailed link."""
    return tk.config.get("ckanext.nanjing.access.self_registration") and mail.configured()


def closed_message() -> str:
    if not tk.config.get("ckanext.nanjing.access.self_registration"):
        return "本平台不开放自助注册，请使用统一身份认证登录，或联系平台管理员开通账号"
    return "平台未配置邮件服务，无法发送验证邮件，暂不能自助注册；请联系平台管理员开通账号"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(tk.config["SECRET_KEY"], salt=SALT)


def _hours() -> int:
    return tk.config.get("ckanext.nanjing.access.verify_hours")


def _schema(kind: str) -> dict[str, list]:
    ignore_missing = tk.get_validator("ignore_missing")
    schema = {
        "kind": [choice(KINDS, "注册类型")],
        "name": [required("用户名"), text(100)],
        "email": [required("电子邮箱"), text(254), email],
        "fullname": [ignore_missing, text(100)],
        "password1": [required("密码")],
        "password2": [required("确认密码")],
    }
    if kind == "organisation":
        schema.update({"fullname": [required("单位名称"), text(100)],
                       "credit_code": [required("统一社会信用代码"), text(18)],
                       "contact_person": [required("联系人"), text(50)],
                       "phone": [required("联系电话"), text(30)]})
    return schema


def _checked(data_dict: dict[str, Any]) -> dict[str, Any]:
    """The form's fields, cleaned, or a ValidationError naming every problem."""
    kind = data_dict.get("kind") if data_dict.get("kind") in KINDS else "individual"
    data, errors = validate(data_dict, _schema(kind), {})
    errors = {key: list(value) for key, value in errors.items() if value}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    name = str(data.get("name") or "")
    if name and "name" not in errors:
        if not identifiers.CKAN_NAME.fullmatch(name):
            refuse("name", "用户名须为 2 至 100 位小写英文字母、数字、- 或 _")
        elif model.User.get(name) is not None:
            refuse("name", "该用户名已被使用，请换一个")
    address = str(data.get("email") or "")
    if address and "email" not in errors and _holders(address, exclude=model.State.DELETED):
        refuse("email", "该邮箱已注册。如未收到验证邮件，可在“重新发送验证邮件”页面再次发送")
    password = data_dict.get("password1") or ""
    if password and len(password) < 8:
        refuse("password1", "密码至少 8 位")
    elif password and password != data_dict.get("password2"):
        refuse("password2", "两次输入的密码不一致")
    if not boolean(data_dict.get("agree") or "", {}):
        refuse("agree", "请阅读并同意注册须知")
    if kind == "organisation" and "credit_code" not in errors:
        code = str(data.get("credit_code") or "").strip().upper()
        if not identifiers.is_credit_code(code):
            refuse("credit_code", f"统一社会信用代码有误：{identifiers.credit_code_problem(code)}")
    if errors:
        raise tk.ValidationError(errors)
    return data


def _holders(address: str, only: str = "", exclude: str = "") -> list[model.User]:
    """Accounts with this address (CKAN compares addresses case-blind)."""
    query = model.Session.query(model.User).filter(
        sa.func.lower(model.User.email) == address.lower())
    if only:
        query = query.filter(model.User.state == only)
    if exclude:
        query = query.filter(model.User.state != exclude)
    return query.all()


def _organisation_profile(data: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "organisation", "real_name": data["fullname"], "id_type": "credit_code",
            "id_number": data["credit_code"].strip().upper(),
            "contact_person": data["contact_person"], "phone": data["phone"]}


def _count_attempt(address: str) -> None:
    limit = tk.config.get("ckanext.nanjing.access.registrations_per_day")
    if ratelimit.hit(BUCKET, address, DAY) > limit:
        raise RegistrationRefused(
            f"同一网络地址 24 小时内最多注册或重发验证邮件 {limit} 次，请明天再试")


def register(data_dict: dict[str, Any], client: str) -> dict[str, Any]:
    """Creates a pending account (and an organisation's profile) and mails
    the link that activates it. Returns the new user's dict; raises a
    ValidationError per field or RegistrationRefused."""
    if not open_for_registration():
        raise RegistrationRefused(closed_message())
    data = _checked(data_dict)
    organisation = None
    if data["kind"] == "organisation":
        organisation = profiles.checked(_organisation_profile(data), {})
    _count_attempt(client)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    user = tk.get_action("user_create")(
        {"user": site_user, "ignore_auth": True},
        {"name": data["name"], "email": data["email"], "password": data_dict["password1"],
         "fullname": data.get("fullname") or "", "state": model.State.PENDING})
    created = model.User.get(user["id"])
    if organisation is not None:
        profiles.save_profile(created, organisation, {})
        model.repo.commit()
    if not _mail_link(created):
        # An account nobody can activate would only hold the name and address.
        _purge(created)
        raise RegistrationRefused("验证邮件未能发出，账号未创建；请稍后重试，或联系平台管理员")
    return user


def _purge(user: model.User) -> None:
    """Removes the account just created, row and all: CKAN's user_delete
    only marks it deleted, and a deleted account still holds its name."""
    profile = profiles.profile_of(user.id)
    if profile is not None:
        model.Session.delete(profile)
        model.Session.flush()  # before the user row, which the profile refers to
    model.Session.execute(sa.text("DELETE FROM activity WHERE user_id = :id OR object_id = :id"),
                          {"id": user.id})
    model.Session.delete(user)
    model.repo.commit()


def verification_link(user: model.User) -> str:
    token = _signer().dumps({"u": user.id, "e": user.email})
    return tk.url_for("nanjing_register.verify", token=token, _external=True)


def _mail_link(user: model.User) -> bool:
    site = tk.config.get("ckan.site_title")
    body = (f"{user.fullname or user.name}：\n\n"
            f"您在{site}注册了账号“{user.name}”。请在 {_hours()} 小时内打开下面的链接"
            f"验证邮箱，验证后账号即可登录：\n\n{verification_link(user)}\n\n"
            "如果不是您本人注册，请忽略本邮件，账号不会启用。\n")
    return mail.send(user.fullname or user.name, user.email, f"【{site}】请验证您的邮箱",
                     body, "registration")


def verify(token: str) -> model.User:
    """Activates the account the link names; an account already active is
    returned as it is. Raises RegistrationRefused saying why a link fails."""
    try:
        claim = _signer().loads(token, max_age=_hours() * 3600)
    except SignatureExpired:
        raise RegistrationRefused(
            f"验证链接已过期（有效期 {_hours()} 小时），请重新发送验证邮件")
    except BadSignature:
        raise RegistrationRefused("验证链接无效，请检查链接是否完整，或重新发送验证邮件")
    user = model.User.get(claim.get("u")) if isinstance(claim, dict) else None
    if user is None or user.state == model.State.DELETED or user.email != claim.get("e"):
        raise RegistrationRefused("验证链接对应的账号不存在或邮箱已更改，请重新注册")
    if user.state == model.State.PENDING:
        user.state = model.State.ACTIVE
        model.repo.commit()
    return user


def resend(address: str, client: str) -> None:
    """Mails the link again to a pending account with this address. The
    answer is the same whether or not there is one: the page must not tell
    who has registered."""
    if not open_for_registration():
        raise RegistrationRefused(closed_message())
    address = (address or "").strip()
    if not EMAIL.fullmatch(address):
        raise tk.ValidationError({"email": ["不是有效的电子邮箱地址"]})
    _count_attempt(client)
    for user in _holders(address, only=model.State.PENDING):
        _mail_link(user)
