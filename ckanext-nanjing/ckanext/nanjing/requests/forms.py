"""What the requests pages ask for: the application form's fields and
choices, the form of each transition (the spec's table), and the actions'
ValidationErrors as messages per field."""
from __future__ import annotations

from ..formfields import errors, joined
from . import dicts, schema, steps

__all__ = ["CREATE_FIELDS", "CHECKBOXES", "APPLICANT_TYPES", "CATEGORIES", "ID_TYPES",
           "PROVISIONS", "DELIVERIES", "APPEAL_KINDS", "APPEAL_OUTCOMES", "APPEAL_FIELDS",
           "TRANSITION_FIELDS", "APPLICANT_TRANSITIONS", "errors", "joined"]

# The fields of nanjing_request_create, in the order of the form.
CREATE_FIELDS = (
    "organization", "applicant_type", "applicant_category", "name", "id_type", "id_number",
    "phone", "email", "address", "description", "doc_number", "purpose", "provision",
    "delivery", "fee_waiver", "fee_waiver_reason")
CHECKBOXES = ("fee_waiver",)

APPLICANT_TYPES = list(schema.APPLICANT_TYPES.items())
CATEGORIES = [(key, label) for key, label in schema.CATEGORIES.items() if key != "natural"]
ID_TYPES = {"natural": [(key, schema.ID_TYPES[key]) for key in ("id_card", "passport", "other")],
            "legal": [("credit_code", schema.ID_TYPES["credit_code"])]}
PROVISIONS = list(schema.PROVISIONS.items())
DELIVERIES = list(schema.DELIVERIES.items())
APPEAL_KINDS = list(dicts.APPEAL_KINDS.items())
APPEAL_OUTCOMES = list(dicts.APPEAL_OUTCOMES.items())

# The form of each transition (spec's table): name, label, kind, extra.
# kind: text, textarea, number, date, select (extra = choices), results, files.
TRANSITION_FIELDS: dict[str, list[tuple]] = {
    "request_correction": [("items", "需补正的内容", "textarea", {"required": True}),
                           ("reply_within", "补正期限（工作日）", "number",
                            {"min": 1, "max": 30, "default": 15})],
    "submit_correction": [("text", "补正内容", "textarea", {"required": True})],
    "start_consultation": [("kind", "类型", "select",
                            {"choices": [("third_party", "征求第三方意见（第三十二条）"),
                                         ("other_agency", "与其他机关协商（第三十四条）")]}),
                           ("party", "第三方或机关名称", "text", {"required": True})],
    "end_consultation": [("outcome", "意见或协商结果", "textarea", {})],
    "request_extension": [("days", "延长天数（工作日，至多 20）", "number",
                           {"min": 1, "max": 20, "default": 20, "required": True}),
                          ("reason", "延期理由", "textarea", {"required": True})],
    "reject_extension": [("reason", "不予批准的理由", "textarea", {})],
    "charge_fee": [("method", "计收方式", "select",
                    {"choices": [("per_request", "按件计收"), ("per_page", "按量计收（按页）")]}),
                   ("pages", "页数（按量计收时）", "number", {"min": 1})],
    "reply": [("result", "答复结果", "results", {"required": True}),
              ("text", "答复内容", "textarea", {"required": True}),
              ("reasons", "理由与依据（不予公开、无法提供、不予处理时必填）", "textarea", {}),
              ("where", "已公开的获取途径（已主动公开时）", "text", {}),
              ("files", "提供的文件（可多选）", "files", {})],
    "deliver": [("channel", "送达方式", "select",
                 {"choices": list(steps.DELIVERY_CHANNELS.items())}),
                ("day", "送达日期", "date", {"today": True}),
                ("recipient", "签收人", "text", {})],
    "withdraw": [("reason", "撤回理由", "textarea", {})],
}
# What the applicant may do from the lookup page.
APPLICANT_TRANSITIONS = ("submit_correction", "withdraw")
APPEAL_FIELDS = ("kind", "outcome", "filed", "decided", "note")
