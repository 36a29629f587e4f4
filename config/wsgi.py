"""The portal as a WSGI application, for gunicorn (scripts/serving.py starts
it with CKAN_INI set to the config file). As CKAN's own wsgi.py."""
import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

ini = os.path.abspath(os.environ["CKAN_INI"])
fileConfig(ini, disable_existing_loggers=False)
application = make_app(CKANConfigLoader(ini).get_config())
