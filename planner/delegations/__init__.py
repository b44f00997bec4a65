"""Delegations of countries and international organisations: their members, nominations and
accreditation, seat quotas and focal points (routes in views.py)."""

from flask import Blueprint

bp = Blueprint("delegations", __name__)
