"""Applicants' personal data: ID numbers kept encrypted and shown masked
(`personal_data.mask_id`), 查询码 kept only as a keyed hash, both sealed by
the platform's one sealer (`sealing`)."""
from __future__ import annotations

import hmac
import secrets
import unicodedata

from .. import sealing

__all__ = ["encrypt", "decrypt", "new_lookup_code",
           "normalise_code", "code_hash", "codes_match"]

# No 0/O, 1/I/L: codes are read aloud and copied from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


ID_PURPOSE = "nanjing-requests/id-number"
CODE_PURPOSE = "nanjing-requests/lookup-code"


def encrypt(value: str) -> str:
    return sealing.seal(value, ID_PURPOSE)


def decrypt(token: str) -> str | None:
    return sealing.unseal(token, ID_PURPOSE)


def new_lookup_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_code(code: str) -> str:
    """Case, spaces, dashes and full-width characters do not matter when a
    code is typed back."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", str(code)).upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return sealing.keyed_hash(normalise_code(code), CODE_PURPOSE)


def codes_match(code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(code_hash(code), stored_hash or "")
