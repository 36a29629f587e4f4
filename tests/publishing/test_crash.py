"""A crash at any point of a save leaves the old public state or the new
checked one. The test holds a PostgreSQL lock in its own connection, so the
real web worker (`ckan run`) or jobs worker (`ckan jobs worker`) waits
inside its transaction at the step after the check; the worker is then
killed with SIGKILL, the lock released, and the database and the public API
must show the dataset as it was. A normal run afterwards shows the new
state with its verdict."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import threading
import time
from contextlib import contextmanager

import pytest
import requests
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.nanjing.publishing import gate, jobs

from ..support import CKAN_BIN, free_port, wait_until_answering
from .conftest import VALID_CSV, dataset_dict

SECOND_CSV = VALID_CSV.replace("玄武湖", "莫愁湖").encode("utf-8")


@pytest.fixture
def database():
    """A connection pool of the test's own, outside CKAN's session."""
    engine = sa.create_engine(tk.config["sqlalchemy.url"])
    yield engine
    engine.dispose()


def _scalar(engine, sql: str, **params):
    with engine.connect() as connection:
        return connection.execute(sa.text(sql), params).scalar()


@contextmanager
def _holding(engine, sql: str, **params):
    """Runs `sql` (a lock) in a transaction kept open; yields its backend pid."""
    with engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(sa.text(sql), params)
        try:
            yield connection.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        finally:
            transaction.rollback()


def _wait_blocked(engine, holder: int, process: subprocess.Popen, log) -> tuple[int, str]:
    """The backend (pid, query) that waits for the holder's lock."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            row = connection.execute(sa.text(
                "SELECT pid, query FROM pg_stat_activity "
                "WHERE :holder = ANY(pg_blocking_pids(pid))"), {"holder": holder}).first()
        if row:
            return row.pid, row.query
        assert process.poll() is None, f"the worker exited: {log.read_text()[-3000:]}"
        time.sleep(0.2)
    pytest.fail(f"the worker never reached the lock: {log.read_text()[-3000:]}")


def _descendants(pid: int) -> list[int]:
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill(process: subprocess.Popen) -> None:
    """SIGKILL to the worker and its children (RQ runs each job in a forked
    work horse with a session of its own)."""
    for pid in [process.pid] + _descendants(process.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=30)


def _wait_gone(engine, pid: int) -> None:
    """The killed worker's backend has rolled back and left."""
    deadline = time.monotonic() + 60
    while _scalar(engine, "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid", pid=pid):
        assert time.monotonic() < deadline, "the killed worker's transaction stayed open"
        time.sleep(0.2)


def _publish_when_valid(steward, org) -> dict:
    """A big file added as harvesters do: the dataset waits, private, for
    the jobs worker to pass it."""
    context = {"user": steward["name"], gate.PUBLISH_WHEN_VALID: True}
    dataset = tk.get_action("package_create")(dict(context), dataset_dict(org))
    tk.get_action("resource_create")(dict(context), {
        "package_id": dataset["id"], "name": "每日监测", "format": "CSV", "url": "air.csv",
        "upload": FileStorage(io.BytesIO(VALID_CSV.encode("utf-8")), "air.csv")})
    return tk.get_action("package_show")({"ignore_auth": True}, {"id": dataset["id"]})


@pytest.fixture
def web_worker(ckan_ini, tmp_path):
    """The portal served by `ckan run` on a port of its own."""
    port = free_port()
    log = tmp_path / "ckan-run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(CKAN_BIN), "-c", ckan_ini, "run", "-H", "127.0.0.1", "-p", str(port),
             "--disable-reloader"], stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    problem = wait_until_answering(url, process, log)
    assert problem is None, problem
    yield process, url, log
    if process.poll() is None:
        _kill(process)


def test_a_web_worker_killed_inside_the_save_leaves_the_public_dataset_as_it_was(
        call, upload, steward, org, database, web_worker, app):
    dataset = call("package_create", steward, **dataset_dict(org))["result"]
    status, body = upload("resource_create", steward, VALID_CSV.encode("utf-8"), "air.csv",
                          package_id=dataset["id"], name="每日监测", format="CSV")
    assert status == 200, body
    first = body["result"]
    model.Session.remove()
    process, url, log = web_worker

    outcome = {}

    def send():
        try:
            outcome["response"] = requests.post(
                f"{url}/api/3/action/resource_create",
                data={"package_id": dataset["id"], "name": "次日监测", "format": "CSV"},
                files={"upload": ("air2.csv", SECOND_CSV)},
                headers={"Authorization": steward["token"]}, timeout=300)
        except requests.RequestException as error:
            outcome["error"] = error

    with _holding(database, "LOCK TABLE nanjing_validation IN EXCLUSIVE MODE") as holder:
        sender = threading.Thread(target=send)
        sender.start()
        blocked, query = _wait_blocked(database, holder, process, log)
        # The file passed and the new resource is written, in a transaction
        # that also has to write its verdict: the public still sees one file.
        assert "nanjing_validation" in query
        assert len(call("package_show", id=dataset["id"])["result"]["resources"]) == 1
        _kill(process)
    _wait_gone(database, blocked)
    sender.join(timeout=60)
    assert "error" in outcome, outcome  # the client saw the worker die

    # The old public state: one resource, with its verdict; no other row.
    shown = call("package_show", id=dataset["id"])["result"]
    assert shown["private"] is False and [r["id"] for r in shown["resources"]] == [first["id"]]
    # CKAN updates the search index just before its commit, so the index may
    # still list the resource that was rolled back; nothing of it is served.
    found = call("package_search", q=f'id:"{dataset["id"]}"')["result"]["results"]
    ghosts = [r for r in found[0]["resources"] if r["id"] != first["id"]]
    for ghost in ghosts:
        assert call("resource_show", id=ghost["id"])["success"] is False
        assert app.get(ghost["url"].replace(tk.config["ckan.site_url"], ""),
                       status=None).status_code == 404
    assert _scalar(database, "SELECT count(*) FROM resource WHERE package_id = :id "
                             "AND state = 'active'", id=dataset["id"]) == 1
    assert _scalar(database, "SELECT string_agg(resource_id || ':' || status, ',') "
                             "FROM nanjing_validation WHERE package_id = :id",
                   id=dataset["id"]) == f"{first['id']}:valid"

    # The same request, not interrupted: the new file with its verdict.
    status, body = upload("resource_create", steward, SECOND_CSV, "air2.csv",
                          package_id=dataset["id"], name="次日监测", format="CSV")
    assert status == 200, body
    second = body["result"]
    report = call("nanjing_validation_show", steward, resource_id=second["id"])["result"]
    assert (report["status"], report["current"], report["load_status"]) == ("valid", True, "loaded")
    assert call("resource_show", id=second["id"])["result"]["datastore_active"] is True
    records = call("datastore_search", resource_id=second["id"], q="莫愁湖")["result"]
    assert records["total"] == 1


def test_a_web_worker_killed_during_the_datastore_load_keeps_the_verdict_and_the_old_table(
        call, upload, steward, org, web_worker, ckan_ini):
    dataset = call("package_create", steward, **dataset_dict(org))["result"]
    status, body = upload("resource_create", steward, VALID_CSV.encode("utf-8"), "air.csv",
                          package_id=dataset["id"], name="每日监测", format="CSV")
    assert status == 200, body
    resource_id = body["result"]["id"]
    model.Session.remove()
    process, url, log = web_worker
    datastore = sa.create_engine(tk.config["ckan.datastore.write_url"])

    def send():
        try:
            requests.post(f"{url}/api/3/action/resource_update",
                          data={"id": resource_id, "name": "每日监测", "format": "CSV"},
                          files={"upload": ("air2.csv", SECOND_CSV)},
                          headers={"Authorization": steward["token"]}, timeout=300)
        except requests.RequestException:
            pass

    try:
        # A reader of the old table: the load waits to swap the new one in.
        with _holding(datastore, f'LOCK TABLE "{resource_id}" IN ACCESS SHARE MODE') as holder:
            sender = threading.Thread(target=send)
            sender.start()
            blocked, query = _wait_blocked(datastore, holder, process, log)
            assert "DROP TABLE" in query
            _kill(process)
        _wait_gone(datastore, blocked)
    finally:
        datastore.dispose()
    sender.join(timeout=60)

    # The new file with its verdict; the previous valid table still served.
    shown = call("resource_show", id=resource_id)["result"]
    assert shown["url"].endswith("air2.csv") and shown["datastore_active"] is True
    report = call("nanjing_validation_show", steward, resource_id=resource_id)["result"]
    assert (report["status"], report["current"], report["load_status"]) == \
        ("valid", True, "pending")
    assert call("datastore_search", resource_id=resource_id, q="莫愁湖")["result"]["total"] == 0

    # The recovery command loads it.
    result = subprocess.run([str(CKAN_BIN), "-c", ckan_ini, "nanjing", "validate"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = call("nanjing_validation_show", steward, resource_id=resource_id)["result"]
    assert report["load_status"] == "loaded"
    assert call("datastore_search", resource_id=resource_id, q="莫愁湖")["result"]["total"] == 1


@pytest.mark.ckan_config("ckanext.nanjing.validation.sync_max_bytes", "100")
def test_a_jobs_worker_killed_before_the_publication_leaves_the_dataset_private(
        call, steward, org, database, ckan_ini, tmp_path, run_jobs):
    created = _publish_when_valid(steward, org)
    assert created["private"] is True
    resource_id = created["resources"][0]["id"]
    assert call("nanjing_validation_show", steward,
                resource_id=resource_id)["result"]["status"] == "pending"
    model.Session.remove()

    log = tmp_path / "worker.log"
    with _holding(database, "SELECT 1 FROM nanjing_publish_request "
                            "WHERE package_id = :id FOR UPDATE", id=created["id"]) as holder:
        with log.open("wb") as out:
            worker = subprocess.Popen([str(CKAN_BIN), "-c", ckan_ini, "jobs", "worker", "--burst"],
                                      stdout=out, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        try:
            blocked, _ = _wait_blocked(database, holder, worker, log)
            # The file is checked and loaded; its verdict and the
            # publication wait for one commit.
            assert call("package_show", id=created["id"])["success"] is False
            _kill(worker)
        finally:
            if worker.poll() is None:
                _kill(worker)
    _wait_gone(database, blocked)

    # The old state: private, the publication still requested, no valid verdict
    # and no DataStore flag.
    assert call("package_show", id=created["id"])["success"] is False
    shown = call("package_show", steward, id=created["id"])["result"]
    assert shown["private"] is True
    assert shown["resources"][0].get("datastore_active") in (None, False)
    assert _scalar(database, "SELECT count(*) FROM nanjing_publish_request WHERE package_id = :id",
                   id=created["id"]) == 1
    assert _scalar(database, "SELECT status FROM nanjing_validation WHERE resource_id = :id",
                   id=resource_id) == "running"

    # The job queued again and run to its end: the new state, all at once.
    jobs.enqueue(resource_id)
    model.Session.remove()
    run_jobs()
    shown = call("package_show", id=created["id"])["result"]
    assert shown["private"] is False and shown["resources"][0]["datastore_active"] is True
    report = call("nanjing_validation_show", steward, resource_id=resource_id)["result"]
    assert (report["status"], report["current"], report["load_status"]) == ("valid", True, "loaded")
    assert _scalar(database, "SELECT count(*) FROM nanjing_publish_request WHERE package_id = :id",
                   id=created["id"]) == 0
    assert call("datastore_search", resource_id=resource_id)["result"]["total"] == 3


@pytest.mark.ckan_config("ckanext.nanjing.validation.sync_max_bytes", "100")
def test_nanjing_validate_finishes_what_a_killed_job_left(call, steward, org, ckan_ini):
    """A verdict left "running" (its job killed) is checked again by the
    recovery command, which also publishes a dataset that waited for it."""
    created = _publish_when_valid(steward, org)
    resource_id = created["resources"][0]["id"]
    gate.record(resource_id, gate.RUNNING)
    model.Session.remove()

    result = subprocess.run([str(CKAN_BIN), "-c", ckan_ini, "nanjing", "validate"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "通过 1 个" in result.stdout
    shown = call("package_show", id=created["id"])["result"]
    assert shown["private"] is False and shown["resources"][0]["datastore_active"] is True


def test_nanjing_validate_builds_the_full_text_a_crash_left_out(call, upload, steward, org,
                                                                 ckan_ini):
    """A crash between the load (committed, the table public) and its full
    text (one transaction that never committed) leaves the table without
    full text or its index; the recovery command builds them, as it does
    for tables loaded before the Chinese full text."""
    from ckanext.datastore.backend import postgres as backend
    from ckanext.nanjing.publishing import datastore

    dataset = call("package_create", steward, **dataset_dict(org))["result"]
    status, body = upload("resource_create", steward, VALID_CSV.encode("utf-8"), "air.csv",
                          package_id=dataset["id"], name="每日监测", format="CSV")
    assert status == 200, body
    resource_id = body["result"]["id"]
    assert datastore.has_full_text(resource_id)
    index = backend._generate_index_name(resource_id, backend.identifier("_full_text"))
    with backend.get_write_engine().begin() as connection:
        connection.execute(sa.text(f'DROP INDEX "{index}"'))
        connection.execute(sa.text(f'ALTER TABLE "{resource_id}" DISABLE TRIGGER zfulltext'))
        connection.execute(sa.text(f'UPDATE "{resource_id}" SET _full_text = NULL'))
        connection.execute(sa.text(f'ALTER TABLE "{resource_id}" ENABLE TRIGGER zfulltext'))
    assert call("datastore_search", resource_id=resource_id, q="草场门")["result"]["total"] == 0
    model.Session.remove()

    result = subprocess.run([str(CKAN_BIN), "-c", ckan_ini, "nanjing", "validate"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert datastore.has_full_text(resource_id)
    found = call("datastore_search", resource_id=resource_id, q="草场门")["result"]["records"]
    assert [record["监测点"] for record in found] == ["草场门"]

    # A table loaded before the Chinese full text came (CKAN's trigger) is
    # loaded again the same way.
    with backend.get_write_engine().begin() as connection:
        connection.execute(sa.text(f'DROP TRIGGER zfulltext ON "{resource_id}"'))
        connection.execute(sa.text(
            f'CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON "{resource_id}" '
            f'FOR EACH ROW EXECUTE PROCEDURE populate_full_text_trigger()'))
    assert not datastore.has_full_text(resource_id)
    result = subprocess.run([str(CKAN_BIN), "-c", ckan_ini, "nanjing", "validate"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert datastore.has_full_text(resource_id)
