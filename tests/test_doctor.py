"""`ckan nanjing doctor`: real checks of the real services, and what it says
when each one is broken."""
from __future__ import annotations

import subprocess

import ckan.plugins.toolkit as tk
from ckan.cli.cli import ckan as ckan_command

from ckanext.nanjing import doctor

from .support import CKAN_BIN, free_port, ini_with


def test_cli_reports_every_service_healthy(cli):
    result = cli.invoke(ckan_command, ["nanjing", "doctor"])
    assert result.exit_code == 0, result.output
    for service in ("PostgreSQL 主数据库", "DataStore 数据库", "Redis", "Solr 搜索服务", "CKAN 插件"):
        assert f"[正常] {service}" in result.output
    assert "模式 ckan-2.12" in result.output
    assert "全部正常" in result.output


def _with(**changes) -> dict:
    config = dict(tk.config)
    config.update(changes)
    return config


def test_solr_down_names_the_service_and_the_fix():
    check = doctor.check_solr(_with(solr_url=f"http://127.0.0.1:{free_port()}/solr/ckan"))
    assert not check.ok
    assert "无法连接" in check.summary
    assert "make services" in check.fix


def test_missing_solr_core_is_told_apart_from_solr_down():
    base = tk.config["solr_url"].rsplit("/", 1)[0]
    check = doctor.check_solr(_with(solr_url=f"{base}/no_such_core"))
    assert not check.ok
    assert "没有" in check.summary and "核心" in check.summary


def test_redis_down_is_reported():
    check = doctor.check_redis(_with(**{"ckan.redis.url": f"redis://127.0.0.1:{free_port()}/0"}))
    assert not check.ok
    assert "无法连接" in check.summary


def test_the_mail_server_is_checked(inbox):
    running = doctor.check_mail(_with(**{"smtp.server": tk.config["smtp.server"]}))
    assert running.ok and tk.config["smtp.server"] in running.summary
    down = doctor.check_mail(_with(**{"smtp.server": f"127.0.0.1:{free_port()}"}))
    assert not down.ok and "无法连接 SMTP 服务器" in down.summary
    unset = doctor.check_mail(_with(**{"smtp.server": ""}))
    assert unset.ok and "不能自助注册" in unset.summary


def test_wrong_database_password_is_reported_without_the_password():
    url = tk.config["sqlalchemy.url"]
    user, rest = url.split("://", 1)[1].split(":", 1)
    wrong = url.replace(rest.split("@", 1)[0], "wrong-secret-123")
    check = doctor.check_database(_with(**{"sqlalchemy.url": wrong}))
    assert not check.ok
    assert "密码被拒绝" in check.summary
    assert "wrong-secret-123" not in check.report()


def test_read_only_datastore_user_with_write_rights_is_a_failure():
    write_url = tk.config["ckan.datastore.write_url"]
    check = doctor.check_datastore(_with(**{"ckan.datastore.read_url": write_url}))
    assert not check.ok
    assert "建表权限" in check.summary
    assert "set-permissions" in check.fix


def test_missing_plugin_is_named():
    check = doctor.check_plugins(_with(**{
        "ckanext.nanjing.required_plugins": ["nanjing", "dcat", "xloader"]}))
    assert not check.ok
    assert "xloader" in check.summary


def test_cli_with_solr_down_exits_with_advice_not_a_traceback(ckan_ini, tmp_path):
    broken = ini_with(ckan_ini, tmp_path / "solr-down.ini",
                      solr_url=f"http://127.0.0.1:{free_port()}/solr/ckan")

    result = subprocess.run([str(CKAN_BIN), "-c", str(broken), "nanjing", "doctor"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "[异常] Solr 搜索服务" in result.stdout
    assert "解决办法" in result.stdout
    assert "[正常] PostgreSQL 主数据库" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_broken_letter_template_is_named(monkeypatch, tmp_path):
    (tmp_path / "reply.html").write_text("{% if %}", encoding="utf-8")
    monkeypatch.setitem(tk.config, "ckanext.nanjing.requests.letter_templates_dir", str(tmp_path))
    check = doctor.check_letter_templates(tk.config)
    assert not check.ok and "reply.html" in check.report()
    (tmp_path / "reply.html").unlink()
    (tmp_path / "receipt.html").write_text(
        "{% extends '_base.html' %}{% block body %}<p>本机关已收到您的申请。</p>{% endblock %}",
        encoding="utf-8")
    check = doctor.check_letter_templates(tk.config)
    assert check.ok and "receipt.html" in check.report(), check.report()
