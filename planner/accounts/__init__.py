"""Accounts, sign-in and roles (routes in views.py)."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
