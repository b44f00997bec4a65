import datetime as dt
from zoneinfo import ZoneInfo

from flask import abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from planner.accounts.permissions import is_organiser
from planner.extensions import cache
from planner.formatting import zone_named
from planner.forums.models import Forum
from planner.schedule import bp, services
from planner.schedule.history import session_history
from planner.schedule.models import SessionKind
from planner.web.loaders import load_forum


def _other_zone(forum: Forum) -> ZoneInfo | None:
    """The second timezone the reader asked for (?tz=Europe/Paris), or None."""
    name = request.args.get("tz", "").strip()
    if not name or name == forum.timezone:
        return None
    zone = zone_named(name)
    if zone is None:
        abort(400, description=_("%(zone)s is not a timezone; write one like Europe/Paris.", zone=name[:64]))
    return zone


def _filters(forum: Forum) -> services.ProgrammeFilter:
    code = request.args.get("event", "").strip().upper()[:32]
    if code and code not in {e.code for e in forum.events}:
        abort(400, description=_("This forum has no event with the code %(code)s.", code=code))
    kind = None
    if value := request.args.get("kind", "").strip():
        try:
            kind = SessionKind(value)
        except ValueError:
            abort(400, description=_("There is no session kind %(kind)s.", kind=value[:32]))
    # Anonymous readers cost no query here; signed-in ones one.
    return services.ProgrammeFilter(code, kind, include_closed=is_organiser(current_user, forum))


@bp.get("/forums/<slug>/timetable")
def timetable(slug: str):
    forum = load_forum(slug)
    day_text = request.args.get("day")
    if day_text is None:
        today = dt.datetime.now(forum.zone).date()
        day = today if forum.first_day <= today <= forum.last_day else forum.first_day
    else:
        try:
            day = dt.date.fromisoformat(day_text)
        except ValueError:
            abort(400, description=_("The day must be a date written like 2018-03-03."))
    if not forum.first_day <= day <= forum.last_day:
        abort(404, description=_("%(forum)s does not take place on that day.", forum=forum.name))
    filters = _filters(forum)
    other_zone = _other_zone(forum)
    printable = request.args.get("layout") == "print"
    # The programme part is the same for every reader of a language (and of a selection) until
    # the forum's schedule version changes; the page around it (who is signed in) is not cached.
    key = (
        f"timetable:{forum.id}:v{forum.schedule_version}:{day.isoformat()}:{get_locale()}:"
        f"{filters.event_code}:{filters.kind or ''}:{int(filters.include_closed)}:{other_zone or ''}:{int(printable)}"
    )
    programme = cache.get(key)
    if programme is None:
        timetable = services.timetable_day(forum, day, filters)
        programme = render_template(
            "schedule/_timetable_programme.html",
            forum=forum,
            timetable=timetable,
            day=day,
            filters=filters,
            kinds=list(SessionKind),
            other_zone=other_zone,
            printable=printable,
        )
        cache.set(key, programme)
    return render_template(
        "schedule/timetable.html",
        forum=forum,
        day=day,
        programme=Markup(programme),
        filters=filters,
        other_zone=other_zone,
        printable=printable,
        kinds=list(SessionKind),
    )


@bp.get("/sessions/<int:session_id>")
def session(session_id: int):
    session = services.get_session(session_id)
    can_organise = session is not None and is_organiser(current_user, session.event.forum)
    if session is None or (not session.is_public and not can_organise):
        abort(404, description=_("There is no public session with this number."))
    return render_template(
        "schedule/session.html",
        session=session,
        forum=session.event.forum,
        history=session_history(session),
        can_organise=can_organise,
    )
