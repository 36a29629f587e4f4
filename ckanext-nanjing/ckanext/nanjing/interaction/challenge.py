"""The anti-spam question of the public forms: a sum in Chinese numerals
("七加五等于几？"), read by screen readers like any text and answered
without any outside service (reCAPTCHA and its kind cannot be reached from
the mainland). The answer travels sealed in the form; it must come back
after a person's few seconds and within hours, only once, and with the
hidden field that robots fill left empty."""
from __future__ import annotations

import json
import random
import secrets
import time

import ckan.plugins.toolkit as tk

from .. import ratelimit, sealing

__all__ = ["new", "check"]

PURPOSE = "nanjing-interaction/challenge"
NUMERALS = "零一二三四五六七八九十"
_random = random.SystemRandom()


def new() -> dict[str, str]:
    first, second = _random.randint(2, 9), _random.randint(1, 9)
    if _random.random() < 0.5 or first <= second:
        question, answer = f"{NUMERALS[first]}加{NUMERALS[second]}等于几？", first + second
    else:
        question, answer = f"{NUMERALS[first]}减{NUMERALS[second]}等于几？", first - second
    token = sealing.seal(json.dumps({"answer": answer, "at": time.time(),
                                     "nonce": secrets.token_hex(8)}), PURPOSE)
    return {"question": question + "（请填写阿拉伯数字）", "token": token}


def _refuse(message: str):
    raise tk.ValidationError({"challenge_answer": [message]})


def check(token: object, answer: object, honeypot: object = "") -> None:
    """Pass, or a ValidationError on challenge_answer in Chinese."""
    if honeypot not in (None, ""):
        _refuse("提交未通过校验，请刷新页面后重新填写")
    opened = sealing.unseal(token, PURPOSE) if isinstance(token, str) and len(token) < 1000 \
        else None
    if opened is None:
        _refuse("验证题无效，请刷新页面换一道题")
    sealed = json.loads(opened)
    age = time.time() - sealed["at"]
    valid_for = tk.config.get("ckanext.nanjing.interaction.challenge_max_hours") * 3600
    if age > valid_for:
        _refuse("验证题已过期，请刷新页面换一道题")
    if age < tk.config.get("ckanext.nanjing.interaction.challenge_min_seconds"):
        _refuse("提交过快，请稍候几秒再提交")
    typed = str(answer or "").strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not typed.isascii() or not typed.isdigit() or int(typed) != sealed["answer"]:
        _refuse("验证题答案不正确，请重新计算后填写阿拉伯数字")
    if ratelimit.hit("interaction-challenge-used", sealed["nonce"], valid_for) > 1:
        _refuse("这道验证题已经用过，请刷新页面换一道题")
