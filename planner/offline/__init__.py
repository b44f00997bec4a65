"""The offline copy of a whole forum: static HTML, calendars and files in one zip that works
from ``file://`` and from any static web server, for venues where the Wi-Fi fails first."""

from flask import Blueprint

bp = Blueprint("offline", __name__)
