"""The programme: timetables and session pages (routes in views.py)."""

from flask import Blueprint

bp = Blueprint("schedule", __name__)
