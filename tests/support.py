"""Small helpers the tests share (fixtures are in conftest.py)."""
from __future__ import annotations

import configparser
import os
import socket
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
CKAN_BIN = Path(sys.executable).with_name("ckan")
LOCAL = Path(os.environ.get("NANJING_LOCAL") or ROOT / ".local")


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def ini_with(source: str, target: Path, **options: str) -> Path:
    """A copy of the CKAN config `source` with some [app:main] options changed."""
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    parser.read(source, encoding="utf-8")
    parser["app:main"].update(options)
    with target.open("w", encoding="utf-8") as out:
        parser.write(out)
    return target


def wait_until_answering(url: str, process, log: Path, seconds: int = 90) -> str | None:
    """Waits for the CKAN served at `url` by `process` to answer; None once it
    does, else why not (with the end of its log)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/api/3/action/status_show", timeout=2).ok:
                return None
        except requests.ConnectionError:
            pass
        if process.poll() is not None:
            return f"exited ({process.returncode}): {log.read_text()[-3000:]}"
        time.sleep(0.5)
    return f"no answer in {seconds} s: {log.read_text()[-3000:]}"


def create_stock_ckan_core(solr: str, name: str) -> None:
    """A core named `name` in the running Solr (base URL .../solr) with CKAN
    2.12's own schema.xml beside the project's solrconfig: what CKAN's
    stock schema would make of the same documents."""
    import shutil

    import ckan

    home = Path(requests.get(f"{solr}/admin/info/system", params={"wt": "json"},
                             timeout=30).json()["solr_home"])
    drop_core(solr, name)
    conf = home / name / "conf"
    shutil.rmtree(conf.parent, ignore_errors=True)
    shutil.copytree(ROOT / "config" / "solr" / "configsets" / "ckan" / "conf", conf)
    shutil.copy(Path(ckan.__file__).parent / "config" / "solr" / "schema.xml", conf / "schema.xml")
    created = requests.get(f"{solr}/admin/cores", timeout=60, params={
        "action": "CREATE", "name": name, "instanceDir": name})
    if not created.ok:
        raise RuntimeError(f"无法创建 Solr 核心 {name}：{created.text[:500]}")


def drop_core(solr: str, name: str) -> None:
    """Unload a core and delete its folder; nothing happens when there is none."""
    requests.get(f"{solr}/admin/cores", timeout=60, params={
        "action": "UNLOAD", "core": name, "deleteInstanceDir": "true"})

