"""``flask export-site --forum SLUG --out FILE.zip [--lang en|ja] [--live-url URL]``.

It only reads, so it has no commit point: nothing is written to the database."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from planner.forums.services import get_forum_by_slug
from planner.offline import site_copy
from planner.refusals import Refused


def _live_url(given: str | None) -> str:
    if not given:
        server = current_app.config.get("SERVER_NAME")
        if not server:
            raise click.UsageError(
                _("Say where the live site is: --live-url https://planner.example.org, or set PLANNER_SERVER_NAME.")
            )
        given = f"{current_app.config.get('PREFERRED_URL_SCHEME') or 'https'}://{server}"
    try:
        return site_copy.live_root_of(given)
    except Refused as refusal:
        raise click.BadParameter(str(refusal), param_hint="--live-url") from None


@click.command("export-site")
@with_appcontext
@click.option("--forum", "slug", required=True, help="The forum's slug, e.g. isef2.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The zip to write.")
@click.option("--lang", "language", default=None, help="The copy's language (default: the forum's first).")
@click.option(
    "--live-url", default=None, help="The live site, e.g. https://planner.example.org (default: SERVER_NAME)."
)
def export_site_command(slug: str, out: str, language: str | None, live_url: str | None) -> None:
    """Write an offline copy of a forum: static pages, calendars and files in one zip."""
    forum = get_forum_by_slug(slug)
    if forum is None:
        raise click.ClickException(_("There is no forum %(slug)s.", slug=slug))
    try:
        chosen = site_copy.copy_language(forum, language)
    except Refused as refusal:
        raise click.BadParameter(str(refusal), param_hint="--lang") from None
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    plan = site_copy.plan(app, forum.id, language=chosen, live_root=_live_url(live_url))
    with click.progressbar(length=plan.steps, label=_("Building the copy"), file=sys.stderr) as bar:
        data = site_copy.build(app, plan, progress=bar.update)
    with open(out, "wb") as file:
        file.write(data)
    click.echo(_("Wrote %(path)s.", path=out))
