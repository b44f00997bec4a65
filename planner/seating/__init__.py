"""The plenary hall's seating plan: its rows, the delegations seated in protocol order, the
plan drawn (SVG in the page, PDF) and the name plates to print (routes in views.py)."""

from flask import Blueprint

bp = Blueprint("seating", __name__)
