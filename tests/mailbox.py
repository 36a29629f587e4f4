"""A real SMTP server (aiosmtpd) a test starts on 127.0.0.1, and CKAN's
mailer pointed at it: what the platform mails is read back as parsed
messages."""
from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

import ckan.plugins.toolkit as tk


class Inbox:
    """What the SMTP server received: (recipients, parsed message)."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for rcpt, message in self.messages if address in rcpt]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_settings(monkeypatch):
    """Points CKAN's mailer (it reads smtp.* when it sends) at `port`."""
    def point_at(port: int):
        monkeypatch.setitem(tk.config, "smtp.server", f"127.0.0.1:{port}")
        monkeypatch.setitem(tk.config, "smtp.mail_from", "gongkai@nanjing.example")
        monkeypatch.setitem(tk.config, "smtp.starttls", False)
        monkeypatch.setitem(tk.config, "smtp.user", "")
    return point_at


@pytest.fixture
def inbox(smtp_settings):
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    smtp_settings(controller.port)
    yield box
    controller.stop()
