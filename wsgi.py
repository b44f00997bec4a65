"""Entry point for gunicorn: ``gunicorn wsgi:app``. Production unless PLANNER_ENV says otherwise."""
import os

from planner import create_app

os.environ.setdefault("PLANNER_ENV", "production")
app = create_app()
