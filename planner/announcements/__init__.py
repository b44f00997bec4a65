"""Announcements: an organiser's message to a chosen audience, sent through the outbox."""

from flask import Blueprint

bp = Blueprint("announcements", __name__)
