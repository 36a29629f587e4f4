"""查询码: the code a member of the public gets with a number (a request
for disclosure, a message to the platform) to follow it without an
account. Made from an alphabet read aloud without confusion, kept only as
a keyed hash (`sealing`), compared in constant time; each kind of number
has its own purpose string, so a code of one kind never opens another."""
from __future__ import annotations

import hmac
import secrets
import unicodedata

from . import sealing

__all__ = ["CODE_ALPHABET", "new_code", "normalise", "code_hash", "codes_match"]

# No 0/O, 1/I/L: codes are read aloud and copied from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise(code: str) -> str:
    """Case, spaces, dashes and full-width characters do not matter when a
    code is typed back."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", str(code)).upper() if ch.isalnum())


def code_hash(code: str, purpose: str) -> str:
    return sealing.keyed_hash(normalise(code), purpose)


def codes_match(code: str, stored_hash: str, purpose: str) -> bool:
    return hmac.compare_digest(code_hash(code, purpose), stored_hash or "")
