"""QR codes made on the server (segno), embedded in the page as an SVG data
URI: nothing is fetched from another site, which an intranet could not
reach, and the Content-Security-Policy allows data: images. Used for the
share-to-WeChat code of public pages and the request receipt's link."""
from __future__ import annotations

import segno

__all__ = ["svg_data_uri", "MAX_TEXT"]

# A page address; anything longer is not a link anyone should scan.
MAX_TEXT = 1000


def svg_data_uri(text: str, scale: int = 4) -> str:
    """The QR code of ``text`` as a data: URI of an SVG image. Error
    correction M: a printed receipt stays readable with a smudge."""
    if not text or len(text) > MAX_TEXT:
        raise ValueError(f"二维码内容须为 1 至 {MAX_TEXT} 个字符")
    return segno.make(text, error="m", micro=False).svg_data_uri(scale=scale, border=2)
