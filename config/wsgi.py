"""The portal as a WSGI application, for gunicorn (scripts/serving.py starts
it with CKAN_INI set to the config file). As CKAN's own wsgi.py, except
that the web assets are not rebuilt on the fly: serve_portal (scripts/
services.sh) builds them all with `ckan asset build` before gunicorn
starts, and webassets' auto_build would otherwise stat and reread every
bundle's sources on every page (about a seventh of a search page's time)."""
import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app
from ckan.lib import webassets_tools

ini = os.path.abspath(os.environ["CKAN_INI"])
fileConfig(ini, disable_existing_loggers=False)
application = make_app(CKANConfigLoader(ini).get_config())
webassets_tools.env.auto_build = False
