"""Mail to applicants: the receipt with the 查询码, and each letter sent to
them, through the platform's mailer (`mail`)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from .. import mail

__all__ = ["receipt_sent", "letter_sent"]


def _lookup_url() -> str:
    return tk.config.get("ckan.site_url").rstrip("/") + "/requests/lookup"


def _send(request, subject: str, body: str) -> bool:
    if not request.email:
        return False
    return mail.send(request.applicant_name, request.email, subject, body, request.number)


def receipt_sent(request, code: str, letter) -> bool:
    body = (f"{request.applicant_name}：\n\n"
            f"您的政府信息公开申请已登记。\n"
            f"申请编号：{request.number}\n查询码：{code}\n"
            f"登记日期：{request.received.isoformat()}\n\n"
            f"请妥善保存编号和查询码，凭二者可随时在 {_lookup_url()} 查询办理进度、"
            f"下载告知书和答复书。查询码不会再次发送。\n")
    return _send(request, f"政府信息公开申请已登记：{request.number}", body)


def letter_sent(request, letter) -> bool:
    body = (f"{request.applicant_name}：\n\n"
            f"您的政府信息公开申请（{request.number}）有新的文书：{letter.title}。\n"
            f"请凭申请编号和查询码在 {_lookup_url()} 查看和下载。\n")
    return _send(request, f"{letter.title}：{request.number}", body)
