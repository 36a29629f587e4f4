"""Validators of the catalog schemas. Messages are English msgids translated
in our catalog, so API callers and form users read them in Chinese."""
from __future__ import annotations

import json
from typing import Any

import yaml

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing
from ckanext.scheming.helpers import scheming_language_text
from ckanext.scheming.validation import scheming_validator

from .. import codelists, identifiers, language

__all__ = [
    "nanjing_codelist", "nanjing_credit_code", "nanjing_required_if",
    "nanjing_table_schema",
]


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == []


def _field_label(field: dict[str, Any]) -> str:
    return scheming_language_text(field.get("label", field["field_name"]), language.current())


@scheming_validator
def nanjing_codelist(field: dict[str, Any], schema: dict[str, Any]):
    codelist = codelists.get(field["codelist"])

    def validator(key, data, errors, context):
        value = data.get(key)
        if _empty(value):
            return
        lang = language.current()
        wrong = [item for item in codelists.values_of(value) if item not in codelist]
        if wrong:
            chinese = lang.startswith("zh")
            separator, pattern = ("、", "{label}（{value}）") if chinese else (", ", "{label} ({value})")
            allowed = separator.join(
                pattern.format(label=codelist.label_of(item["value"], lang), value=item["value"])
                for item in codelist.values)
            errors[key].append(tk._('{field}: "{value}" is not an allowed value. Allowed: {allowed}')
                               .format(field=_field_label(field), value=separator.join(wrong),
                                       allowed=allowed))
            raise tk.StopOnError

    return validator


def nanjing_credit_code(value: Any, context: dict[str, Any]) -> Any:
    if _empty(value):
        return value
    code = str(value).strip().upper()
    if len(code) != 18:
        raise tk.Invalid(tk._("A unified social credit code has 18 characters; this one has {n}.")
                         .format(n=len(code)))
    if not identifiers.is_credit_code(code):
        raise tk.Invalid(tk._("The check character of unified social credit code {code} is wrong "
                              "(or it uses a letter that codes never use: I, O, S, V, Z).")
                         .format(code=code))
    return code


@scheming_validator
def nanjing_required_if(field: dict[str, Any], schema: dict[str, Any]):
    """Required when another field has one of some values, e.g. reasons when
    an entry is withheld: `required_if: {disclosure_attribute: [withheld]}`."""
    conditions = field["required_if"]

    def validator(key, data, errors, context):
        if not _empty(data.get(key)):
            return
        for other_name, values in conditions.items():
            other = data.get((other_name,))
            if other in values:
                other_field = next(f for f in schema["dataset_fields"]
                                   if f["field_name"] == other_name)
                codelist = codelists.get(other_field["codelist"])
                errors[key].append(tk._("{field} is required when {other} is {value}.").format(
                    field=_field_label(field), other=_field_label(other_field),
                    value=codelist.label_of(other, language.current())))
                raise tk.StopOnError

    return validator


def nanjing_table_schema(value: Any, context: dict[str, Any]) -> Any:
    """信息项: a Frictionless Table Schema, given as a mapping, JSON or YAML;
    stored as JSON text."""
    from frictionless import Schema

    if _empty(value):
        return value
    descriptor = value
    if isinstance(value, str):
        try:
            descriptor = yaml.safe_load(value)
        except yaml.YAMLError as error:
            raise tk.Invalid(tk._("The information items are not valid JSON or YAML: {error}")
                             .format(error=str(error).splitlines()[0]))
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list) \
            or not descriptor["fields"]:
        raise tk.Invalid(tk._("The information items must be a Table Schema with a non-empty "
                              "list of fields."))
    problems = [error.message for error in Schema.validate_descriptor(descriptor).errors]
    if problems:
        raise tk.Invalid(tk._("The information items are not a valid Table Schema: {problems}")
                         .format(problems="；".join(problems[:5])))
    return json.dumps(descriptor, ensure_ascii=False)
