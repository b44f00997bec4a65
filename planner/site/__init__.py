"""Site-wide pages: health check and error pages (routes in views.py)."""

from flask import Blueprint

bp = Blueprint("site", __name__)
