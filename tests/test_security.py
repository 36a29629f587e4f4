"""Security headers, the upload size limit and the failed-login limit."""
from __future__ import annotations

import io

import pytest

from ckan.lib.redis import connect_to_redis
from ckan.tests import factories, helpers

from ckanext.nanjing import security


@pytest.fixture
def no_login_failures():
    redis = connect_to_redis()
    for key in redis.scan_iter("*:nanjing:login-failures:*"):
        redis.delete(key)
    yield
    for key in redis.scan_iter("*:nanjing:login-failures:*"):
        redis.delete(key)


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("path", ["/", "/dataset/", "/gkml", "/user/login",
                                  "/api/3/action/status_show", "/api/3/action/package_search?q=南京",
                                  "/no-such-page"])
def test_every_response_carries_the_security_headers(app, path):
    response = app.get(path, status=None)
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'self'" in csp
    assert "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    # Not over plain HTTP: HSTS is for TLS deployments.
    assert "Strict-Transport-Security" not in headers


@pytest.mark.ckan_config("ckanext.nanjing.hsts_max_age", "31536000")
def test_hsts_is_sent_over_https_when_configured(app):
    response = app.get("/api/3/action/status_show", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckan.max_resource_size", "1")
def test_an_oversized_upload_is_refused_with_413_in_chinese(app):
    sysadmin = factories.SysadminWithToken()
    dataset = factories.Dataset(owner_org=factories.Organization()["id"])
    body = b"a,b\n" + b"1,2\n" * (700 * 1024)  # 2.8 MB, over 1 MB and its margin
    response = app.post("/api/3/action/resource_create",
                        data={"package_id": dataset["id"], "name": "big.csv",
                              "upload": (io.BytesIO(body), "big.csv")},
                        headers={"Authorization": sysadmin["token"]}, status=None)
    assert response.status_code == 413
    assert response.json["error"]["message"] == security.upload_too_large_message(1)
    assert helpers.call_action("package_show", id=dataset["id"])["resources"] == []
    assert "1 MB" in response.json["error"]["message"]
    page = app.post(f"/dataset/{dataset['name']}/resource/new", data=body,
                    headers={"Content-Type": "text/csv"}, status=None)
    assert page.status_code == 413
    assert security.upload_too_large_message(1) in page.get_data(as_text=True)


@pytest.mark.usefixtures("clean_db", "no_login_failures")
@pytest.mark.ckan_config("ckanext.nanjing.login_throttle.attempts", "3")
def test_repeated_failed_logins_are_throttled(app):
    user = factories.User(password="correct-horse-battery")
    for _ in range(3):
        response = app.post("/user/login", data={"login": user["name"], "password": "wrong"},
                            status=None)
        assert response.status_code == 200  # CKAN's own "login failed" page
    refused = app.post("/user/login", data={"login": user["name"], "password": "correct-horse-battery"},
                       status=None)
    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.get_data(as_text=True)
    assert refused.headers["Retry-After"] == str(15 * 60)
    # Other accounts from another address are not affected.
    other = factories.User(password="correct-horse-battery")
    ok = app.post("/user/login", data={"login": other["name"], "password": "correct-horse-battery"},
                  environ_base={"REMOTE_ADDR": "10.0.0.9"}, status=None, follow_redirects=False)
    assert ok.status_code == 302


@pytest.mark.usefixtures("clean_db", "no_login_failures")
@pytest.mark.ckan_config("ckanext.nanjing.login_throttle.attempts", "2")
@pytest.mark.ckan_config("ckanext.nanjing.proxy_hops", "1")
def test_behind_a_proxy_clients_are_counted_by_their_forwarded_address(app):
    users = [factories.User(password="correct-horse-battery") for _ in range(3)]
    for user in users[:2]:
        app.post("/user/login", data={"login": user["name"], "password": "wrong"},
                 headers={"X-Forwarded-For": "203.0.113.7"}, status=None)
    # The third account from the same client: refused by the address count.
    refused = app.post("/user/login", data={"login": users[2]["name"], "password": "correct-horse-battery"},
                       headers={"X-Forwarded-For": "203.0.113.7"}, status=None)
    assert refused.status_code == 429
    # Another client behind the same proxy logs in.
    ok = app.post("/user/login", data={"login": users[2]["name"], "password": "correct-horse-battery"},
                  headers={"X-Forwarded-For": "198.51.100.2"}, status=None, follow_redirects=False)
    assert ok.status_code == 302


def test_api_tokens_are_signed_with_a_key_of_at_least_32_bytes(clean_db):
    """HS256 needs 32 bytes of key (RFC 7518 3.2); the set-up makes one
    (API_TOKEN_SECRET) instead of signing with the shorter SECRET_KEY."""
    import warnings

    from ckan.lib import api_token

    for encode in (True, False):
        assert len(api_token._get_secret(encode=encode).encode("utf-8")) >= 32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        user = factories.UserWithToken()
        assert api_token.get_user_from_token(user["token"]).name == user["name"]


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("action, send, field, message", [
    ("package_show", {"json": {"id": "budget\x00"}}, "id", "控制字符"),
    ("nanjing_request_show", {"json": {"id": "\x00", "number": "x"}}, "id", "控制字符"),
    ("nanjing_changes", {"json": {"area": ["a", {"b": "\x00"}]}}, "area", "控制字符"),
    ("package_search", {"data": b'{"rows": 1e400}', "content_type": "application/json"},
     "rows", "有限的数"),
    ("package_search", {"data": b'{"rows": NaN}', "content_type": "application/json"},
     "rows", "有限的数"),
    ("package_search", {"query_string": "q=%00"}, "q", "控制字符"),
    ("organization_list", {"data": b"[" * 50000 + b"]" * 50000,
                           "content_type": "application/json"}, "参数", "嵌套层级过深"),
])
def test_what_postgresql_cannot_store_is_refused_before_any_action(app, action, send, field,
                                                                    message):
    method = app.get if "query_string" in send else app.post
    response = method(f"/api/3/action/{action}", status=None, **send)
    assert response.status_code == 409, response.get_data(as_text=True)[:500]
    assert message in response.json["error"][field][0]
