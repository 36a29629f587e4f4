"""Renders what serves a portal like production: nginx in front of gunicorn,
gunicorn and the background processes under supervisord. Run by
scripts/services.sh (start_ckan) with the venv's Python:

    serving.py NAME INI LISTEN [--cache SECONDS] [--with-workers] [--without-web]
               [--nginx-only --upstream OTHER]

LISTEN is a port on 127.0.0.1 or unix:PATH. The tests add an nginx with the
micro-cache on a unix socket in front of the test portal's gunicorn
(--nginx-only --upstream test) and a supervisord with the background
processes only (--with-workers --without-web).

writes $LOCAL/serve/NAME/: nginx.conf and proxy.conf (from
config/nginx.conf.in), supervisord.conf (from config/supervisord.conf.in),
the 413 pages with the platform's Chinese message, and public/, CKAN's
public folders merged in CKAN's order of precedence so that nginx serves
them. Runtime files (sockets, pids, nginx temp) go to $RUN/NAME, logs to $LOG.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB_FORM_MARGIN = 1  # CKAN allows 1 MB for the form around the file (security.py)


def gunicorn_options() -> list[str]:
    """How gunicorn runs CKAN, for the served portal (supervisord.conf.in)
    and for make bench-search-scale's gunicorn.

    gthread workers: one process per core (NANJING_WEB_WORKERS), threads
    (NANJING_WEB_THREADS) for the time a request waits on PostgreSQL and
    Solr (CKAN is thread-safe under gthread). No --preload: each worker opens
    its own database connections. No --max-requests: a gthread worker
    restarting on it resets the connections it has accepted but not served
    (gunicorn issue 3038), a 502 each.
    gunicorn's default --worker-connections: a limit (such as one equal to
    the threads) lets a gthread worker stop reading its accepted connections
    and wait forever for requests it never took (docs/deployment.md)."""
    workers = os.environ.get("NANJING_WEB_WORKERS") or str(os.cpu_count() or 1)
    threads = os.environ.get("NANJING_WEB_THREADS") or "4"
    return ["--worker-class", "gthread", "--workers", workers, "--threads", threads,
            "--timeout", "300", "--graceful-timeout", "30"]


def render(template: Path, values: dict[str, str]) -> str:
    text = template.read_text()
    missing = set(re.findall(r"@([A-Z_]+)@", text)) - set(values)
    if missing:
        sys.exit(f"{template}: no value for {', '.join(sorted(missing))}")
    return re.sub(r"@([A-Z_]+)@", lambda m: values[m.group(1)], text)


def ckan_settings(ini: str) -> dict:
    """The public folders and limits of the config, as the loaded app has them."""
    os.environ["CKAN_INI"] = ini
    import logging
    logging.disable(logging.WARNING)
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app
    from ckan.lib.webassets_tools import get_webassets_path
    from ckan.plugins.toolkit import config
    app = make_app(CKANConfigLoader(ini).get_config())
    from ckanext.nanjing.security import upload_too_large_message
    limit = config.get("ckan.max_resource_size")
    storage = config.get("ckan.storage_path")
    import ckan.config.middleware as middleware
    # An empty extra_public_paths turns into the middleware's own folder: not public.
    skip = {os.path.dirname(middleware.__file__)}
    if storage:
        skip.add(os.path.join(storage, "storage"))  # uploads of CKAN's old uploader
    folders = [f for f in app._wsgi_app.static_folder if f and os.path.normpath(f) not in skip]
    return {"folders": folders, "limit_mb": limit, "message": upload_too_large_message(limit),
            "webassets": get_webassets_path(), "webassets_url": config["ckan.webassets.url"]}


def merge_public(folders: list[str], target: Path) -> None:
    """Symlinks of every file, the first folder winning as in CKAN's lookup."""
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for folder in reversed(folders):
        if os.path.isdir(folder):
            subprocess.run(["cp", "-rsf", os.path.join(os.path.abspath(folder), "."), str(partial)],
                           check=True)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)


def cache_snippets(seconds: int, name: str, run: Path) -> tuple[str, str]:
    """Anonymous micro-caching: never for a request with CKAN's session or
    remember-me cookie or an API token, never a response that sets a cookie."""
    if not seconds:
        return "", ""
    path = (f"    proxy_cache_path {run}/nginx/cache levels=1:2 keys_zone={name}_cache:10m\n"
            f"                     max_size=256m inactive=10m use_temp_path=off;\n")
    proxy = f"""
# Anonymous pages and API answers are shared for {seconds} s (see README).
proxy_cache {name}_cache;
proxy_cache_key $scheme$host$request_uri;
proxy_cache_valid 200 301 302 404 {seconds}s;
proxy_ignore_headers Cache-Control Expires;
proxy_cache_bypass $cookie_ckan $cookie_remember_token $http_authorization $http_x_ckan_api_key;
proxy_no_cache $cookie_ckan $cookie_remember_token $http_authorization $http_x_ckan_api_key;
proxy_cache_lock on;
proxy_cache_lock_timeout 10s;
proxy_cache_use_stale updating;
proxy_cache_background_update on;
add_header X-Cache-Status $upstream_cache_status always;
"""
    return path, proxy


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("name")
    parser.add_argument("ini")
    parser.add_argument("listen")
    parser.add_argument("--cache", type=int, default=0, help="anonymous micro-cache, seconds")
    parser.add_argument("--with-workers", action="store_true",
                        help="also the jobs worker, harvest consumers and scheduler")
    parser.add_argument("--without-web", action="store_true", help="no gunicorn")
    parser.add_argument("--nginx-only", action="store_true", help="no supervisord.conf")
    parser.add_argument("--upstream", help="the portal whose gunicorn nginx passes to")
    args = parser.parse_args()

    local = Path(os.environ.get("NANJING_LOCAL") or ROOT / ".local")
    venv, run, log = local / "venv", local / "run" / args.name, local / "log"
    serve = local / "serve" / args.name
    ini = os.path.abspath(args.ini)
    for folder in (serve, log, *(run / "nginx" / d for d in
                                 ("client-body", "proxy", "fastcgi", "uwsgi", "scgi", "cache"))):
        folder.mkdir(parents=True, exist_ok=True)

    settings = ckan_settings(ini)
    merge_public(settings["folders"], serve / "public")
    errors = serve / "_nanjing"
    errors.mkdir(exist_ok=True)
    message = settings["message"]
    (errors / "413.html").write_text(
        f"<!doctype html><meta charset=utf-8><title>413</title><p>{message}</p>")
    (errors / "413.json").write_text(json.dumps(
        {"success": False, "error": {"__type": "Request Entity Too Large", "message": message}},
        ensure_ascii=False))

    cache_path, cache_proxy = cache_snippets(args.cache, args.name, run)
    (serve / "proxy.conf").write_text(
        (ROOT / "config" / "nginx-proxy.conf").read_text() + cache_proxy)
    webassets = Path(settings["webassets"])
    if webassets.name != settings["webassets_url"].strip("/"):
        sys.exit("ckan.webassets.path must end in the folder named by ckan.webassets.url")
    user = ""
    if os.geteuid() == 0:
        import grp
        import pwd
        user = f"user {pwd.getpwuid(0).pw_name} {grp.getgrgid(0).gr_name};"
    (serve / "nginx.conf").write_text(render(ROOT / "config" / "nginx.conf.in", {
        "USER": user, "RUN": str(run), "LOG": str(log), "NAME": args.name, "SERVE": str(serve),
        "LISTEN": args.listen if args.listen.startswith("unix:") else f"127.0.0.1:{int(args.listen)}",
        "UPSTREAM": str(local / "run" / (args.upstream or args.name) / "gunicorn.sock"), "BODY_LIMIT": str(settings["limit_mb"] + MB_FORM_MARGIN),
        "WEBASSETS_PARENT": str(webassets.parent), "CACHE_PATH": cache_path}))

    if args.nginx_only:
        return
    values = {"RUN": str(run), "LOG": str(log), "NAME": args.name, "VENV": str(venv),
              "ROOT": str(ROOT), "INI": ini, "GUNICORN_OPTIONS": " ".join(gunicorn_options())}
    text = render(ROOT / "config" / "supervisord.conf.in", values)
    if args.without_web:
        text = text[:text.index("; gthread workers")]
    if args.with_workers:
        text += render(ROOT / "config" / "supervisord-workers.conf.in", values)
    (serve / "supervisord.conf").write_text(text)


if __name__ == "__main__":
    main()
