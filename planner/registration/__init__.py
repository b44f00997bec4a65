"""Registration for events: rules, applications, seats, waiting lists and nominations
(routes in views.py)."""

from flask import Blueprint

bp = Blueprint("registration", __name__)
