"""The local mailbox of the demo and the tests: an SMTP server on
127.0.0.1 that keeps every message it receives in a Maildir, where a mail
reader (or a test) finds it. Run by scripts/services.sh (start_mail):

    localmail.py PORT MAILDIR

Nothing is relayed on: the mailbox never sends mail out."""
from __future__ import annotations

import mailbox
import signal
import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class KeepInMaildir:
    def __init__(self, folder: Path):
        self.box = mailbox.Maildir(folder, create=True)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.box.add(envelope.original_content or envelope.content)
        return "250 Message accepted"


def main() -> None:
    port, folder = int(sys.argv[1]), Path(sys.argv[2])
    controller = Controller(KeepInMaildir(folder), hostname="127.0.0.1", port=port)
    controller.start()
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()


if __name__ == "__main__":
    main()
