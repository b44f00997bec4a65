"""Times typed in a form on a forum's wall clock (``datetime-local`` fields, in ``form.zone``):
a time the clocks skip is refused, naming the gap; one that happens twice (the night the clocks
go back) needs the person to say which is meant, with a choice that appears only then. The
forms with such times share it: a session's, an event's, registration's opening and closing,
the speakers' list's deadline and the forum's deadlines for focal points."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice
from wtforms.validators import ValidationError

from planner.formatting import fold_of, repeated, skipped, skipped_time_refusal, wall_clock_to_utc, which_of_two

FOLD_CHOICES = [SelectChoice("0", _l("the first")), SelectChoice("1", _l("the second"))]


def fold_field(label: Any) -> RadioField:
    """The choice between the two moments a repeated time names, for a form's class body."""
    return RadioField(label, choices=FOLD_CHOICES, validate_choice=False)


class WallClockTimes:
    """A mixin for a FlaskForm (``class F(WallClockTimes, FlaskForm)``) whose times are typed in
    ``self.zone``. ``FOLDS`` maps each time field's name to the name of its ``fold_field``; the
    form calls ``offer_folds()`` at the end of ``__init__`` and ``check_wall_clock(name)`` from
    ``validate_<name>``, and reads the moment chosen with ``instant(name)``."""

    FOLDS: ClassVar[dict[str, str]] = {}
    zone: ZoneInfo
    #: The fold fields a page leaves out until the time they are about happens twice.
    unshown_fields: set[str]

    @classmethod
    def shown_times(cls, zone: ZoneInfo, **moments: dt.datetime | None) -> dict[str, Any]:
        """The form's data for stored moments (by field name): each as the clocks of ``zone``
        show it, and in its fold field which of a repeated time it is (the choice shows only then)."""
        data: dict[str, Any] = {}
        for name, moment in moments.items():
            data[name] = moment.astimezone(zone).replace(tzinfo=None) if moment else None
            data[cls.FOLDS[name]] = str(fold_of(moment, zone)) if moment else "0"
        return data

    def offer_folds(self) -> None:
        self.unshown_fields = set(self.FOLDS.values())
        for name in self.FOLDS:
            local = getattr(self, name).data
            if isinstance(local, dt.datetime) and 1900 <= local.year <= 2200 and repeated(local, self.zone):
                self._offer_fold(name, local)

    def _offer_fold(self, name: str, local: dt.datetime) -> None:
        first, second = which_of_two(local, self.zone)
        fold = getattr(self, self.FOLDS[name])
        fold.choices = [
            SelectChoice("0", _l("the first (%(zone)s)", zone=first)),
            SelectChoice("1", _l("the second (%(zone)s)", zone=second)),
        ]
        self.unshown_fields.discard(self.FOLDS[name])

    def check_wall_clock(self, name: str) -> None:
        """A time the clocks skip is refused, naming the gap; one that happens twice needs
        the person to say which (the choice appears with the error)."""
        field = getattr(self, name)
        local = field.data
        if not isinstance(local, dt.datetime) or field.errors:
            return  # its own error (a year far off cannot even be moved to UTC) says enough
        try:
            local.replace(tzinfo=self.zone).astimezone(dt.UTC)
        except OverflowError:  # the first or last hours of the calendar, where no check of a year stops them
            raise ValidationError(_l("Give a date between the years 1 and 9999.")) from None
        refusal = skipped_time_refusal(local, self.zone)
        if refusal is not None:
            raise ValidationError(refusal)
        if repeated(local, self.zone):
            self._offer_fold(name, local)
            if not self._chosen(name):
                raise ValidationError(
                    _l(
                        "%(time)s happens twice on %(day)s in %(zone)s (the clocks go back): "
                        "choose which one is meant.",
                        time=local.strftime("%H:%M"),
                        day=local.date().isoformat(),
                        zone=self.zone.key,
                    )
                )

    def _chosen(self, name: str) -> bool:
        return getattr(self, self.FOLDS[name]).data in ("0", "1")

    def names_one_moment(self, name: str) -> bool:
        """The time is valid and names one moment: not skipped, and chosen if it happens twice
        (otherwise its own error says what is wrong)."""
        field = getattr(self, name)
        local = field.data
        if not isinstance(local, dt.datetime) or field.errors or skipped(local, self.zone):
            return False
        return not repeated(local, self.zone) or self._chosen(name)

    def fold(self, name: str) -> int:
        """0, or 1 for the second of a repeated time."""
        local = getattr(self, name).data
        chosen = getattr(self, self.FOLDS[name]).data
        return 1 if isinstance(local, dt.datetime) and repeated(local, self.zone) and chosen == "1" else 0

    def instant(self, name: str) -> dt.datetime:
        """The time as UTC, the chosen one of a repeated time."""
        return wall_clock_to_utc(getattr(self, name).data, self.zone, self.fold(name))

    def wall_clock(self, name: str) -> dt.datetime | None:
        """The time as typed, without a zone, its ``fold`` the chosen one of a repeated time
        (for a service that takes wall-clock times); None when the field is empty."""
        local = getattr(self, name).data
        return local.replace(fold=self.fold(name)) if isinstance(local, dt.datetime) else None
