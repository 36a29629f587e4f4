"""Chinese search queries read as the words they are made of.

People type Chinese without spaces: 医院床位, 食品抽检结果. The Solr schema
matches each query word as an exact substring (Han text is indexed as
bigrams, config/solr/README.md), so an unspaced query must appear verbatim,
and 医院床位 misses 南京市各医院实有床位数统计. Here such a query is split
into its words with jieba's dictionary (医院 床位), and the words must
stand near one another within one field: a phrase with a slop
of PHRASE_SLOP positions ("医院 床位" finds 医院实有床位). Requiring every
word anywhere in a record instead let scattered words through (政府 in
one sentence, 决算 in another): the relevance set
(tests/catalog/relevance.yaml) lost no irrelevant hits this way, and
gained 36 points of recall@10 (docs/catalog.md).

Solr reads the slop from dismax's `qs`, a parameter CKAN's package_search
does not pass on, so the rewritten query carries it as local parameters,
`{!dismax qs=30}`, under the lucene parser (Solr honours local parameters
only there); qf, mm and tie stay CKAN's. Words the user separated with
spaces stay separate clauses under CKAN's minimum-should-match, as before.

Only free text is rewritten. A query with Solr syntax (a field, ASCII
quotes, operators, wildcards, brackets) is a developer's and passes
unchanged, as does a search that names its own defType, and Latin words,
numbers and codes are left as typed.
"""
from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

from ckan.plugins.toolkit import aslist

__all__ = ["allow_phrase_slop", "read_query", "split_words"]

# Solr syntax a developer may send through package_search's q.
SYNTAX = re.compile(r'[:"*?~^(){}\[\]\\]|\b(AND|OR|NOT|TO)\b|(^|\s)[+\-!]|&&|\|\|')
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Punctuation between words (Chinese and ASCII), read as a space: “三公”经费,
# 药品经营许可（零售）. Hyphens, dots and slashes stay inside codes and numbers.
PUNCTUATION = re.compile(
    r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
    r"\u2010-\u2027\u2030-\u205e,;!、。，；：？！…—“”‘’《》〈〉【】（）]")
LONGEST_QUERY = 200  # characters segmented; the rest passes as typed
PHRASE_SLOP = 30  # positions; a field's values are 100 apart (schema.xml)

ALLOWED_PARSERS = "ckan.search.solr_allowed_query_parsers"

_load_lock = threading.Lock()


def allow_phrase_slop(config) -> None:
    """Let CKAN pass `{!dismax ...}` on to Solr (IConfigurer.update_config).
    CKAN refuses local parameters unless their parser is listed; dismax is
    the parser it uses anyway, so listing it opens nothing new."""
    parsers = aslist(config.get(ALLOWED_PARSERS) or [])
    if "dismax" not in parsers:
        config[ALLOWED_PARSERS] = [*parsers, "dismax"]


def read_query(search_params: dict) -> dict:
    """package_search's parameters with a free-text Chinese query read as
    its words (IPackageController.before_dataset_search)."""
    query = search_params.get("q")
    if not isinstance(query, str) or "defType" in search_params:
        return search_params
    phrased = split_words(query)
    if phrased == query:
        return search_params
    if '"' in phrased:
        search_params["q"] = f"{{!dismax qs={PHRASE_SLOP}}}{phrased}"
        search_params["defType"] = "lucene"
    else:
        search_params["q"] = phrased
    return search_params


def split_words(query: str) -> str:
    """The query with each run of Chinese written as a phrase of its words
    ("医院 床位") and punctuation read as spaces; unchanged when it holds
    Solr syntax or no Chinese."""
    if not query or not HAN.search(query) or SYNTAX.search(query):
        return query
    head, tail = query[:LONGEST_QUERY], query[LONGEST_QUERY:]
    text = HAN.sub(_phrase, PUNCTUATION.sub(" ", head)) + tail
    return " ".join(text.split())


def _phrase(run: re.Match) -> str:
    words = _words(run.group())
    return f' "{" ".join(words)}" ' if len(words) > 1 else f" {words[0]} "


@lru_cache(maxsize=4096)
def _words(run: str) -> tuple[str, ...]:
    """The words of one run of Han characters: jieba's best cut, long words
    split once more into dictionary words (重大项目 → 重大 项目, so that it
    finds 重大建设项目), and stray single characters joined to a
    neighbour (月 报 → 月报), because one character alone matches almost
    anything."""
    words: list[str] = []
    for word in _jieba().cut(run, HMM=True):
        words.extend(_parts(word) if len(word) >= 4 else [word])
    return tuple(_join_single_characters(words))


def _parts(word: str) -> list[str]:
    """Dictionary words of two or more characters that together make up
    the word, in as few pieces as possible; the word itself when no such
    split exists."""
    known = _jieba().FREQ
    n = len(word)
    # best[i]: the fewest dictionary pieces (not the word itself) making word[:i]
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n - 1):
        if best[i] is None:
            continue
        for j in range(i + 2, n + 1):
            piece = word[i:j]
            if j - i < n and known.get(piece) and (
                    best[j] is None or len(best[i]) + 1 < len(best[j])):
                best[j] = best[i] + [piece]
    return best[n] or [word]


def _join_single_characters(words: list[str]) -> list[str]:
    joined: list[str] = []
    pending = ""
    for word in words:
        if len(word) == 1:
            pending += word
            continue
        if pending:
            if len(pending) > 1:
                joined.append(pending)
            elif joined:
                joined[-1] += pending
            else:
                word = pending + word
            pending = ""
        joined.append(word)
    if pending:
        if len(pending) > 1 or not joined:
            joined.append(pending)
        else:
            joined[-1] += pending
    return joined


def _jieba():
    """jieba's tokenizer, its dictionary loaded once per process (about
    0.6 s and 60 MB, on the first search)."""
    import jieba

    if not jieba.dt.initialized:
        with _load_lock:
            jieba.setLogLevel(logging.WARNING)
            jieba.dt.initialize()
    return jieba.dt
