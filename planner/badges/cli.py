"""``flask --app planner print-badges``: a forum's (or an event's) badges as one PDF."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from planner.accounts.models import User
from planner.badges import print_runs
from planner.badges.printing import LAYOUTS
from planner.extensions import db
from planner.forums import services as forums
from planner.refusals import NotAllowed
from planner.statements.rendering import find_font


@click.command("print-badges")
@click.option("--forum", "slug", required=True, help="The forum's URL name.")
@click.option("--event", "code", default=None, help="Only the badges of this event's holders.")
@click.option("--layout", type=click.Choice(sorted(LAYOUTS)), default="a6", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--as", "email", default=None, help="The organiser printing (for the audit log); else an administrator.")
@with_appcontext
def print_badges_command(slug: str, code: str | None, layout: str, out: str, email: str | None) -> None:
    """Print the forum's badges on A4 sheets with cut marks, with a progress bar."""
    forum = forums.get_forum_by_slug(slug)
    if forum is None:
        raise click.ClickException(_("There is no forum at this address."))
    event = None
    if code:
        try:
            event = forums.find_event(forum, code)
        except forums.EventNotFound as error:
            raise click.ClickException(_("This forum has no event with the code %(code)s.", code=code)) from error
    query = select(User).where(User.email == email.lower()) if email else select(User).where(User.is_admin.is_(True))
    actor = db.session.scalars(query.order_by(User.id)).first()
    if actor is None:
        raise click.ClickException(_("Name an organiser of the forum with --as EMAIL."))
    badges, _left_out = print_runs.printable_badges(forum, event)
    font = find_font(current_app.config.get("STATEMENTS_PDF_FONT"))
    try:
        with click.progressbar(length=len(badges), label=_("Printing badges"), file=sys.stderr) as bar:
            done = 0

            def advance(count: int) -> None:
                nonlocal done
                bar.update(count - done)
                done = count

            run = print_runs.print_run(actor, forum, layout=layout, event=event, font_path=font, progress=advance)
    except (print_runs.PrintRefused, NotAllowed) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    with open(out, "wb") as file:
        file.write(run.pdf)
    db.session.commit()
    click.echo(
        _(
            "%(printed)d badges written to %(file)s (%(left)d left out: revoked or signed with a retired key).",
            printed=run.printed,
            file=out,
            left=run.left_out,
        )
    )
