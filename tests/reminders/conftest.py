"""Reminders' tests send through the mail tests' SMTP server."""

from tests.mail.conftest import mail_app  # noqa: F401  (the app sending to the test's SMTP server)
