"""Bilateral meetings between delegations: rooms and slots set aside by organisers, requests
and answers between focal points, places given by the database, iTIP invitations."""

from flask import Blueprint

bp = Blueprint("bilaterals", __name__)
