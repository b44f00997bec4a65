"""Badges with a photo and a signed QR code, access zones, the scanner at the door (a page that
keeps working offline) and the arrivals it records."""

from flask import Blueprint

bp = Blueprint("badges", __name__)
