"""Forums and their events: the public home, forum and event pages (routes in views.py)."""

from flask import Blueprint

bp = Blueprint("forums", __name__)
