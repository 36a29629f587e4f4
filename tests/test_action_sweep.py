"""Every action our plugins, ckanext-harvest, ckanext-dcat and
ckanext-scheming register, called over HTTP with no parameters, wrong-type
parameters and unknown ids, anonymously and as a data steward: none may
answer 500. The list of actions is computed from the loaded plugins'
IActions, so a new action is swept without editing this file.

One database and one application serve the whole sweep (module scope):
it makes a few hundred calls."""
from __future__ import annotations

import re
from importlib.metadata import entry_points

import pytest

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests import helpers as test_helpers

from .conftest import MIGRATED_PLUGINS

# The extensions whose actions are swept, by the module of their plugin.
SWEPT = ("ckanext.nanjing", "ckanext.nanjing_harvest", "ckanext.harvest",
         "ckanext.dcat", "ckanext.scheming")
# Our own plugins: their refusals must read in Chinese.
OURS = ("ckanext.nanjing", "ckanext.nanjing_harvest")
HAN = re.compile(r"[\u4e00-\u9fff]")
UNKNOWN = "no-such-object-4f1c"

# Parameters the actions take, each in wrong types (a list, an object, a
# number, text where a number belongs).
ID_KEYS = ("id", "name", "source_id", "package_id", "resource_id", "dataset_id",
           "organization_id", "harvest_source_id", "job_id", "object_id", "user_id")
VARIANTS = {
    "no parameters": {},
    "ids as lists": {k: [UNKNOWN] for k in ID_KEYS},
    "ids as objects": {k: {"id": UNKNOWN} for k in ID_KEYS},
    "ids as numbers": {k: 12345 for k in ID_KEYS},
    "limits as text": {"limit": "ten", "offset": "x", "rows": "many", "start": "first",
                       "page": "one", "q": ["a"], "fq": {"b": 1}, "sort": 3},
    "unknown ids": {k: UNKNOWN for k in ID_KEYS},
}


def _swept_plugins():
    loaded = tk.aslist(tk.config.get("ckan.plugins"))
    points = {point.name: point for point in entry_points(group="ckan.plugins")}
    for name in loaded:
        plugin_class = points[name].load()
        if plugin_class.__module__.startswith(SWEPT) and p.IActions.implemented_by(plugin_class):
            yield plugin_class


def swept_actions() -> dict[str, str]:
    """{action name: module of the plugin that registers it}, from each
    plugin's get_actions (blanket-registered or hand-written alike)."""
    actions: dict[str, str] = {}
    for plugin_class in _swept_plugins():
        for name in plugin_class().get_actions():
            actions.setdefault(name, plugin_class.__module__)
    return actions


ACTIONS = swept_actions()


def test_the_sweep_finds_every_extension():
    owners = set(ACTIONS.values())
    for prefix in ("ckanext.nanjing.plugin", "ckanext.nanjing.requests",
                   "ckanext.nanjing.supervision", "ckanext.nanjing_harvest", "ckanext.harvest",
                   "ckanext.dcat", "ckanext.scheming"):
        assert any(owner.startswith(prefix) for owner in owners), prefix
    assert {"harvest_source_list", "dcat_dataset_show", "scheming_dataset_schema_show",
            "nanjing_request_show", "nanjing_annual_report"} <= set(ACTIONS)


@pytest.fixture(scope="module")
def site(reset_db, migrate_db_for):
    """Plugins, database and application set up once for the sweep."""
    p.load_all()
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)
    steward = factories.UserWithToken()
    factories.Organization(users=[{"name": steward["name"], "capacity": "editor"}])
    app = test_helpers._get_test_app()
    yield app, {"anonymous": None, "steward": steward}
    p.unload_all()


@pytest.fixture
def plugins_from_ini(site):
    """The module's plugins stay loaded for the whole sweep."""


def _problem(app, action, user, params):
    headers = {"Authorization": user["token"]} if user else {}
    try:
        response = app.post(f"/api/3/action/{action}", json=params, headers=headers,
                            status=None)
    except Exception as error:  # noqa: BLE001 - a raised error is the finding
        return f"raised {type(error).__name__}: {error}"[:300]
    if response.status_code >= 500:
        return f"HTTP {response.status_code}: {response.get_data(as_text=True)[:300]}"
    try:
        body = response.json
    except ValueError:
        body = None
    if not isinstance(body, dict) or "success" not in body:
        return f"HTTP {response.status_code}, not a CKAN answer: {response.get_data(as_text=True)[:200]}"
    if "Traceback" in response.get_data(as_text=True):
        return "a traceback in the answer"
    if body["success"]:
        return None
    error = body.get("error") or {}
    if response.status_code not in (400, 403, 404, 409):
        return f"HTTP {response.status_code} for an error: {error}"
    if not error.get("__type"):
        return f"an error without its type: {error}"
    if action_is_ours(action):
        text = " ".join(str(v) for v in error.values())
        if not HAN.search(text):
            return f"HTTP {response.status_code}, message not in Chinese: {error}"
    return None


def action_is_ours(action: str) -> bool:
    return ACTIONS[action].startswith(OURS)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_no_action_answers_500_to_missing_wrong_or_unknown_parameters(site, action):
    app, users = site
    problems = []
    for who, user in users.items():
        for variant, params in VARIANTS.items():
            problem = _problem(app, action, user, dict(params))
            if problem:
                problems.append(f"{who}, {variant}: {problem}")
    assert not problems, f"{action}:\n" + "\n".join(problems)
