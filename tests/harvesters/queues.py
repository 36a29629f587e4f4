"""ckanext-harvest's real consumers for the resume tests: `ckan harvester
gather-consumer` and `fetch-consumer` as separate processes on the test
config, reading the Redis queues the tests' jobs are sent to; and a job
interrupted by killing the fetch consumer, then run again."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import helpers
from ckanext.harvest.model import HarvestJob, HarvestObject

from ..support import CKAN_BIN, ini_with

__all__ = ["APP_NAME", "Consumers", "objects", "wait", "job_status", "run_to_the_end",
           "interrupt_and_run_again", "current_objects_per_guid"]

APP_NAME = "nanjing-fetch-consumer-test"


class Consumers:
    """The consumers; the fetch consumer's database connections are
    labelled (application_name) so that a test can cut them."""

    def __init__(self, ckan_ini: str, folder: Path, env: dict[str, str] | None = None):
        url = make_url(tk.config["sqlalchemy.url"]).update_query_dict(
            {"application_name": APP_NAME})
        self.ini = ini_with(ckan_ini, folder / "consumers.ini",
                            **{"sqlalchemy.url": url.render_as_string(hide_password=False)})
        self.env = dict(os.environ, **(env or {}))
        self.folder = folder
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, kind: str) -> None:
        log = (self.folder / f"{kind}.log").open("ab")
        self.processes[kind] = subprocess.Popen(
            [str(CKAN_BIN), "-c", str(self.ini), "harvester", f"{kind}-consumer"],
            stdout=log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True)

    def alive(self, kind: str) -> bool:
        return kind in self.processes and self.processes[kind].poll() is None

    def kill(self, kind: str) -> None:
        process = self.processes.pop(kind)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self) -> None:
        for kind in list(self.processes):
            self.kill(kind)


def objects(job_id: str, *states: str) -> int:
    model.Session.expire_all()
    query = model.Session.query(HarvestObject).filter_by(harvest_job_id=job_id)
    if states:
        query = query.filter(HarvestObject.state.in_(states))
    return query.count()


def wait(what: str, condition, timeout: float = 240) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def job_status(job_id: str) -> str:
    model.Session.expire_all()
    return HarvestJob.get(job_id).status


def run_to_the_end(source: dict) -> str:
    """A new job through the queues, finished as the scheduler's
    `ckan harvester run` finishes it."""
    job = helpers.call_action("harvest_job_create", {"ignore_auth": True},
                              source_id=source["id"], run=True)

    def finished() -> bool:
        helpers.call_action("harvest_jobs_run", {"ignore_auth": True}, source_id=source["id"])
        return job_status(job["id"]) == "Finished"

    wait("the job to finish", finished)
    return job["id"]


def interrupt_and_run_again(consumers: Consumers, source: dict, after: int) -> tuple[int, int, str]:
    """Starts a job, kills the fetch consumer (kill -9) once `after` records
    are imported, aborts the job (as ckan.harvest.timeout would end it),
    starts a new consumer and runs the source again. Returns the first
    job's objects and done objects, and the second job's id."""
    consumers.start("gather")
    consumers.start("fetch")
    job = helpers.call_action("harvest_job_create", {"ignore_auth": True},
                              source_id=source["id"], run=True)
    wait(f"{after} imported records", lambda: objects(job["id"], "COMPLETE") >= after)
    consumers.kill("fetch")
    total, done = objects(job["id"]), objects(job["id"], "COMPLETE", "ERROR")
    assert done < total, "the job was interrupted before its end"
    helpers.call_action("harvest_job_abort", {"ignore_auth": True}, id=job["id"])
    consumers.start("fetch")
    return total, done, run_to_the_end(source)


def current_objects_per_guid(source_id: str) -> dict[str, int]:
    model.Session.expire_all()
    return dict(model.Session.query(HarvestObject.guid, sa.func.count(HarvestObject.id))
                .filter_by(harvest_source_id=source_id, current=True)
                .group_by(HarvestObject.guid).all())
