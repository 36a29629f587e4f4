"""The set-up scripts stop with a message naming the service, the cause and
the fix when a service cannot start, and leave nothing half-made."""
from __future__ import annotations

import os
import socket
import subprocess

import pytest

from .support import ROOT, free_port, ini_with, port_is_open


def _run_step(step: str, **env) -> subprocess.CompletedProcess:
    """Runs one function of scripts/*.sh the way scripts/nanjing does."""
    script = (f". scripts/lib.sh; . scripts/install.sh; . scripts/services.sh; "
              f". scripts/init.sh; set -e; {step}")
    return subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})


@pytest.fixture
def taken_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("service, step, variable", [
    ("Redis", "start_redis", "NANJING_REDIS_PORT"),
    ("Solr", "start_solr", "NANJING_SOLR_PORT"),
    ("CKAN 门户", "start_ckan", "NANJING_CKAN_PORT"),
])
def test_a_taken_port_names_service_cause_and_fix(taken_port, service, step, variable):
    result = _run_step(step, **{variable: str(taken_port)})
    assert result.returncode == 1
    assert f"[失败] {service}" in result.stderr
    assert f"端口 {taken_port} 已被其他程序占用" in result.stderr
    assert variable in result.stderr


def test_postgres_port_taken_stops_before_making_a_cluster(taken_port, tmp_path):
    local = tmp_path / "local"
    result = _run_step("start_postgres", NANJING_LOCAL=str(local),
                       NANJING_PG_PORT=str(taken_port))
    assert result.returncode == 1
    assert "[失败] PostgreSQL" in result.stderr
    assert f"端口 {taken_port} 已被其他程序占用" in result.stderr
    assert not (local / "postgres").exists()


def test_missing_java_names_the_fix():
    result = _run_step("start_solr", NANJING_SOLR_PORT=str(free_port()),
                       NANJING_JAVA="/nonexistent/java")
    assert result.returncode == 1
    assert "[失败] Solr（Java）" in result.stderr
    assert "NANJING_JAVA" in result.stderr


def test_unreachable_maven_leaves_the_installed_jars_alone(tmp_path):
    fake_mvn = tmp_path / "mvn"
    fake_mvn.write_text("#!/bin/sh\necho 'Could not transfer artifact: Network is unreachable' >&2\nexit 1\n")
    fake_mvn.chmod(0o755)
    lib = ROOT / ".local" / "solr" / "lib"
    jars_before = sorted(p.name for p in lib.glob("*.jar"))
    # A changed pom forces a download; point the step at a copy so the real one stays.
    result = _run_step(
        'pom_copy=$(mktemp -d)/pom.xml; cp config/solr/pom.xml "$pom_copy"; '
        'echo "<!-- changed -->" >>"$pom_copy"; '
        'install_solr_jars "$pom_copy"',
        NANJING_MVN=str(fake_mvn))
    assert result.returncode == 1
    assert "[失败] Solr（Maven）" in result.stderr
    assert "Maven Central" in result.stderr
    assert sorted(p.name for p in lib.glob("*.jar")) == jars_before


def test_rerunning_set_up_changes_nothing():
    secrets = ROOT / ".local" / "secrets.env"
    ini = ROOT / ".local" / "test.ini"
    secrets_before, ini_before = secrets.read_text(), ini.read_text()
    databases = ("psql_super -d postgres -c "
                 "\"select string_agg(datname, ',' order by datname) from pg_database\"")
    before = _run_step(databases).stdout

    result = subprocess.run([str(ROOT / "scripts" / "nanjing"), "services"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    # Every service was already up and every package installed: nothing started or fetched.
    for word in ("启动", "安装", "下载", "初始化"):
        assert word not in result.stdout
    assert _run_step(databases).stdout == before
    assert secrets.read_text() == secrets_before
    assert ini.read_text() == ini_before


def test_portal_does_not_start_while_solr_is_down(ckan_ini, tmp_path):
    broken = ini_with(ckan_ini, tmp_path / "solr-down.ini",
                      solr_url=f"http://127.0.0.1:{free_port()}/solr/ckan")
    port = free_port()

    result = _run_step("start_ckan", NANJING_CKAN_INI=str(broken), NANJING_CKAN_PORT=str(port))
    assert result.returncode == 1
    assert "[异常] Solr 搜索服务" in result.stdout and "解决办法" in result.stdout
    assert "[失败] CKAN 门户" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not port_is_open(port)
