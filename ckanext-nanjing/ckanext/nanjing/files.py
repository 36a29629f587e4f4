"""Small helpers for files on disk."""
from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["sha256_of"]

BLOCK = 1 << 20


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        for block in iter(lambda: stream.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()
