"""The shape of the organisers' webhook form; the rules live in ``services``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from planner.validators import printable
from planner.webhooks.models import WebhookEvent

#: What each event is called on the page.
EVENT_LABELS = {
    WebhookEvent.REGISTRATION_CREATED: _l("A registration is made"),
    WebhookEvent.REGISTRATION_CHANGED: _l("A registration changes (its status, answers or delegation)"),
    WebhookEvent.SESSION_MOVED: _l("A session moves (its time or room)"),
    WebhookEvent.SESSION_CLOSED: _l("A session is cancelled or closed to the public"),
    WebhookEvent.STATEMENT_ADOPTED: _l("A statement is adopted"),
}


class EndpointForm(FlaskForm):
    url = StringField(
        _l("Address (https)"),
        validators=[
            DataRequired(message=_l("Give the https address to send to.")),
            Length(max=500, message=_l("Keep the address to %(max)d characters.")),
            printable,
        ],
        description=_l("Like https://example.org/planner-webhooks: planner POSTs each event there as JSON."),
    )
    description = StringField(
        _l("Description"),
        validators=[Length(max=200, message=_l("Keep the description to %(max)d characters.")), printable],
        description=_l("Optional: what receives it, for the organisers."),
    )
    events = SelectMultipleField(
        _l("Events to send"),
        validators=[DataRequired(message=_l("Choose at least one event to be told of."))],
        description=_l("Only these are sent to the address."),
    )

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.events.choices = [SelectChoice(event.value, label) for event, label in EVENT_LABELS.items()]
