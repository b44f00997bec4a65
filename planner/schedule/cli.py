"""``flask import-programme FILE --forum SLUG [--dry-run]`` and ``flask export-programme``."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from planner.extensions import db
from planner.forums.services import get_forum_by_slug
from planner.schedule import programme_io


def _forum(slug: str):  # noqa: ANN202
    forum = get_forum_by_slug(slug)
    if forum is None:
        raise click.ClickException(_("There is no forum %(slug)s.", slug=slug))
    return forum


@click.command("import-programme")
@with_appcontext
@click.argument("file", type=click.File("rb"))
@click.option("--forum", "slug", required=True, help="The forum's slug, e.g. isef2.")
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
def import_programme_command(file, slug: str, dry_run: bool) -> None:  # noqa: ANN001
    """Import the programme from a CSV file, all rows or none."""
    forum = _forum(slug)
    raw = file.read()
    rows = programme_io.count_rows(raw)
    # Rows are read once to check them and, unless it is a dry run, once more to write them.
    with click.progressbar(length=rows * (1 if dry_run else 2), label=_("Importing"), file=sys.stderr) as bar:
        try:
            report = programme_io.import_csv(None, forum, raw, dry_run=dry_run, progress=bar.update)
        except programme_io.ImportRefused as refusal:
            db.session.rollback()
            report = refusal.report
    for problem in report.warnings:
        click.echo(
            ngettext(
                "line %(lines)s: warning: %(message)s",
                "lines %(lines)s: warning: %(message)s",
                1 + len(problem.other_lines),
                lines=problem.lines,
                message=problem.message,
            )
        )
    for problem in report.errors:
        click.echo(
            ngettext(
                "line %(lines)s: %(message)s",
                "lines %(lines)s: %(message)s",
                1 + len(problem.other_lines),
                lines=problem.lines,
                message=problem.message,
            ),
            err=True,
        )
    if report.errors:
        raise click.ClickException(_("Nothing was imported: %(num)d problems.", num=len(report.errors)))
    if dry_run:
        db.session.rollback()
        click.echo(_("Dry run: %(num)d rows are fine; nothing was written.", num=report.rows))
        return
    db.session.commit()
    click.echo(
        _("Imported: %(created)d sessions added, %(updated)d changed.", created=report.created, updated=report.updated)
    )


@click.command("export-programme")
@with_appcontext
@click.option("--forum", "slug", required=True, help="The forum's slug, e.g. isef2.")
def export_programme_command(slug: str) -> None:
    """Write the forum's programme as CSV to standard output."""
    click.echo(programme_io.export_csv(_forum(slug)), nl=False)
