"""The tables of nanjing_interaction migrate with the shared environment of
migration/nanjing/env.py (it reads this folder's name from alembic.ini)."""
import os
import runpy

runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "nanjing",
                            "env.py"), run_name="env")
