"""Personal data kept sealed: values encrypted (Fernet) so that only the
platform can read them back, and keyed hashes for values that are only
ever compared (查询码, "is this the same ID number"). Each use names its
purpose, which gives it a key of its own. The secret is
`ckanext.nanjing.requests.secret`, or CKAN's SECRET_KEY when that is unset
(requests were the first to keep personal data; the option kept its name)."""
from __future__ import annotations

import base64
import hashlib
import hmac

import ckan.plugins.toolkit as tk
from cryptography.fernet import Fernet, InvalidToken

__all__ = ["seal", "unseal", "keyed_hash"]


def _secret() -> bytes:
    secret = tk.config.get("ckanext.nanjing.requests.secret") or tk.config.get("SECRET_KEY")
    if not secret:
        raise RuntimeError("未配置 ckanext.nanjing.requests.secret 或 SECRET_KEY，无法保护个人信息")
    return str(secret).encode()


def _key(purpose: str) -> bytes:
    return hashlib.sha256(purpose.encode() + b":" + _secret()).digest()


def seal(value: str, purpose: str) -> str:
    return Fernet(base64.urlsafe_b64encode(_key(purpose))).encrypt(value.encode()).decode()


def unseal(token: str, purpose: str) -> str | None:
    """The value, or None when the token was not sealed for this purpose
    with this secret."""
    try:
        return Fernet(base64.urlsafe_b64encode(_key(purpose))).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def keyed_hash(value: str, purpose: str) -> str:
    return hmac.new(_key(purpose), value.encode(), hashlib.sha256).hexdigest()
