"""The harvest processes stay up: an idle consumer waits on its empty queue
past redis-py's 5 s socket timeout instead of exiting, and the scheduler
runs its rounds in one process."""
from __future__ import annotations

import subprocess
import time

from ..support import CKAN_BIN

IDLE_SECONDS = 12   # more than redis-py 8's default socket timeout (5 s)


def test_an_idle_consumer_stays_up(ckan_ini):
    consumer = subprocess.Popen([CKAN_BIN, "-c", ckan_ini, "nanjing-harvest", "consumer", "fetch"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(IDLE_SECONDS)
        still_running = consumer.poll() is None
    finally:
        consumer.terminate()
        output = consumer.communicate(timeout=30)[0]
    assert still_running, output[-3000:]
    assert "TimeoutError" not in output


def test_the_scheduler_runs_its_rounds_in_one_process(ckan_ini):
    started = time.monotonic()
    done = subprocess.run([CKAN_BIN, "-c", ckan_ini, "nanjing-harvest", "scheduler",
                           "--every", "5", "--times", "2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert time.monotonic() - started >= 5      # waited between its two rounds
    assert "采集调度本轮失败" not in done.stderr
