"""Entry point for gunicorn: ``gunicorn wsgi:app``. Production unless PLANNER_ENV says otherwise."""

import gc
import os

from planner import create_app

os.environ.setdefault("PLANNER_ENV", "production")
app = create_app()
# The app, its models and templates live as long as the process: keep them out of the
# garbage collector's scans, which otherwise walk them again on every full collection
# (about 5% of the CPU time of a registration, measured in-process against the same code without).
gc.freeze()
