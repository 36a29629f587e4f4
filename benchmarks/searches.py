"""Searches that differ, as many visitors type them: two words of a real
title run together without a space (南京市 + 空气质量 → 南京市空气质量).
Shared by make bench-search-scale and make bench-load."""
from __future__ import annotations

import random
import re

HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")
# The search pages the benchmarks drive: the open data and the disclosure catalog.
SEARCH_TYPES = ("open_dataset", "gkml_item")


def title_words(title: str) -> list[str]:
    import jieba

    return [word for word in jieba.lcut(title) if HAN_WORD.match(word)]


def word_pairs(titles: list[str], count: int = 400, seed: int = 36) -> list[str]:
    """`count` different unspaced pairs: two words of one title, in the
    title's order (neighbours first, as they are the likeliest), from as
    many titles as there are."""
    neighbours, others = [], []
    for title in titles:
        words = title_words(title)
        for i, first in enumerate(words):
            for j in range(i + 1, len(words)):
                (neighbours if j == i + 1 else others).append(first + words[j])
    rng = random.Random(seed)
    pairs = list(dict.fromkeys(neighbours))
    rng.shuffle(pairs)
    taken = set(pairs)
    rest = [pair for pair in dict.fromkeys(others) if pair not in taken]
    rng.shuffle(rest)
    return (pairs + rest)[:count]
