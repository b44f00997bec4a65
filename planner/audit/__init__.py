"""The audit log of organiser and focal-point actions (routes in views.py)."""

from flask import Blueprint

bp = Blueprint("audit", __name__)
