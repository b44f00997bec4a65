"""Calendars: iCalendar feeds of the programme, personal agenda feeds, and invitations by email."""

from flask import Blueprint

bp = Blueprint("calendar", __name__)
