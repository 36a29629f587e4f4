"""In headless Chromium on the served test portal: a reader follows a
dataset from its page (订阅更新邮件, through the login and back), and a
sysadmin registers a webhook endpoint under 系统管理, copies the secret
shown once, and pauses the endpoint."""
from __future__ import annotations

import re
import uuid

import pytest

from ckan.tests import factories

from tests.feeds.test_change_log import _dataset, body  # noqa: F401  (body: a fixture)

pytestmark = pytest.mark.browser

PASSWORD = "Follow-the-feed-2026!"


def _sign_in(page, live_server, name):
    page.goto(f"{live_server}/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", PASSWORD)
    page.click("#field-password >> xpath=ancestor::form//button[@type='submit']")
    page.wait_for_selector(".account.authed, a[href*='/user/_logout']", state="attached")


def test_a_reader_follows_a_dataset_and_an_administrator_registers_a_webhook(
        live_server, browser, api, body):
    dataset = _dataset(api, f"follow-{uuid.uuid4().hex[:6]}", title="南京市财政预算公开")
    reader = factories.User(password=PASSWORD, email="follower@nanjing.example")
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()

    page.goto(f"{live_server}/open_dataset/{dataset['name']}")
    page.click("#package-info a.nanjing-subscribe")
    page.wait_for_selector("#field-login")                 # asked to sign in, then back
    page.fill("#field-login", reader["name"])
    page.fill("#field-password", PASSWORD)
    page.click("#field-password >> xpath=ancestor::form//button[@type='submit']")
    page.wait_for_selector("form.nanjing-subscribe-form")
    assert page.input_value("#subscribe-kind") == "dataset"
    assert page.input_value("#subscribe-target") == dataset["name"]
    page.select_option("#subscribe-frequency", "weekly")
    page.click("form.nanjing-subscribe-form button[type=submit]")
    assert "已订阅数据集“南京市财政预算公开”的每周更新邮件" in page.inner_text(".flash-messages, .alert")
    page.goto(f"{live_server}/open_dataset/{dataset['name']}")
    assert "已订阅每周更新邮件" in page.inner_text("#package-info")
    context.close()

    admin = factories.Sysadmin(password=PASSWORD)
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    _sign_in(page, live_server, admin["name"])
    page.goto(f"{live_server}/ckan-admin")
    page.click("a[href='/ckan-admin/webhooks']")
    page.fill("#webhook-url", "https://93.184.215.14/hooks/nanjing")
    page.fill("#webhook-description", "南京政务发布客户端")
    page.select_option("#webhook-organization", "feeds-org")
    page.click("form.nanjing-webhook-form button[type=submit]")
    secret = page.inner_text("#webhook-secret")
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/=]+", secret)
    page.click("a[href^='/ckan-admin/webhooks/']")
    assert "部门：feeds-org" in page.inner_text(".nanjing-webhook-facts")
    page.click("button[value=pause]")
    assert "已暂停" in page.inner_text(".flash-messages, .alert")
    assert "暂停" in page.inner_text(".nanjing-webhook-facts")
    assert secret not in page.content()
    context.close()
