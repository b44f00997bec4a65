import datetime as dt

from flask import abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from planner.extensions import cache
from planner.forums.views import load_forum
from planner.schedule import bp, services


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
    # The programme part is the same for every reader of a language until the forum's
    # schedule version changes; the page around it (who is signed in) is not cached.
    key = f"timetable:{forum.id}:v{forum.schedule_version}:{day.isoformat()}:{get_locale()}"
    programme = cache.get(key)
    if programme is None:
        timetable = services.timetable_day(forum, day)
        programme = render_template("schedule/_timetable_programme.html", forum=forum, timetable=timetable)
        cache.set(key, programme)
    return render_template("schedule/timetable.html", forum=forum, day=day, programme=Markup(programme))


@bp.get("/sessions/<int:session_id>")
def session(session_id: int):
    session = services.get_public_session(session_id)
    if session is None:
        abort(404, description=_("There is no public session with this number."))
    return render_template("schedule/session.html", session=session, forum=session.event.forum)
