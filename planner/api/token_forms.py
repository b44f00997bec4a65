"""Shapes of the account's token forms; the rules (which scopes, which forums) live in ``tokens``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from planner.api.models import TOKEN_NAME_MAX, Scope
from planner.forums.models import Forum
from planner.validators import printable, stripped

#: The expiry the form offers (services.tokens allows up to a year).
DEFAULT_DAYS = 90


def _default_expiry() -> dt.date:
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=DEFAULT_DAYS)


class NewTokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[stripped],
        validators=[DataRequired(_l("Give the token a name.")), Length(max=TOKEN_NAME_MAX), printable],
        description=_l("What it is for, to tell your tokens apart: “Registrations into our CRM”."),
    )
    scopes = SelectMultipleField(
        _l("What it may do"),
        validators=[DataRequired(_l("Choose at least one thing the token may do."))],
        description=_l("Each needs your role in every forum you choose below."),
    )
    forums = SelectMultipleField(
        _l("In which forums"),
        coerce=int,
        validators=[DataRequired(_l("Choose at least one forum the token may act in."))],
    )
    expires_on = DateField(
        _l("Expires on"),
        default=_default_expiry,
        validators=[InputRequired(_l("Give the day the token expires."))],
        invalid_value_message=_l("Enter a real date, like 2030-04-23."),
        description=_l("At most a year from today. The token stops working at 00:00 UTC that day."),
    )

    def __init__(self, *args, grantable: Sequence[tuple[Forum, Sequence[Scope]]] = (), **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        offered = {scope for _forum, scopes in grantable for scope in scopes}
        self.scopes.choices = [SelectChoice(scope.value, scope.label) for scope in Scope if scope in offered]
        self.forums.choices = [
            SelectChoice(
                forum.id,
                _(
                    "%(forum)s (you may give: %(scopes)s)",
                    forum=forum.name,
                    scopes=", ".join(str(scope.label) for scope in scopes),
                ),
            )
            for forum, scopes in grantable
        ]


class RevokeTokenForm(FlaskForm):
    pass
