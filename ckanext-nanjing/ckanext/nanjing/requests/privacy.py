"""Applicants' personal data: ID numbers kept encrypted (Fernet) and shown
masked (`personal_data.mask_id`), 查询码 kept only as a keyed hash. The key comes from
`ckanext.nanjing.requests.secret`, or CKAN's SECRET_KEY when that is unset."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import ckan.plugins.toolkit as tk
from cryptography.fernet import Fernet, InvalidToken

__all__ = ["encrypt", "decrypt", "new_lookup_code",
           "normalise_code", "code_hash", "codes_match"]

# No 0/O, 1/I/L: codes are read aloud and copied from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def _secret() -> bytes:
    secret = tk.config.get("ckanext.nanjing.requests.secret") or tk.config.get("SECRET_KEY")
    if not secret:
        raise RuntimeError("未配置 ckanext.nanjing.requests.secret 或 SECRET_KEY，无法保护申请人信息")
    return str(secret).encode()


def _fernet() -> Fernet:
    key = hashlib.sha256(b"nanjing-requests/id-number:" + _secret()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str | None:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def new_lookup_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_code(code: str) -> str:
    """Case, spaces and dashes do not matter when a code is typed back."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


def code_hash(code: str) -> str:
    key = hashlib.sha256(b"nanjing-requests/lookup-code:" + _secret()).digest()
    return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def codes_match(code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(code_hash(code), stored_hash or "")
