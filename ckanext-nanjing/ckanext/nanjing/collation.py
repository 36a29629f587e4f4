"""Chinese names in the order people look them up: by pinyin (发 fa before
交 jiao), as a printed directory lists them, not by Unicode code point.
pypinyin's dictionary gives each character's usual reading."""
from __future__ import annotations

from pypinyin import Style, lazy_pinyin

__all__ = ["pinyin_key"]


def pinyin_key(text: str) -> tuple[tuple[str, ...], str]:
    """Sort key: the readings syllable by syllable (with tone numbers, so
    同音 words keep a stable order), then the text itself."""
    return tuple(lazy_pinyin(text or "", style=Style.TONE3)), text or ""
