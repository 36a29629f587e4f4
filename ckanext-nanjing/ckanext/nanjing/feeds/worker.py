"""The webhook worker: one long-lived process (`ckan nanjing-feeds
deliver`). It sleeps on PostgreSQL's LISTEN until a change is committed
(outbox.record notifies in the change's transaction) or a retry falls due,
so a published record is on its way within a fraction of a second and an
idle portal costs no CPU. Each endpoint's messages are sent by a thread of
their own, so a receiver that hangs delays only itself. A PostgreSQL
advisory lock lets one worker send at a time: a second one waits as a
stand-by rather than sending the same messages twice."""
from __future__ import annotations

import datetime
import logging
import select
import time
from concurrent.futures import Future, ThreadPoolExecutor

import ckan.model as model
import ckan.plugins.toolkit as tk

from . import changes, delivery

__all__ = ["CHANNEL", "Listener", "run"]

log = logging.getLogger(__name__)
CHANNEL = "nanjing_feeds"
LOCK = 7_236_170_901   # the advisory lock's key: one sending worker per database
IDLE = 30.0            # longest sleep without a notification
POLL = 0.05            # while messages are being sent
UNSETTLED = 0.2        # while a change waits for an older transaction to end


class Listener:
    """A connection of its own that holds the lock and hears notifications."""

    def __init__(self):
        self.raw = model.meta.engine.raw_connection()
        self.connection = self.raw.driver_connection
        self.connection.autocommit = True
        with self.connection.cursor() as cursor:
            cursor.execute(f"LISTEN {CHANNEL}")

    def lock(self) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", (LOCK,))
            return bool(cursor.fetchone()[0])

    def wait(self, seconds: float) -> bool:
        """Whether a change was notified within `seconds`."""
        if max(seconds, 0) and not self.connection.notifies:
            select.select([self.connection], [], [], max(seconds, 0))
        self.connection.poll()
        heard = bool(self.connection.notifies)
        self.connection.notifies.clear()
        return heard

    def close(self) -> None:
        # Closed for real, not returned to the pool: the lock and the LISTEN
        # go with the connection.
        self.raw.detach()
        self.raw.close()


def _look(pool: ThreadPoolExecutor, sending: dict[str, Future], timeout: float) -> float:
    """Queue new changes, start sending what is due; answers when to look again."""
    more = True
    while more:
        _, more = delivery.queue()
    for endpoint_id, batch in delivery.due(set(sending)).items():
        sending[endpoint_id] = pool.submit(delivery.send, batch, timeout)
    following = delivery.next_due()
    unsettled = changes.unsettled()
    model.Session.remove()
    wait = IDLE
    if following is not None:
        wait = min(wait, (following - datetime.datetime.utcnow()).total_seconds())
    if unsettled:
        wait = min(wait, UNSETTLED)
    return time.monotonic() + max(wait, 0.0)


def _settle_finished(sending: dict[str, Future]) -> bool:
    finished = [key for key, future in sending.items() if future.done()]
    for key in finished:
        try:
            delivery.settle(sending.pop(key).result())
        except Exception:  # noqa: BLE001 - one endpoint's failure must not stop the others
            log.exception("Could not record the webhook round of endpoint %s", key)
            model.Session.rollback()
        finally:
            model.Session.remove()
    return bool(finished)


def run(until_idle: bool = False, stand_by: float = 15.0) -> None:
    """Send until stopped; with `until_idle`, until nothing is due or being sent."""
    timeout = float(tk.config.get("ckanext.nanjing.webhooks.timeout"))
    listener = Listener()
    try:
        while not listener.lock():
            log.info("另一个 Webhook 发送进程正在运行，本进程待命")
            if until_idle:
                return
            time.sleep(stand_by)
        sending: dict[str, Future] = {}
        with ThreadPoolExecutor(tk.config.get("ckanext.nanjing.webhooks.senders"),
                                thread_name_prefix="webhook") as pool:
            look_again = _look(pool, sending, timeout)
            while True:
                now = time.monotonic()
                if until_idle and not sending and look_again - now > 0.5:
                    return
                wait = min(look_again - now, POLL) if sending else look_again - now
                heard = listener.wait(wait)
                finished = _settle_finished(sending)
                if heard or finished or time.monotonic() >= look_again:
                    look_again = _look(pool, sending, timeout)
    finally:
        listener.close()
