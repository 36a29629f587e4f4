"""Personal data in what the platform publishes: finding unmasked 身份证号,
mobile numbers and bank card numbers in any text, recognising masked ones
(`320102********1234`, `138****5678`, `6222 **** **** 1234`), and masking
or starring numbers before they are shown or stored in a report.

The gate's table checks, the yearly report's entered text and the
publication of request replies all ask this one detector.
"""
from __future__ import annotations

import re
from types import MappingProxyType

from .identifiers import FULL_WIDTH, is_id_number, is_registered_credit_code

__all__ = [
    "PERSONAL_KINDS", "MASK_EXAMPLES", "CANDIDATE",
    "is_mobile", "is_bank_card", "is_masked", "personal_info_kind", "find_personal",
    "redact", "mask_id", "mask_phone", "TEXT_KINDS", "mask_text",
]

PERSONAL_KINDS = MappingProxyType({
    "id_number": "身份证号码", "mobile": "手机号码", "bank_card": "银行卡号"})
MASK_EXAMPLES = MappingProxyType({
    "id_number": "320102********1234", "mobile": "138****5678",
    "bank_card": "6222 **** **** 1234"})

CARD_PREFIXES = ("62", "4", "51", "52", "53", "54", "55", "34", "37", "35")
MOBILE = re.compile(r"(?:(?:\+86|0086|86)[ -]?)?1[3-9][0-9]([ -]?)[0-9]{4}\1[0-9]{4}")
CARD = re.compile(r"[0-9]{16,19}|[0-9]{4}(?: [0-9]{4}){3}(?: [0-9]{1,3})?")
MASKED_MOBILE = re.compile(r"(?:(?:\+86|0086|86)[ -]?)?([0-9*]{3})([ -]?)([0-9*]{4})\2([0-9*]{4})")
MASKED_CARD = re.compile(r"[0-9*]{16,19}|[0-9*]{4}(?: [0-9*]{4}){3}(?: [0-9*]{1,3})?")

# Numbers in free text (after FULL_WIDTH): a formatted mobile (138 1234 5678),
# a card in groups of four, or a plain run of digits with an optional final X.
# A run next to a decimal point belongs to a bigger number (13500000000.00).
TOKEN = re.compile(r"""
    (?<![0-9])(?<![0-9]\.)
    (?: (?P<mobile>1[3-9][0-9](?P<sep>[ -])[0-9]{4}(?P=sep)[0-9]{4})
      | (?P<card>[0-9]{4}(?:\ [0-9]{4}){3}(?:\ [0-9]{1,3})?)
      | (?P<run>[0-9]+[Xx]?) )
    (?![0-9])(?!\.[0-9])""", re.VERBOSE)
# Every text in which TOKEN can find a personal number matches this (RE2
# syntax, for pyarrow.compute): a run of exactly 11 or 13 digits (a mobile,
# with 86 before it) or of 15 or more (0086 and a mobile, cards, ID numbers),
# or 3-4-4 with separators. Runs of 12 digits (statistical division codes)
# hold none, and are the commonest long runs in government tables.
DIGIT = "[0-9０-９]"
NOT_DIGIT = "(?:^|[^0-9０-９])"
SEPARATOR = "[ \\-－−]"
CANDIDATE = (f"{NOT_DIGIT}(?:{DIGIT}{{11}}|{DIGIT}{{13}}|{DIGIT}{{15,}})(?:[^0-9０-９]|$)"
             f"|{DIGIT}{{3}}{SEPARATOR}{DIGIT}{{4}}{SEPARATOR}{DIGIT}{{4}}")
# Digits, possibly grouped, that `redact` may star.
REDACT = re.compile(r"[0-9０-９](?:[ \-－−]?[0-9０-９XxＸｘ])*")

# What `mask_text` hides in a message the public will read.
TEXT_KINDS = MappingProxyType({
    "number": "身份证号、手机号或银行卡号", "phone": "电话号码", "email": "电子邮箱",
    "address": "详细住址"})
EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# A local telephone number after a word that names it (8 digits alone are
# too often amounts or codes to mask on sight).
PHONE_IN_TEXT = re.compile(r"(电话|手机|座机|联系方式|热线|[Tt]el|TEL)([:：\s]*)(\d[\d\- ]{5,}\d)")
# The house number and what follows it (栋, 单元, 室) after a road, street,
# lane, village or estate: 中山路 100 号 3 栋 502 室 → 中山路**号.
NUMERAL = "[0-9０-９一二三四五六七八九十百零〇两]"
ADDRESS_IN_TEXT = re.compile(
    rf"(?<=[路街巷弄里村苑园庄寓区])\s*{NUMERAL}+(?:[-－之]{NUMERAL}+)?\s*号"
    rf"(?:\s*[0-9０-９A-Za-z一二三四五六七八九十]+\s*(?:号楼|栋|幢|单元|楼|层|室|号|户))*")


def is_mobile(value: str) -> bool:
    """A mainland mobile number, optionally with +86 and written 3-4-4."""
    return MOBILE.fullmatch(value) is not None


def is_bank_card(value: str) -> bool:
    """A Luhn-valid card number of a known issuer; ID numbers and organisations'
    credit codes that happen to pass are not cards."""
    if not CARD.fullmatch(value):
        return False
    digits = value.replace(" ", "")
    return (_issuer_known(digits) and _luhn_valid(digits) and not is_id_number(digits)
            and not is_registered_credit_code(digits))


def is_masked(value: str, kind: str | None = None) -> bool:
    """A personal number whose middle is replaced by `*`: 320102********1234,
    138****5678, 6222 **** **** 1234. `kind` limits it to one kind."""
    if "*" not in value:
        return False
    kinds = (kind,) if kind else tuple(PERSONAL_KINDS)
    return any(_MASKED[k](value) for k in kinds)


def personal_info_kind(value: str) -> str | None:
    """The kind ("id_number", "mobile" or "bank_card") of the first unmasked
    personal number anywhere in `value`, which may be free text; None if
    there is none."""
    return find_personal(value, frozenset(PERSONAL_KINDS))


def find_personal(value: str, kinds: frozenset[str],
                  declared: str | None = None) -> str | None:
    """The kind of the first unmasked personal number of `kinds` in `value`;
    where the text is declared to hold numbers of kind `declared`, values
    merely shaped like one count too."""
    text = value if value.isascii() else value.translate(FULL_WIDTH)
    for match in TOKEN.finditer(text):
        token = match.group()
        digits = token.replace(" ", "").replace("-", "")
        if len(digits) < 11:
            continue
        kind = _kind_of(token, digits, match.lastgroup)
        if kind in kinds:
            return kind
        if declared and _shaped_like(declared, digits, match.lastgroup):
            return declared
    return None


def _kind_of(token: str, digits: str, form: str) -> str | None:
    # ID numbers first: those of Gansu (62...) can be Luhn-valid like UnionPay cards.
    if form == "run" and len(digits) == 18 and is_id_number(digits):
        return None if is_registered_credit_code(digits) else "id_number"
    if form != "card" and is_mobile(token):
        return "mobile"
    if form != "mobile" and is_bank_card(token):
        return "bank_card"
    return None


def _shaped_like(kind: str, digits: str, form: str) -> bool:
    """A declared value that fails its checks is still personal (a mistyped
    ID number is still someone's ID number)."""
    if kind == "id_number":
        return form == "run" and len(digits) == 18
    if kind == "mobile":
        return form != "card" and (len(digits) == 11 and digits[0] == "1"
                                   or is_mobile(digits))
    return form != "mobile" and 16 <= len(digits) <= 19 and digits.isdigit()


def redact(text: str) -> str:
    """`text` with the middle of every run of 11 or more digits starred, so
    reports do not store the personal numbers they are about."""
    def star(match: re.Match) -> str:
        token = match.group()
        positions = [i for i, char in enumerate(token.translate(FULL_WIDTH))
                     if char in "0123456789Xx"]
        if len(positions) < 11:
            return token
        hidden = set(positions[3:-4])
        return "".join("*" if i in hidden else char for i, char in enumerate(token))
    return REDACT.sub(star, text)


def mask_id(value: str) -> str:
    """3201**********1234 for 18 characters; shorter numbers keep their last two."""
    value = value.strip()
    if len(value) >= 12:
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    return "*" * max(len(value) - 2, 1) + value[-2:]


def mask_phone(value: str) -> str:
    digits = value.strip()
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _issuer_known(digits: str) -> bool:
    return digits.startswith(CARD_PREFIXES) or 2221 <= int(digits[:4]) <= 2720


def _masked_id(value: str) -> bool:
    return len(value) == 18 and re.fullmatch(r"[0-9]{0,6}\*+[0-9]{0,3}[0-9Xx]?", value) is not None


def _masked_mobile(value: str) -> bool:
    match = MASKED_MOBILE.fullmatch(value)
    if not match:
        return False
    core = match.group(1) + match.group(3) + match.group(4)
    return re.fullmatch(r"(?:1(?:[3-9][0-9]?)?)?\*+[0-9]{0,4}", core) is not None


def _masked_card(value: str) -> bool:
    if not MASKED_CARD.fullmatch(value):
        return False
    core = value.replace(" ", "")
    return re.fullmatch(r"[0-9]{0,6}\*+[0-9]{0,4}", core) is not None


_MASKED = {"id_number": _masked_id, "mobile": _masked_mobile, "bank_card": _masked_card}


def mask_text(text: str) -> tuple[str, list[str]]:
    """`text` as the public may read it: long numbers (ID, mobile, card)
    starred, telephone numbers, e-mail addresses and house numbers hidden;
    and the kinds found (keys of TEXT_KINDS)."""
    found: list[str] = []

    def note(kind: str, replacement):
        def replace(match: re.Match) -> str:
            if kind not in found:
                found.append(kind)
            return replacement(match)
        return replace

    masked = EMAIL_IN_TEXT.sub(note("email", lambda m: m.group()[0] + "***@***"), text)
    masked = PHONE_IN_TEXT.sub(note("phone", lambda m: m.group(1) + m.group(2) + "********"), masked)
    starred = redact(masked)
    if starred != masked:
        found.append("number")
    masked = ADDRESS_IN_TEXT.sub(note("address", lambda m: "**号"), starred)
    return masked, found
