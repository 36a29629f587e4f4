"""Alembic environment of the nanjing plugins: each migration folder is
named after its plugin, touches only tables of its prefix, and keeps its
version in <plugin>_alembic_version, as CKAN's plugins do. The folders of
other plugins (nanjing_requests) run this file."""
from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

from ckan.model.meta import metadata

config = context.config
fileConfig(config.config_file_name)
# The folder of the alembic.ini in use, not of this file.
name = os.path.basename(os.path.normpath(config.get_main_option("script_location")))
TABLE_PREFIX = {"nanjing_requests": "nanjing_request"}.get(name, name)


def include_object(object, object_name, type_, reflected, compare_to):
    return object_name.startswith(TABLE_PREFIX) if type_ == "table" else True


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
        literal_binds=True, version_table=f"{name}_alembic_version",
        include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.",
        poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=metadata,
            version_table=f"{name}_alembic_version", include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
