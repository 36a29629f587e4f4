"""统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character."""
from __future__ import annotations

__all__ = ["ALPHABET", "check_character", "is_valid"]

# 31 characters: digits and capitals without I, O, S, V, Z.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    return (len(code) == 18 and all(char in ALPHABET for char in code)
            and check_character(code[:17]) == code[17])
