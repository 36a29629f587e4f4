"""The change log and the JSON change feed (`nanjing_changes`), through the
Action API as a publishing steward and a polling client use them: every
public change recorded once, as the public sees it, deletions and
withdrawals as tombstones; paging by an opaque cursor that never skips a
change committed late; filters; bad cursors and limits refused in Chinese."""
from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories

from ckanext.nanjing.feeds import changes

PAGE = {"url": "https://www.nanjing.gov.cn/zwgk/", "format": "HTML", "name": "页面"}


def _dataset(api, name, **extra):
    data = {"type": "open_dataset", "name": name, "title": f"数据集 {name}", "notes": "说明。",
            "owner_org": "feeds-org", "resource_code": "320100-03-0001", "area": "major-projects",
            "resource_format": "document", "share_type": "unconditional",
            "open_type": "unconditional", "update_frequency": "yearly", "private": False,
            "resources": [dict(PAGE)], **extra}
    answer = api("package_create", **data)
    assert answer["success"], answer
    return answer["result"]


@pytest.fixture
def body(clean_db, clean_index):
    return factories.Organization(name="feeds-org", title="南京市财政局")


def _feed(call, **params):
    answer = call("nanjing_changes", **params)
    assert answer["success"], answer
    return answer["result"]


def _kinds(result):
    return [(entry["name"], entry["change"]) for entry in result["changes"]]


def test_every_public_change_once_as_the_public_sees_it(api, call, body):
    created = _dataset(api, "budget-2026")
    assert api("package_patch", id=created["id"], title="2026年预算（修订）")["success"]
    assert api("package_patch", id=created["id"], title="2026年预算（修订）")["success"]  # no change
    assert api("resource_create", package_id=created["id"], url="https://example.cn/b.pdf",
               format="PDF", name="附件")["success"]
    assert api("package_patch", id=created["id"], private=True)["success"]
    assert api("package_patch", id=created["id"], private=False)["success"]
    assert api("package_delete", id=created["id"])["success"]
    _dataset(api, "draft-only", private=True)                   # never public: no trace
    assert api("package_patch", id="draft-only", title="仍未公开")["success"]

    result = _feed(call)
    assert _kinds(result) == [("budget-2026", "created"), ("budget-2026", "updated"),
                              ("budget-2026", "resource_added"), ("budget-2026", "withdrawn"),
                              ("budget-2026", "created"), ("budget-2026", "deleted")]
    first, withdrawn = result["changes"][0], result["changes"][3]
    assert first["item"]["title"] == "数据集 budget-2026" and first["tombstone"] is False
    assert first["organization"] == "feeds-org" and first["area"] == "major-projects"
    assert withdrawn["tombstone"] is True and withdrawn["item"] is None
    assert withdrawn["title"] == "2026年预算（修订）"      # a tombstone keeps the title
    assert withdrawn["change_label"] == "撤回（不再公开）"
    assert result["changes"][1]["item"]["title"] == "2026年预算（修订）"
    seqs = [entry["seq"] for entry in result["changes"]]
    assert seqs == sorted(seqs)


def test_a_failed_change_leaves_no_record(api, call, body):
    created = _dataset(api, "budget-2027")
    refused = api("package_patch", id=created["id"], update_frequency="hourly-ish")
    assert refused["success"] is False
    assert _kinds(_feed(call)) == [("budget-2027", "created")]


def test_bulk_withdrawal_and_entries(api, call, body):
    first, second = _dataset(api, "bulk-a"), _dataset(api, "bulk-b")
    answer = api("bulk_update_private", org_id=body["id"], datasets=[first["id"], second["id"]])
    assert answer["success"], answer
    assert _kinds(_feed(call))[-2:] == [("bulk-a", "withdrawn"), ("bulk-b", "withdrawn")]


def test_pages_follow_the_cursor_and_filters_narrow(api, call, body):
    for number in range(5):
        _dataset(api, f"paged-{number}", area="affordable-housing" if number % 2 else "major-projects")
    names, cursor, pages = [], "", 0
    while True:
        result = _feed(call, since=cursor, limit=2)
        names += [entry["name"] for entry in result["changes"]]
        cursor, pages = result["next_cursor"], pages + 1
        if not result["has_more"]:
            break
    assert names == [f"paged-{n}" for n in range(5)] and pages == 3
    # Nothing new: the same cursor comes back with nothing.
    again = _feed(call, since=cursor)
    assert again["changes"] == [] and again["next_cursor"] == cursor
    housing = _feed(call, area="affordable-housing")
    assert [entry["name"] for entry in housing["changes"]] == ["paged-1", "paged-3"]
    assert _feed(call, organization="no-such-body")["changes"] == []
    assert len(_feed(call, type="open_dataset")["changes"]) == 5


def test_a_change_committed_late_is_not_skipped(api, call, body):
    """A transaction that began first but commits last: a reader must not
    move its cursor past that change before it is visible."""
    engine = model.meta.engine
    slow = engine.connect()
    transaction = slow.begin()
    slow.execute(sa.text("INSERT INTO nanjing_feeds_change (change, object_type, object_id, name) "
                         "VALUES ('updated', 'open_dataset', 'slow-id', 'slow-one')"))
    _dataset(api, "quick-one")               # a later transaction, committed at once
    before = _feed(call)
    assert before["changes"] == []           # quick-one waits for the older transaction
    transaction.commit()
    slow.close()
    after = _feed(call, since=before["next_cursor"])
    assert [entry["name"] for entry in after["changes"]] == ["slow-one", "quick-one"]


@pytest.mark.parametrize("params, field, message", [
    ({"since": "garbage!"}, "since", "游标无效"),
    ({"since": "djI6MTox"}, "since", "游标无效"),            # "v2:1:1": base64, not ours
    ({"since": ["a"]}, "since", "应为不超过 200 个字符的文本"),
    ({"limit": 10 ** 9}, "limit", "应在 0 至 1000 之间"),
    ({"limit": "all"}, "limit", "应为整数"),
    ({"type": {"x": 1}}, "type", "应为不超过 200 个字符的文本"),
])
def test_bad_cursors_and_limits_are_refused_in_chinese(call, body, params, field, message):
    answer = call("nanjing_changes", **params)
    assert answer["success"] is False
    assert message in "".join(answer["error"][field]), answer["error"]


def test_an_expired_cursor_asks_for_a_resynchronisation(api, call, body):
    _dataset(api, "old-one")
    behind = _feed(call)["next_cursor"]
    _dataset(api, "newer-one")
    current = _feed(call, since=behind)["next_cursor"]
    assert changes.prune(datetime.datetime.utcnow() + datetime.timedelta(seconds=5)) == 2
    expired = call("nanjing_changes", since=behind)
    assert expired["success"] is False and "游标已过期" in expired["error"]["since"][0]
    assert "重新同步" in expired["error"]["since"][0]
    # A new client starts from what is kept.
    assert call("nanjing_changes")["result"]["changes"] == []
    # A client that had read everything carries on.
    assert call("nanjing_changes", since=current)["result"]["changes"] == []


def test_records_public_before_the_log_are_seeded_once(api, call, body):
    from ckanext.nanjing.feeds import outbox
    from ckanext.nanjing.feeds.model import Change
    _dataset(api, "before-log")
    _dataset(api, "hidden-before", private=True)
    model.Session.query(Change).delete()       # as if made before the log existed
    model.Session.commit()
    assert outbox.seed() == 1
    assert outbox.seed() == 0                  # safe to repeat
    assert _kinds(_feed(call)) == [("before-log", "created")]


@pytest.mark.parametrize("datasets", ["bulk-a", [1, 2], {"id": "x"}])
def test_bulk_actions_refuse_what_is_not_a_list_of_ids(api, body, datasets):
    answer = api("bulk_update_private", org_id=body["id"], datasets=datasets)
    assert answer["success"] is False
    assert answer["error"]["datasets"] == ["应为数据集 id 的列表"]
