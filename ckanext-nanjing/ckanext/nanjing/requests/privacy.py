"""Applicants' personal data: ID numbers kept encrypted and shown masked
(`personal_data.mask_id`), 查询码 kept only as a keyed hash, both sealed by
the platform's one sealer (`sealing`)."""
from __future__ import annotations

from .. import lookupcodes, sealing

__all__ = ["encrypt", "decrypt", "new_lookup_code",
           "normalise_code", "code_hash", "codes_match"]

ID_PURPOSE = "nanjing-requests/id-number"
CODE_PURPOSE = "nanjing-requests/lookup-code"
new_lookup_code = lookupcodes.new_code
normalise_code = lookupcodes.normalise


def encrypt(value: str) -> str:
    return sealing.seal(value, ID_PURPOSE)


def decrypt(token: str) -> str | None:
    return sealing.unseal(token, ID_PURPOSE)


def code_hash(code: str) -> str:
    return lookupcodes.code_hash(code, CODE_PURPOSE)


def codes_match(code: str, stored_hash: str) -> bool:
    return lookupcodes.codes_match(code, stored_hash, CODE_PURPOSE)
