"""The record of outcome documents: drafts, versions, adopted texts, corrigenda, endorsements
and the public archive with its search (routes in views.py)."""

from flask import Blueprint

bp = Blueprint("statements", __name__)
