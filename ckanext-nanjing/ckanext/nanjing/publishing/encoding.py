"""Text encoding of uploaded files, decided over the whole file.

Agencies' exports come as UTF-8 (often with Excel's BOM), GB18030/GBK
(Excel on a Chinese Windows) or UTF-16 ("Unicode text"). A sample is not
enough: a GBK character on row 90,000 of a file that looked like UTF-8 is
exactly what breaks a load. The original bytes are kept; the gate works on
a UTF-8 copy without BOM.
"""
from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

__all__ = ["EncodingProblem", "detect", "normalise"]

BLOCK = 1 << 20
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Lines of each kind quoted in the error about a file mixing encodings.
MIXED_EXAMPLES = 3


class EncodingProblem(Exception):
    """The file is not text in an encoding we can read; the message is Chinese."""


def detect(path: Path) -> str:
    """The Python codec name of the file's encoding."""
    with path.open("rb") as stream:
        head = stream.read(4)
    if head.startswith(UTF16_BOMS):
        return "utf-16"
    if _decodes_whole(path, "utf-8"):
        return "utf-8-sig" if head.startswith(UTF8_BOM) else "utf-8"
    if _has_nul(path):
        raise EncodingProblem("文件含有二进制内容（NUL 字节），不是 CSV/TSV 文本文件；"
                              "请确认文件格式，Excel 文件请以 .xlsx 上传")
    _refuse_mixed(path)
    if _decodes_whole(path, "gb18030"):
        return "gb18030"
    guess = _guess(path)
    if guess:
        return guess
    raise EncodingProblem("无法识别文件的字符编码；请另存为 UTF-8 编码的 CSV 后重新上传")


def normalise(path: Path, encoding: str, target: Path) -> str:
    """Writes `path` as UTF-8 without BOM to `target`; returns the SHA-256 of
    the original bytes."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        for block in iter(lambda: source.read(BLOCK), b""):
            digest.update(block)
            out.write(decoder.decode(block))
        out.write(decoder.decode(b"", final=True))
    return digest.hexdigest()


def _decodes_whole(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(BLOCK), b""):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _has_nul(path: Path) -> bool:
    with path.open("rb") as stream:
        return any(b"\x00" in block for block in iter(lambda: stream.read(BLOCK), b""))


def _refuse_mixed(path: Path) -> None:
    """A file that is not UTF-8 as a whole but has lines of non-ASCII UTF-8
    mixes encodings (typically rows appended from another system); GB18030
    would 'decode' those lines into nonsense, so say so instead."""
    utf8_lines: list[int] = []
    other_lines: list[int] = []
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                other_lines.append(number)
            else:
                utf8_lines.append(number)
            if len(utf8_lines) >= MIXED_EXAMPLES and len(other_lines) >= MIXED_EXAMPLES:
                break
    if utf8_lines and other_lines:
        utf8 = "、".join(map(str, utf8_lines[:MIXED_EXAMPLES]))
        other = "、".join(map(str, other_lines[:MIXED_EXAMPLES]))
        raise EncodingProblem(
            f"文件混用了多种字符编码：第 {utf8} 行是 UTF-8，第 {other} 行不是"
            f"（可能是 GBK）；请统一另存为 UTF-8 后重新上传")


def _guess(path: Path) -> str | None:
    from charset_normalizer import from_path

    best = from_path(str(path)).best()
    if best is None or not best.encoding:
        return None
    return codecs.lookup(best.encoding).name if _decodes_whole(path, best.encoding) else None
