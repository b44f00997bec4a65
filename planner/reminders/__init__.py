"""Reminders: before each event starts, and before the forum's deadlines, sent once per person."""

from flask import Blueprint

bp = Blueprint("reminders", __name__)
