"""What harvest actions answer to callers who may not use them."""
from __future__ import annotations

import json

import pytest

import ckan.model as model
from ckan.tests import factories, helpers
from ckanext.harvest.model import HarvestObject


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("who", ["anonymous", "steward"])
def test_listing_every_job_without_a_source_is_refused_in_chinese(call, who):
    user = None
    if who == "steward":
        user = factories.UserWithToken()
        factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    answer = call("harvest_job_list", user)
    assert answer["success"] is False
    assert answer["error"]["__type"] == "Authorization Error"
    assert "请指定采集源（source_id）" in answer["error"]["message"]


@pytest.mark.usefixtures("clean_db")
def test_a_sysadmin_still_lists_every_job(api):
    answer = api("harvest_job_list")
    assert answer["success"] is True and answer["result"] == []


@pytest.mark.usefixtures("clean_db")
def test_with_a_source_the_harvest_rules_still_apply(call):
    answer = call("harvest_job_list", None, source_id="no-such-source")
    assert answer["success"] is False
    assert answer["error"]["__type"] in ("Authorization Error", "Not Found Error")


# Who sees what of a harvest source: sysadmins and the editors of the
# source's organization see everything; anonymous callers and stewards of
# other organizations see its title, organization and last run only.

# What the source's configuration and address reveal of internal systems.
INTERNAL = ("exchange_reader", "exchange_test", "v_czj_budget_disclosure", "database_url",
            "password_env", "前置库/exchange_test")
FULL, REDUCED = "full", "reduced"
WHO = {"anonymous": REDUCED, "other_steward": REDUCED, "editor": FULL, "sysadmin": FULL}


@pytest.fixture
def harvested(make_source, run, orgs):
    """A source of nanjing-czj that ran once, and one user of each kind."""
    source = make_source()
    job = run(source)
    users = {"anonymous": None, "sysadmin": factories.SysadminWithToken()}
    for who, org in (("editor", "nanjing-czj"), ("other_steward", "nanjing-scjgj")):
        users[who] = factories.UserWithToken()
        helpers.call_action("organization_member_create", {"ignore_auth": True},
                            id=orgs[org]["id"], username=users[who]["name"], role="editor")
    obj = HarvestObject.get(model.Session.query(HarvestObject.id)
                            .filter_by(harvest_job_id=job["id"]).first()[0])
    return {"source": source, "job": job, "object_id": obj.id,
            "dataset_id": obj.package_id, "users": users}


def _leaks(answer) -> list[str]:
    text = json.dumps(answer, ensure_ascii=False)
    return [marker for marker in INTERNAL if marker in text]


def _check_source_dict(source: dict, who: str) -> None:
    if WHO[who] == FULL:
        assert "exchange_test" in source["url"] + source["config"]
        return
    assert _leaks(source) == []
    assert source["title"] == "前置库：市财政局、市市场监管局"
    assert source["organization"]["name"] == "nanjing-czj"
    assert source["status"]["last_run"], source["status"]
    assert not {"url", "config", "source_type", "notes", "frequency"} & set(source)


@pytest.mark.parametrize("who", WHO)
def test_package_show_and_harvest_source_show_of_a_source(call, harvested, who):
    user = harvested["users"][who]
    for action in ("package_show", "harvest_source_show"):
        answer = call(action, user, id=harvested["source"]["name"])
        assert answer["success"] is True, answer
        _check_source_dict(answer["result"], who)


@pytest.mark.parametrize("who", WHO)
def test_package_search_shows_sources_only_as_the_public_sees_them(call, harvested, who):
    # The index holds the public view only, for everyone: no field, `fl` or
    # query reaches the configuration.
    user = harvested["users"][who]
    answer = call("package_search", user, fq="dataset_type:harvest", include_private=True)
    assert answer["success"] is True
    [source] = answer["result"]["results"]
    assert _leaks(source) == [] and source["title"] == "前置库：市财政局、市市场监管局"
    for fl in ("url,config,extras_config,validated_data_dict,data_dict,text", "*"):
        answer = call("package_search", user, fq="dataset_type:harvest", fl=fl)
        assert _leaks(answer) == [], fl
    for query in ("exchange_reader", "url:*exchange*", "extras_config:*v_czj*", "text:exchange_test"):
        answer = call("package_search", user, q=query, fq="dataset_type:harvest")
        assert answer["result"]["count"] == 0, query


@pytest.mark.parametrize("who", WHO)
def test_harvest_source_list_and_status(call, harvested, who):
    user = harvested["users"][who]
    answer = call("harvest_source_list", user, return_last_job_status=True)
    assert answer["success"] is True
    [entry] = answer["result"]
    status = call("harvest_source_show_status", user, id=harvested["source"]["id"])
    assert status["success"] is True
    if WHO[who] == FULL:
        assert "exchange_test" in entry["url"]
        assert status["result"]["job_count"] == 1
        return
    assert set(entry) == {"id", "title", "publisher_id", "status"}
    assert entry["status"]["last_run"] and _leaks(entry) == []
    assert status["result"] == {"last_run": status["result"]["last_run"], "last_job": None}
    assert status["result"]["last_run"]


@pytest.mark.parametrize("who", WHO)
def test_jobs_reports_objects_and_logs(call, harvested, who):
    user = harvested["users"][who]
    source_id, job_id = harvested["source"]["id"], harvested["job"]["id"]
    answers = {
        "harvest_job_list": call("harvest_job_list", user, source_id=source_id),
        "harvest_job_show": call("harvest_job_show", user, id=job_id),
        "harvest_job_report": call("harvest_job_report", user, id=job_id),
        "harvest_object_show": call("harvest_object_show", user, id=harvested["object_id"]),
        "harvest_object_show by dataset": call("harvest_object_show", user,
                                               dataset_id=harvested["dataset_id"]),
        "harvest_object_list": call("harvest_object_list", user, source_id=source_id),
    }
    for name, answer in answers.items():
        if WHO[who] == FULL:
            assert answer["success"] is True, (name, answer)
        else:
            assert answer["success"] is False, (name, answer)
            assert answer["error"]["__type"] == "Authorization Error", (name, answer)
            assert _has_han(answer["error"]["message"]), (name, answer)
    logs = call("harvest_log_list", user)
    assert logs["success"] is (who == "sysadmin"), logs
    if who != "sysadmin":
        assert _has_han(logs["error"]["message"])


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("who", WHO)
def test_harvest_pages(app, harvested, who):
    user = harvested["users"][who]
    headers = {"Authorization": user["token"]} if user else {}
    name, job_id = harvested["source"]["name"], harvested["job"]["id"]
    for path in ("/harvest", f"/harvest/{name}", f"/harvest/about/{name}",
                 f"/dataset/{name}", "/organization/nanjing-czj", f"/dataset/{name}.rdf"):
        page = app.get(path, headers=headers, status=None)
        assert page.status_code == 200, (path, page.status_code)
        if WHO[who] == REDUCED:
            assert _leaks(page.get_data(as_text=True)) == [], path
    for path in (f"/harvest/{name}/job", f"/harvest/{name}/job/{job_id}",
                 f"/harvest/{name}/job/last", f"/harvest/object/{harvested['object_id']}",
                 f"/harvest/admin/{name}", f"/harvest/edit/{name}"):
        page = app.get(path, headers=headers, status=None)
        if WHO[who] == FULL:
            assert page.status_code == 200, (path, page.status_code)
        else:
            assert page.status_code in (403, 404) if user else page.status_code in (302, 403, 404), \
                (path, page.status_code)
            assert _leaks(page.get_data(as_text=True)) == [], path


@pytest.mark.parametrize("who", ("anonymous", "other_steward"))
def test_the_activity_of_a_source_does_not_show_its_configuration(call, harvested, who):
    user = harvested["users"][who]
    for action, params in (
            ("package_activity_list", {"id": harvested["source"]["id"]}),
            ("organization_activity_list", {"id": "nanjing-czj"}),
            ("recently_changed_packages_activity_list", {})):
        answer = call(action, user, **params)
        assert answer["success"] is True, (action, answer)
        assert _leaks(answer) == [], action
        answer = call(action, user, include_data=True, **params)
        assert answer["success"] is False or _leaks(answer) == [], action


def test_catalog_endpoints_do_not_show_sources(app, harvested):
    for path in ("/catalog.ttl", "/catalog.jsonld", "/catalog.xml"):
        page = app.get(path, status=None)
        assert page.status_code == 200, path
        assert _leaks(page.get_data(as_text=True)) == [], path
