"""Webhooks: organisers' endpoints told of changes, signed, delivered through an outbox."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)
