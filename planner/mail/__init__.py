"""Email through an outbox table: messages are queued in the transaction that causes them
(``services.queue_email``) and delivered over SMTP by ``services.deliver_due`` (the
``flask send-mail`` worker) or promptly after the request commits (``services.init_app``)."""

from flask import Blueprint

# Organisers' and administrators' pages of undelivered mail (routes in views.py).
bp = Blueprint("mail", __name__)
