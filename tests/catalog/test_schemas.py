"""The catalog schemas through the Action API: valid records are stored as
given, bad values are refused with Chinese messages naming field and values."""
from __future__ import annotations

import pytest

from ckanext.nanjing import identifiers

VALID_CODE = "11320105" + "MB1234567"
VALID_CODE += identifiers.check_character(VALID_CODE)

TABLE_SCHEMA = {"fields": [
    {"name": "监测日期", "type": "date"},
    {"name": "站点", "type": "string", "constraints": {"required": True}},
    {"name": "PM2.5", "type": "number", "constraints": {"minimum": 0}},
]}


def _open_dataset(org, **changes):
    data = {
        "type": "open_dataset", "name": "air-quality-daily", "title": "南京市环境空气质量监测日报",
        "notes": "全市国控站点每日空气质量监测结果。", "owner_org": org["id"],
        "provider_credit_code": VALID_CODE, "resource_code": "320100-05-0001",
        "area": "environment", "catalog": "theme", "resource_format": "spreadsheet",
        "information_items": TABLE_SCHEMA, "share_type": "unconditional",
        "open_type": "unconditional", "update_frequency": "daily",
        "release_date": "2026-01-15",
    }
    data.update(changes)
    return data


def _create(api, data) -> dict:
    response = api("package_create", **data)
    assert response["success"], response["error"]
    return response["result"]


def _errors(api, data) -> dict:
    response = api("package_create", **data)
    assert not response["success"]
    assert response["error"]["__type"] == "Validation Error"
    return response["error"]


def test_open_dataset_is_stored_as_given(api, org):
    created = _create(api, _open_dataset(org))
    shown = api("package_show", id=created["id"])["result"]
    assert shown["type"] == "open_dataset"
    assert shown["area"] == "environment"
    assert shown["provider_credit_code"] == VALID_CODE
    assert shown["information_items"] == TABLE_SCHEMA
    assert shown["release_date"] == "2026-01-15"


def test_unknown_area_names_the_field_and_the_allowed_values(api, org):
    errors = _errors(api, _open_dataset(org, area="tourism"))
    [message] = errors["area"]
    assert message.startswith("领域：“tourism”不是允许的取值")
    assert "城乡规划（urban-rural-planning）" in message and "公共法律服务" in message


@pytest.mark.parametrize("code, expected", [
    (VALID_CODE[:-1] + ("0" if VALID_CODE[-1] != "0" else "1"), "校验码不正确"),
    ("91320100123456789X", "校验码不正确"),
    ("9132010012345", "应为 18 位，此处为 13 位"),
    ("9132010O1234567890", "校验码不正确"),
])
def test_bad_credit_codes_are_refused(api, org, code, expected):
    errors = _errors(api, _open_dataset(org, provider_credit_code=code))
    assert expected in errors["provider_credit_code"][0]


def test_lower_case_credit_code_is_normalised(api, org):
    created = _create(api, _open_dataset(org, provider_credit_code=VALID_CODE.lower()))
    assert created["provider_credit_code"] == VALID_CODE


def test_conditional_opening_needs_its_conditions(api, org):
    errors = _errors(api, _open_dataset(org, open_type="conditional"))
    assert errors["open_conditions"] == ["开放属性为“有条件开放”时，必须填写开放条件。"]
    created = _create(api, _open_dataset(
        org, open_type="conditional", open_conditions="经实名注册并签署数据使用协议后获取。"))
    assert created["open_conditions"].startswith("经实名注册")


@pytest.mark.parametrize("schema, expected", [
    ({"fields": [{"name": "站点", "type": "banana"}]}, "不是有效的 Table Schema"),
    ({"fields": []}, "fields 列表不能为空"),
    ("fields: [unclosed", "不是有效的 JSON 或 YAML"),
    ("[1, 2]", "fields 列表不能为空"),
])
def test_bad_information_items_are_refused(api, org, schema, expected):
    errors = _errors(api, _open_dataset(org, information_items=schema))
    assert expected in errors["information_items"][0]


def _gkml(org, **changes):
    data = {
        "type": "gkml_item", "name": "jianye-budget-disclosure", "title": "政府预算",
        "owner_org": org["id"], "area": "budgets", "level1_item": "财政预决算",
        "level2_item": "政府预算", "item_code": "GK-320105-03-001",
        "disclosure_content": "一般公共预算收支表、政府性基金预算收支表、“三公”经费预算",
        "disclosure_deadline": "本级人大或其常委会批准后20日内",
        "channels": ["gov-website", "gazette"], "audience": "public",
        "disclosure_method": "proactive", "disclosure_level": "county",
        "disclosure_attribute": "proactive",
    }
    data.update(changes)
    return data


def test_catalog_entry_keeps_its_channels(api, org):
    created = _create(api, _gkml(org))
    assert api("package_show", id=created["id"])["result"]["channels"] == [
        "gov-website", "gazette"]


def test_unknown_channel_is_refused(api, org):
    errors = _errors(api, _gkml(org, channels=["gov-website", "tiktok"]))
    assert "公开渠道和载体：“tiktok”不是允许的取值" in errors["channels"][0]
    assert "12345政务服务热线" in errors["channels"][0]


def test_withheld_entry_needs_legal_grounds_and_reasons(api, org):
    errors = _errors(api, _gkml(org, disclosure_attribute="withheld"))
    assert errors["withholding_grounds"] == ["公开属性为“不予公开”时，必须填写不予公开的法律依据。"]
    assert errors["withholding_reasons"] == ["公开属性为“不予公开”时，必须填写不予公开的理由。"]

    errors = _errors(api, _gkml(org, disclosure_attribute="withheld",
                                             withholding_grounds="art99",
                                             withholding_reasons="涉及第三方商业秘密。"))
    assert "第十五条" in errors["withholding_grounds"][0]


def test_power_item_type_comes_from_the_code_list(api, org):
    data = {"type": "power_item", "name": "env-permit", "title": "建设项目环境影响评价文件审批",
            "owner_org": org["id"], "item_code": "320100-XK-0001", "legal_basis": "《中华人民共和国环境影响评价法》",
            "power_type": "inspection"}
    errors = _errors(api, data)
    assert "权力类型：“inspection”不是允许的取值" in errors["power_type"][0]
    assert "行政许可（licensing）" in errors["power_type"][0]
    created = _create(api, dict(data, power_type="licensing", exercise_level=["city", "county"]))
    assert created["exercise_level"] == ["city", "county"]


def test_english_callers_get_english_messages(api, org):
    message = api("package_create", lang="en", **_open_dataset(org, area="tourism"))["error"]["area"][0]
    assert message.startswith('Area: "tourism" is not an allowed value')
    assert "Urban and rural planning (urban-rural-planning), Major construction projects" in message
