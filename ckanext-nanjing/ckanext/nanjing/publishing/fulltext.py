"""Full text of DataStore tables that splits Chinese.

PostgreSQL's parser keeps a run of Han characters as one token, so the
`_full_text` CKAN computes finds 南京市公共交通线路 only by that whole run.
Ours holds, for every run of Han characters, each character with the one
after it (南京 京市 市公 …) and the run's last character alone; for
everything else, each run of ASCII letters and digits in lower case. A
query is split the same way and all its parts must match, so 南京 and
公共交通 find that row and 北京 does not.

The rule is written twice, both from the constants here: in Python, for
the bulk load (`lexeme_column`, per distinct value of an Arrow column), and
in SQL (`FUNCTIONS`), for the trigger that indexes rows CKAN's
`datastore_upsert` writes later. The tests hold the two to the same output.
"""
from __future__ import annotations

import re
import unicodedata

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

__all__ = ["lexemes", "lexeme_column", "tsquery", "ensure_functions", "TRIGGER_FUNCTION", "MAX_QUERY_CHARS",
           "LEXEMES_FUNCTION"]

# CJK Unified Ideographs, Extension A and the compatibility block.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN = f"[{HAN}]+|[0-9A-Za-z]+"
# Punctuation between two Han characters joins them: “三公”经费 is found by
# 三公经费. (After NFKC every space is one of these.)
JOINED = f"(?<=[{HAN}])[^{HAN}0-9A-Za-z \t\n\r\f\v]+(?=[{HAN}])"
# Longer cells are indexed by their beginning: a tsvector holds at most 1 MB.
MAX_CELL_CHARS = 20_000
# A search longer than this is not a search (and a tsquery of thousands of
# parts exhausts PostgreSQL's stack).
MAX_QUERY_CHARS = 500
# PostgreSQL refuses lexemes over 2 KB; such ASCII runs are hashes and blobs.
MAX_WORD_CHARS = 255
LEXEMES_FUNCTION = "nanjing_lexemes_v1"
TRIGGER_FUNCTION = "nanjing_full_text_trigger_v3"

_TOKEN = re.compile(TOKEN)
_JOINED = re.compile(JOINED)
_ASCII_WORD = re.compile("[0-9A-Za-z]")


def lexemes(text: str | None) -> list[str]:
    """The distinct lexemes of `text`, in order of first appearance."""
    if not text:
        return []
    found: dict[str, None] = {}
    for run in _TOKEN.findall(_normal(text)):
        if _ASCII_WORD.match(run):
            if len(run) <= MAX_WORD_CHARS:
                found[run.lower()] = None
        else:
            found.update(dict.fromkeys(run[i:i + 2] for i in range(len(run))))
    return list(found)


def lexeme_column(values: pa.Array) -> pa.Array:
    """For each cell (text) of `values`, its lexemes joined by spaces: the
    text PostgreSQL reads as a tsvector (our lexemes need no quoting)."""
    if values.null_count == len(values):
        return pa.nulls(len(values), pa.string())
    if pc.all(pc.fill_null(pc.string_is_ascii(values), True)).as_py():
        # Numbers, dates, codes: no Han, so the split is one regular expression.
        short = pc.utf8_slice_codeunits(values, 0, MAX_CELL_CHARS)
        words = pc.replace_substring_regex(short, f"[0-9A-Za-z]{{{MAX_WORD_CHARS + 1},}}", "")
        return pc.ascii_lower(pc.replace_substring_regex(words, "[^0-9A-Za-z]+", " "))
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    distinct = pa.array([" ".join(lexemes(value)) for value in encoded.dictionary.to_pylist()],
                        pa.string())
    return pc.take(distinct, encoded.indices)


def tsquery(q: str, plain: bool = True) -> str:
    """The text of a `to_tsquery('simple', …)` for the user's `q`: with
    `plain` (CKAN's default) every part must match; otherwise `q` is
    PostgreSQL tsquery syntax and each run of Han characters in it becomes
    its parts joined by &."""
    if len(q) > MAX_QUERY_CHARS:
        raise ValueError(f"检索词过长：最多 {MAX_QUERY_CHARS} 个字符，现有 {len(q)} 个")
    if plain:
        parts = (_query_parts(run) for run in _TOKEN.findall(_normal(q)))
        return " & ".join(dict.fromkeys(part for part in parts if part))
    # Punctuation here is the syntax: & | ! ( ) between Han runs stay.
    syntax = unicodedata.normalize("NFKC", q[:MAX_CELL_CHARS])
    return _TOKEN.sub(lambda match: _query_parts(match.group()) or match.group(), syntax)


def _normal(text: str) -> str:
    return _JOINED.sub("", unicodedata.normalize("NFKC", text[:MAX_CELL_CHARS]))


def _query_parts(run: str) -> str:
    if _ASCII_WORD.match(run):
        # A word also finds longer words it begins (bus: buses), as stemming would.
        return f"{run.lower()}:*" if len(run) <= MAX_WORD_CHARS else ""
    if len(run) == 1:
        # Every character indexed begins a pair or ends a run.
        return f"{run}:*"
    pairs = list(dict.fromkeys(run[i:i + 2] for i in range(len(run) - 1)))
    return pairs[0] if len(pairs) == 1 else "(" + " & ".join(pairs) + ")"


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION {LEXEMES_FUNCTION}(document text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $body$
    SELECT coalesce(array_agg(lexeme), '{{}}') FROM (
        SELECT CASE WHEN is_word THEN lower(run) ELSE substr(run, i, 2) END AS lexeme
        FROM regexp_matches(
                 regexp_replace(normalize(left(document, {MAX_CELL_CHARS}), NFKC),
                                {_sql_literal(JOINED)}, '', 'g'),
                 {_sql_literal(TOKEN)}, 'g') AS found(parts),
             LATERAL (SELECT found.parts[1] AS run,
                             found.parts[1] ~ '^[0-9A-Za-z]' AS is_word) AS token,
             LATERAL generate_series(1, CASE WHEN is_word THEN 1 ELSE length(run) END) AS i
        WHERE NOT is_word OR length(run) <= {MAX_WORD_CHARS}
    ) AS lexemes
$body$;
CREATE OR REPLACE FUNCTION {TRIGGER_FUNCTION}() RETURNS trigger
LANGUAGE plpgsql AS $body$
    BEGIN
        -- Full text the statement wrote itself (the load's) is kept.
        -- datastore_upsert's updates set it to NULL: computed again.
        IF NEW._full_text IS NOT NULL THEN
            IF TG_OP = 'INSERT' THEN
                RETURN NEW;
            END IF;
            IF NEW._full_text IS DISTINCT FROM OLD._full_text THEN
                RETURN NEW;
            END IF;
        END IF;
        NEW._full_text := array_to_tsvector(coalesce((
            SELECT array_agg(lexeme)
            FROM json_each_text(row_to_json(NEW.*)) AS cell,
                 unnest({LEXEMES_FUNCTION}(cell.value)) AS lexeme
            WHERE cell.key NOT LIKE '\\_%'), '{{}}'));
        RETURN NEW;
    END;
$body$;
"""


def ensure_functions(engine) -> None:
    """Creates the SQL functions once per database (their names carry the
    version of the rule), in a short transaction of their own, under a lock
    against another process doing the same."""
    with engine.begin() as connection:
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))"),
                           {"name": TRIGGER_FUNCTION})
        exists = connection.execute(sa.text(
            "SELECT 1 FROM pg_proc WHERE proname = :name"), {"name": TRIGGER_FUNCTION}).first()
        if not exists:
            connection.execute(sa.text(FUNCTIONS))
