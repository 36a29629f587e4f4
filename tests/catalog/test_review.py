"""The review of withheld (不予公开) catalog entries, through the Action API,
as stewards, reviewers of the government office and the public use it."""
from __future__ import annotations

import pytest

from ckan.tests import factories

REVIEW_ORG = "nanjing-zfbgt"

pytestmark = pytest.mark.ckan_config("ckanext.nanjing.review_organization", REVIEW_ORG)

ENTRY = {
    "type": "gkml_item", "name": "jianye-enforcement-files", "title": "行政执法案卷",
    "area": "environment", "level1_item": "行政处罚", "level2_item": "执法案卷",
    "item_code": "GK-320105-05-009", "disclosure_content": "调查询问笔录、现场检查记录、证据材料",
    "audience": "specific-groups", "disclosure_method": "on-request",
    "disclosure_level": "county", "disclosure_attribute": "withheld",
    "withholding_grounds": "art16-enforcement",
    "withholding_reasons": "案卷含调查过程材料和当事人信息，依条例第十六条第二款可不予公开。",
}


@pytest.fixture
def people(clean_db, clean_index):
    steward = factories.UserWithToken()
    reviewer = factories.UserWithToken()
    org = factories.Organization(name="jianye-sthj", title="南京市建邺生态环境局",
                                 users=[{"name": steward["name"], "capacity": "admin"}])
    factories.Organization(name=REVIEW_ORG, title="南京市人民政府办公厅",
                           users=[{"name": reviewer["name"], "capacity": "editor"}])
    return {"steward": steward, "reviewer": reviewer, "org": org}


@pytest.fixture
def entry(people, call):
    created = call("package_create", people["steward"], owner_org=people["org"]["id"], **ENTRY)
    assert created["success"], created
    return created["result"]


def _status(call, user=None):
    return call("nanjing_review_history", user, id=ENTRY["name"])


def test_withheld_entry_is_private_and_waits_for_review(entry, call, people):
    assert entry["private"] is True
    assert call("package_show", id=ENTRY["name"])["success"] is False
    assert ENTRY["name"] not in [d["name"] for d in call(
        "package_search", q="行政执法案卷", include_private=True)["result"]["results"]]
    history = _status(call, people["steward"])["result"]
    assert history["status"] == "submitted"
    assert history["history"][0]["user"] == people["steward"]["name"]
    assert _status(call)["success"] is False


def test_steward_cannot_publish_it_through_update_or_bulk_actions(entry, call, people):
    patched = call("package_patch", people["steward"], id=ENTRY["name"], private=False)
    assert patched["success"] and patched["result"]["private"] is True
    bulk = call("bulk_update_public", people["steward"], datasets=[entry["id"]],
                org_id=people["org"]["id"])
    assert bulk["success"] is False
    assert bulk["error"]["datasets"] == ["以下不予公开条目须经审核通过后才能公开：行政执法案卷"]
    assert call("package_show", id=ENTRY["name"])["success"] is False


def test_only_reviewers_decide(entry, call, people):
    refused = call("nanjing_review_decide", people["steward"], id=ENTRY["name"], decision="approve")
    assert refused["success"] is False
    assert refused["error"]["message"].endswith("只有政务公开办的审核人员可以执行此操作。")
    assert call("nanjing_review_queue", people["steward"])["success"] is False


def test_return_with_comment_then_resubmit_then_approve(entry, call, people):
    steward, reviewer = people["steward"], people["reviewer"]
    queue = call("nanjing_review_queue", reviewer)
    assert [e["name"] for e in queue["result"]] == [ENTRY["name"]], queue

    no_comment = call("nanjing_review_decide", reviewer, id=ENTRY["name"], decision="return")
    assert no_comment["error"]["comment"] == ["请填写退回理由，以便条目管理员修改。"]

    returned = call("nanjing_review_decide", reviewer, id=ENTRY["name"], decision="return",
                    comment="请写明案卷中哪些材料涉及当事人信息。")
    assert returned["success"], returned
    assert returned["result"]["status"] == "returned"
    assert call("nanjing_review_queue", reviewer)["result"] == []
    again = call("nanjing_review_decide", reviewer, id=ENTRY["name"], decision="approve")
    assert again["error"]["id"] == ["该条目当前不在待审核状态。"]

    edited = call("package_patch", steward, id=ENTRY["name"],
                  withholding_reasons="案卷含调查询问笔录和当事人身份信息，依条例第十六条第二款不予公开。")
    assert edited["success"]
    assert _status(call, steward)["result"]["status"] == "submitted"

    approved = call("nanjing_review_decide", reviewer, id=ENTRY["name"], decision="approve",
                    comment="理由充分，同意不予公开。")
    assert approved["result"]["status"] == "approved"
    public = call("package_show", id=ENTRY["name"])
    assert public["success"] and public["result"]["private"] is False
    steps = _status(call)["result"]["history"]
    assert [s["event"] for s in steps] == ["submitted", "returned", "submitted", "approved"]
    assert steps[1]["comment"] == "请写明案卷中哪些材料涉及当事人信息。"
    assert steps[3]["user"] == reviewer["name"]


def test_proactive_entries_are_not_held(people, call):
    created = call("package_create", people["steward"], owner_org=people["org"]["id"],
                   **dict(ENTRY, name="jianye-penalty-decisions", disclosure_attribute="proactive",
                          disclosure_method="proactive"))
    assert created["result"]["private"] is False
    history = call("nanjing_review_history", id="jianye-penalty-decisions")["result"]
    assert history == {"id": created["result"]["id"], "status": None, "history": []}


def test_reviewers_find_and_read_entries_they_do_not_own(entry, call, people):
    reviewer = people["reviewer"]
    assert call("package_show", reviewer, id=ENTRY["name"])["success"]
    found = call("package_search", reviewer, q="行政执法案卷", include_private=True,
                 fq="dataset_type:gkml_item")["result"]["results"]
    assert [d["name"] for d in found] == [ENTRY["name"]]
    outsider = factories.UserWithToken()
    assert call("package_show", outsider, id=ENTRY["name"])["success"] is False
