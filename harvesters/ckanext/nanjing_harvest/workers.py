"""Harvest processes that stay up. ckanext-harvest's consumers block on
Redis's BLPOP with the connection's socket timeout, which redis-py 8 sets
to 5 s: an idle consumer raised TimeoutError and exited, and supervisord
started it again, a full CKAN start-up each time. `ckan harvester run` was
likewise a new CKAN process every minute. Here the consumers' connection
waits without a read timeout (a health check notices a dead one), and one
long-lived scheduler runs the jobs check every minute; supervisord is left
to restart them only when they crash."""
from __future__ import annotations

import logging
import time

import click

import ckan.model as model

__all__ = ["consumer", "scheduler"]

log = logging.getLogger(__name__)
HEALTH_CHECK_SECONDS = 30


def _patient(connection):
    """A Redis connection whose blocking reads wait as long as the queue is empty."""
    settings = connection.connection_pool.connection_kwargs
    settings["socket_timeout"] = None
    settings["health_check_interval"] = HEALTH_CHECK_SECONDS
    return connection


def _ending_its_transaction(callback):
    """A message handled, the session is closed: a long-lived consumer must
    not hold a transaction open while it waits (the change log's readers
    wait for every open transaction that wrote to end)."""
    def handle(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        finally:
            model.Session.remove()
    return handle


@click.command(short_help="长期运行的采集队列消费者（gather 或 fetch），队列为空时等待而不退出")
@click.argument("queue_name", type=click.Choice(["gather", "fetch"]))
def consumer(queue_name: str):
    """ckanext-harvest 的 gather/fetch 消费者，连接不设读取超时，队列为空时一直等待。"""
    from ckanext.harvest import queue, utils

    connect = queue.get_connection_redis
    queue.get_connection_redis = lambda: _patient(connect())
    queue.gather_callback = _ending_its_transaction(queue.gather_callback)
    queue.fetch_callback = _ending_its_transaction(queue.fetch_callback)
    if queue_name == "gather":
        utils.gather_consumer()
    else:
        utils.fetch_consumer()


@click.command(short_help="长期运行的采集调度：每分钟检查并启动采集任务、结束已完成的任务")
@click.option("--every", type=click.IntRange(5, 3600), default=60, help="间隔秒数（默认 60）")
@click.option("--times", type=click.IntRange(0), default=0, help="运行次数后退出（0：一直运行）")
@click.pass_context
def scheduler(ctx: click.Context, every: int, times: int):
    """相当于每分钟运行一次 ckan harvester run，但只启动一次 CKAN。"""
    from ckanext.harvest import utils

    flask_app = ctx.meta["flask_app"]
    done = 0
    while not times or done < times:
        started = time.monotonic()
        try:
            with flask_app.test_request_context():
                utils.run_harvester()
        except Exception:  # noqa: BLE001 - one failed round must not stop the schedule
            log.exception("采集调度本轮失败，下一轮继续")
            model.Session.rollback()
        finally:
            model.Session.remove()
        done += 1
        if not times or done < times:
            time.sleep(max(0.0, every - (time.monotonic() - started)))
