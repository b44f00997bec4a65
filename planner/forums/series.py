"""Forum series (ISEF1, ISEF2, ISEF3...): site administrators keep the list; a forum's page
shows the series it belongs to and the forums before and after it. These check the acting
user's permission, flush and never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from planner.accounts.models import User
from planner.accounts.permissions import require_admin
from planner.audit.services import record
from planner.extensions import db
from planner.formatting import listed
from planner.forums.models import Forum, ForumSeries
from planner.refusals import Refused
from planner.translated import GivenTranslations, language_name, merged

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

#: The language the series' ``name`` column is written in; the site's others are in ``translations``.
COLUMNS_LANGUAGE = "en"


class SeriesError(Refused):
    """A change to a series that the rules refuse."""


def other_languages() -> list[str]:
    """The site's languages a series' name may be typed in, besides the column's English."""
    return [code for code in current_app.config["LANGUAGES"] if code != COLUMNS_LANGUAGE]


def all_series() -> list[ForumSeries]:
    """Every series by name, with its forums (two queries, whatever the number of series)."""
    return list(
        db.session.scalars(
            select(ForumSeries).options(selectinload(ForumSeries.forums)).order_by(func.lower(ForumSeries.name))
        )
    )


def find_series(series_id: int) -> ForumSeries | None:
    return db.session.get(ForumSeries, series_id)


def save_series(
    actor: User,
    series: ForumSeries | None,
    *,
    slug: str,
    name: str,
    translations: GivenTranslations | None = None,
) -> ForumSeries:
    """A new series, or ``series`` changed: its address name and name are unique (the name in
    any letter case), its other names only in the site's languages."""
    require_admin(actor)
    slug, name = slug.strip().lower(), name.strip()
    if not SLUG.match(slug) or len(slug) > 64:
        raise SeriesError(_("Use lower-case letters, digits and single hyphens only, like isef."), "slug")
    if not name:
        raise SeriesError(_("Enter the series' name."), "name")
    clash = db.session.scalar(select(ForumSeries).where(ForumSeries.slug == slug))
    if clash is not None and clash is not series:
        raise SeriesError(_("Another series has the address name %(slug)s.", slug=slug), "slug")
    clash = db.session.scalar(select(ForumSeries).where(func.lower(ForumSeries.name) == name.lower()))
    if clash is not None and clash is not series:
        raise SeriesError(_("Another series is called %(name)s.", name=name), "name")
    for language in translations or {}:
        if language not in other_languages():
            raise SeriesError(_("planner does not offer %(language)s.", language=language_name(language)))
    before = {"slug": series.slug, "name": series.name} if series is not None else None
    if series is None:
        series = ForumSeries(slug=slug, name=name)
        db.session.add(series)
    series.slug, series.name = slug, name
    series.translations = merged(series.translations, translations or {})
    db.session.flush()
    record(
        actor,
        "series.saved",
        target=("forum_series", series.id),
        summary=series.name,
        before=before,
        after={"slug": slug, "name": name},
    )
    return series


def remove_series(actor: User, series: ForumSeries) -> None:
    """A series no forum belongs to; one with forums is refused, naming them."""
    require_admin(actor)
    names = list(db.session.scalars(select(Forum.name).where(Forum.series_id == series.id).order_by(Forum.first_day)))
    if names:
        raise SeriesError(
            ngettext(
                "%(series)s still has %(num)d forum (%(forums)s): take it out of the series first.",
                "%(series)s still has %(num)d forums (%(forums)s): take them out of the series first.",
                len(names),
                series=series.name,
                forums=listed(names),
            )
        )
    record(
        actor,
        "series.removed",
        target=("forum_series", series.id),
        summary=series.name,
        before={"slug": series.slug, "name": series.name},
    )
    db.session.delete(series)
    db.session.flush()


def checked_series(series_id: int | None) -> ForumSeries | None:
    """The series a forum form chose (None: no series); an unknown one is refused."""
    if series_id is None:
        return None
    series = db.session.get(ForumSeries, series_id)
    if series is None:
        raise SeriesError(_("Choose one of the series, or none."), "series")
    return series


@dataclass(frozen=True)
class SeriesPlace:
    """Where a forum stands in its series: every forum of it in order, and its neighbours."""

    series: ForumSeries
    forums: list[Forum]
    previous: Forum | None
    next: Forum | None


def place_in_series(forum: Forum) -> SeriesPlace | None:
    """The forum's series and the forums before and after it (by first day), or None."""
    if forum.series_id is None:
        return None
    series = db.session.scalar(
        select(ForumSeries).where(ForumSeries.id == forum.series_id).options(selectinload(ForumSeries.forums))
    )
    if series is None:
        return None
    forums = sorted(series.forums, key=lambda f: (f.first_day, f.id))
    at = next(n for n, f in enumerate(forums) if f.id == forum.id)
    return SeriesPlace(
        series=series,
        forums=forums,
        previous=forums[at - 1] if at > 0 else None,
        next=forums[at + 1] if at + 1 < len(forums) else None,
    )
