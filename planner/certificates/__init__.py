"""Certificates of attendance: who attended an event (checked in at one of its doors, or marked
present by its organisers), the certificate each of them downloads from their own page, in
their language, and the public page where a school or employer checks one."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)
