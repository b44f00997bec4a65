"""The plenary's speakers' list: organisers open it, focal points inscribe their speakers, the
room's screen shows who speaks now (rules in services.py and ordering.py, routes in views.py)."""

from flask import Blueprint

bp = Blueprint("plenary", __name__)
