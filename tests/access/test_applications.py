"""Applications for conditional data through the Action API: the real-name
profile, applying, 补正 once with the clock paused, approval with a narrower
scope, the agreement (read back from its PDF and DOCX), acceptance that
issues the grant, and suspension and revocation that take effect at once."""
from __future__ import annotations

import base64
import datetime
import hashlib
import io

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.nanjing import identifiers, localtime
from ckanext.nanjing.access.model import Agreement, Grant, Profile

from ..documents import docx_text, flat, pdf_text
from .conftest import account

PURPOSE = "编制全市危险化学品经营单位空间分布研究报告"
BODY = "32010219900307123"
ID_NUMBER = BODY + identifiers.id_check_character(BODY)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def profile_of(kind: str = "individual") -> dict:
    if kind == "organisation":
        return {"kind": "organisation", "real_name": "南京数据应用研究院有限公司",
                "id_type": "credit_code", "id_number": "91320100MA1MXXXX0X",
                "contact_person": "李工", "phone": "025-83631234"}
    return {"kind": "individual", "real_name": "王小明", "id_type": "id_card",
            "id_number": ID_NUMBER, "phone": "13912345678"}


def application_of(package_id: str, resource_ids: list[str] | None = None, **changes) -> dict:
    day = localtime.today()
    data = {"package_id": package_id, "purpose": PURPOSE,
            "scenario": "高校科研项目内部分析，不对外提供",
            "resource_ids": resource_ids, "starts_on": day.isoformat(),
            "ends_on": (day + datetime.timedelta(days=90)).isoformat(),
            "delivery": "both", "security": "数据存放于课题组内网服务器，专人管理，期满删除",
            "undertaking_accepted": True}
    data.update(changes)
    return data


@pytest.fixture
def applicant(call):
    user = account("applicant")
    assert call("nanjing_access_profile_update", user, **profile_of())["success"]
    return user


def _apply(call, user, conditional, **changes) -> dict:
    changes.setdefault("resource_ids", [conditional.table["id"]])
    answer = call("nanjing_access_application_create", user, **application_of(
        conditional.package["id"], **changes))
    assert answer["success"], answer
    return answer["result"]


def _step(call, user, application_id, step, **fields) -> dict:
    return call("nanjing_access_application_step", user, id=application_id, step=step, **fields)


def test_the_profile_is_sealed_and_shown_masked(call, clean_db):
    user = account("profiled")
    wrong = call("nanjing_access_profile_update", user, **dict(
        profile_of(), id_number=BODY + "0" if identifiers.id_check_character(BODY) != "0"
        else BODY + "1", phone="12345"))
    assert not wrong["success"]
    assert "身份证号码有误" in wrong["error"]["id_number"][0]
    assert "不是有效的手机号码" in wrong["error"]["phone"][0]
    bad_org = call("nanjing_access_profile_update", user, **dict(
        profile_of("organisation"), id_number="91320100MA1MXXXX0Y", contact_person=""))
    assert "统一社会信用代码有误" in bad_org["error"]["id_number"][0]
    assert "联系人" in bad_org["error"]["contact_person"][0]
    saved = call("nanjing_access_profile_update", user, **profile_of())["result"]
    assert saved["id_number_masked"] == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    assert saved["phone_masked"] == "139****5678"
    stored = model.Session.get(Profile, user["id"])
    assert ID_NUMBER not in stored.id_number_sealed and "13912345678" not in stored.phone_sealed
    shown = call("user_show", user, id=user["name"], include_plugin_extras=True)["result"]
    assert ID_NUMBER not in str(shown) and "王小明" not in str(shown)


def test_the_whole_way_to_a_grant_and_back(call, conditional, applicant, steward):
    table = conditional.table["id"]
    assert not call("datastore_search", applicant, resource_id=table)["success"]
    created = _apply(call, applicant, conditional,
                     resource_ids=[table, conditional.link["id"]],
                     fields=["监测点", "所在区", "PM2.5浓度"])
    assert created["state"] == "reviewing" and created["number"].startswith("数据开放申〔")
    assert created["deadline"]["status"] in ("on_time", "near")
    # The applicant cannot decide on their own application.
    refused = _step(call, applicant, created["id"], "approve")
    assert not refused["success"] and "数据提供单位" in refused["error"]["message"]
    # The body narrows the scope to the table and the period to 30 days.
    day = localtime.today()
    nothing = _step(call, steward, created["id"], "approve", resource_ids=[])
    assert "请选择" in nothing["error"]["resource_ids"][0]
    wider = _step(call, steward, created["id"], "approve", fields="监测点,备注")
    assert "申请范围内的字段" in wider["error"]["fields"][0]
    approved = _step(call, steward, created["id"], "approve", resource_ids=[table],
                     fields="监测点,PM2.5浓度", starts_on=day.isoformat(),
                     ends_on=(day + datetime.timedelta(days=30)).isoformat())
    assert approved["success"], approved
    result = approved["result"]
    assert result["state"] == "approved" and result["approved"]["resource_ids"] == [table]
    assert result["grant"] is None and not call("datastore_search", applicant,
                                                resource_id=table)["success"]
    # The agreement names the parties, scope, purpose and period, in every format.
    text = call("nanjing_access_agreement_show", applicant, id=created["id"],
                format="text")["result"]
    for expected in ("南京市生态环境局", "王小明", "许可证清单", PURPOSE, "重新识别",
                     "不得将数据或其副本向第三方提供", "利用情况", "撤销"):
        assert expected in text["text"], expected
    assert ID_NUMBER not in text["text"]
    assert text["text_sha256"] == hashlib.sha256(text["text"].encode()).hexdigest()
    for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
        printed = call("nanjing_access_agreement_show", applicant, id=created["id"],
                       format=fmt)["result"]
        content = flat(read(base64.b64decode(printed["content_base64"])))
        assert flat(PURPOSE) in content and "公共数据有条件开放利用协议" in content
    # Accepting a text other than the one stored is refused.
    stale = _step(call, applicant, created["id"], "accept_agreement", agree=True,
                  text_sha256="0" * 64)
    assert not stale["success"] and "不一致" in stale["error"]["text_sha256"][0]
    unticked = _step(call, applicant, created["id"], "accept_agreement",
                     text_sha256=text["text_sha256"])
    assert "勾选" in unticked["error"]["agree"][0]
    accepted = _step(call, applicant, created["id"], "accept_agreement", agree=True,
                     text_sha256=text["text_sha256"])
    assert accepted["success"], accepted
    assert accepted["result"]["state"] == "granted"
    assert accepted["result"]["grant"]["status"] == "active"
    record = model.Session.query(Agreement).filter_by(application_id=created["id"]).one()
    assert record.accepted_at and record.accepted_by == applicant["id"]
    assert record.client_address and record.template_version.startswith("agreement-")
    # The grant opens exactly the approved resource.
    rows = call("datastore_search", applicant, resource_id=table)
    assert rows["success"], rows
    assert {f["id"] for f in rows["result"]["fields"]} <= {"_id", "监测点", "PM2.5浓度"}
    assert "玄武区" not in str(rows["result"]["records"])
    link = call("resource_show", applicant, id=conditional.link["id"])["result"]
    assert "secret" not in link["url"]
    # Suspension and revocation take effect on the next call.
    grant_id = accepted["result"]["grant"]["id"]
    no_reason = call("nanjing_access_grant_change", steward, id=grant_id, change="suspend")
    assert not no_reason["success"] and "理由" in no_reason["error"]["reason"][0]
    assert call("nanjing_access_grant_change", steward, id=grant_id, change="suspend",
                reason="未按期报送利用情况")["success"]
    paused = call("datastore_search", applicant, resource_id=table)
    assert not paused["success"] and "暂停" in paused["error"]["message"]
    assert call("nanjing_access_grant_change", steward, id=grant_id, change="resume")["success"]
    assert call("datastore_search", applicant, resource_id=table)["success"]
    assert call("nanjing_access_grant_change", steward, id=grant_id, change="revoke",
                reason="超出协议约定用途")["success"]
    revoked = call("datastore_search", applicant, resource_id=table)
    assert not revoked["success"] and "撤销" in revoked["error"]["message"]
    again = call("nanjing_access_grant_change", steward, id=grant_id, change="resume")
    assert not again["success"]
    # The applicant cannot change their own grant.
    assert not call("nanjing_access_grant_change", applicant, id=grant_id, change="resume",
                    reason="x")["success"]


def test_correction_is_asked_once_and_pauses_the_clock(call, conditional, applicant, steward):
    created = _apply(call, applicant, conditional)
    asked = _step(call, steward, created["id"], "request_correction",
                  items="请补充用途的项目立项文件")
    assert asked["success"], asked
    paused = asked["result"]
    assert paused["state"] == "correction" and paused["deadline"]["status"] == "paused"
    assert not _step(call, steward, created["id"], "approve")["success"]
    empty = _step(call, applicant, created["id"], "submit_correction", text="  ")
    assert "补正内容" in empty["error"]["text"][0]
    back = _step(call, applicant, created["id"], "submit_correction",
                 text="已补充立项通知书编号 NJKY-2026-017")
    assert back["success"] and back["result"]["state"] == "reviewing"
    twice = _step(call, steward, created["id"], "request_correction", items="再补一次")
    assert not twice["success"] and "只能要求一次" in twice["error"]["step"][0]
    rejected = _step(call, steward, created["id"], "reject", reason="用途与数据无关")
    assert rejected["result"]["state"] == "rejected"
    assert rejected["result"]["deadline"]["on_time"] is True


def test_the_office_checks_form_first_when_switched_on(call, conditional, applicant, steward,
                                                       monkeypatch):
    monkeypatch.setitem(tk.config, "ckanext.nanjing.access.formal_check", True)
    created = _apply(call, applicant, conditional)
    assert created["state"] == "formal_check"
    assert created["deadline"]["stage"] == "formal_check"
    assert created["deadline"]["working_days"] == 5
    # The body waits for the office.
    assert not _step(call, steward, created["id"], "approve")["success"]
    from ckan.tests import factories
    office = factories.SysadminWithToken()
    passed = _step(call, office, created["id"], "pass_formal_check")
    assert passed["result"]["state"] == "reviewing"
    assert passed["result"]["deadline"]["working_days"] == 10


def test_strangers_see_nothing_and_withdrawal_is_final(call, conditional, applicant):
    created = _apply(call, applicant, conditional)
    stranger = account("stranger")
    for user in (stranger, None):
        answer = call("nanjing_access_application_show", user, id=created["id"])
        assert not answer["success"] and PURPOSE not in str(answer)
    assert call("nanjing_access_application_list", stranger)["result"]["count"] == 0
    assert not call("nanjing_access_application_list", stranger, scope="queue")["success"]
    again = call("nanjing_access_application_create", applicant, **application_of(
        conditional.package["id"], [conditional.table["id"]]))
    assert "正在办理" in again["error"]["__before"][0]
    gone = _step(call, applicant, created["id"], "withdraw", reason="项目取消")
    assert gone["result"]["state"] == "withdrawn" and gone["result"]["steps"] == []
    assert not _step(call, applicant, created["id"], "accept_agreement", agree=True)["success"]


@pytest.mark.parametrize("changes, field, message", [
    ({"purpose": ""}, "purpose", "请填写用途"),
    ({"purpose": "用" * 1001}, "purpose", "不能超过 1000 字"),
    ({"scenario": "场景\x00\x07"}, "scenario", "控制字符"),
    ({"resource_ids": []}, "resource_ids", "请选择"),
    ({"resource_ids": ["not-a-resource"]}, "resource_ids", "不属于该数据集"),
    ({"fields": ["没有这个字段"]}, "fields", "没有以下字段"),
    ({"starts_on": "2020-01-01"}, "starts_on", "不能早于今天"),
    ({"ends_on": "明年"}, "ends_on", "格式应为"),
    ({"ends_on": "2099-01-01"}, "ends_on", "期限最长"),
    ({"delivery": "fax"}, "delivery", "获取方式应为"),
    ({"undertaking_accepted": False}, "undertaking_accepted", "安全承诺"),
])
def test_bad_applications_are_refused_in_chinese(call, conditional, applicant, changes, field,
                                                 message):
    data = dict(application_of(conditional.package["id"], [conditional.table["id"]]), **changes)
    answer = call("nanjing_access_application_create", applicant, **data)
    assert not answer["success"], answer
    assert message in " ".join(answer["error"][field]), answer["error"]


def test_attachments_are_judged_by_their_bytes(app, conditional, applicant, monkeypatch):
    monkeypatch.setitem(tk.config, "ckanext.nanjing.access.max_file_mb", 1)

    def send(name: str, content: bytes):
        data = {key: str(value) for key, value in application_of(
            conditional.package["id"], [conditional.table["id"]]).items()
            if key != "resource_ids"}
        data["resource_ids"] = conditional.table["id"]
        data["undertaking"] = (io.BytesIO(content), name)
        return app.post("/api/3/action/nanjing_access_application_create", data=data,
                        headers={"Authorization": applicant["token"]},
                        content_type="multipart/form-data", status=None)

    program = send("安全承诺书.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    assert program.status_code == 409 and "不能作为安全承诺书" in program.json["error"]["undertaking"][0]
    huge = send("承诺书.pdf", PDF + b"0" * (1 << 20))
    assert huge.status_code == 409 and "超过 1 MB" in huge.json["error"]["undertaking"][0]
    assert model.Session.query(Grant).count() == 0
    fine = send("承诺书.pdf", PDF)
    assert fine.status_code == 200, fine.json
    assert [f["name"] for f in fine.json["result"]["files"]] == ["承诺书.pdf"]


def test_only_conditional_data_is_applied_for(call, conditional, applicant, steward, org):
    assert call("package_patch", steward, id=conditional.package["id"],
                open_type="unconditional", open_conditions="")["success"]
    answer = call("nanjing_access_application_create", applicant, **application_of(
        conditional.package["id"], [conditional.table["id"]]))
    assert "无需申请" in answer["error"]["package_id"][0]
    nobody = account("no-profile")
    assert call("package_patch", steward, id=conditional.package["id"],
                open_type="conditional", open_conditions="实名申请")["success"]
    missing = call("nanjing_access_application_create", nobody, **application_of(
        conditional.package["id"], [conditional.table["id"]]))
    assert "实名信息" in missing["error"]["profile"][0]
