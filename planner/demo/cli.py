import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from planner.demo.seed import (
    add_isef2_zones,
    add_missing_japanese,
    load_isef2,
    load_open_demo,
    put_isef2_in_its_series,
)
from planner.demo.synthetic import load_synthetic_forum
from planner.extensions import db
from planner.forums.models import Forum


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demonstration forums, ISEF2 and the open demo forum (each only if it is not there yet)."""
    isef2 = load_isef2()
    # Dated from today the first time; stored, so later runs leave its dates alone.
    open_demo = load_open_demo()
    # ISEF2 in the ISEF series, also for a database loaded before series existed.
    put_isef2_in_its_series()
    # ISEF2's badge zones, also for a database loaded before badges existed.
    add_isef2_zones()
    # Forums loaded before they spoke Japanese get its titles and descriptions now.
    added = add_missing_japanese()
    db.session.commit()
    if isef2 is None:
        click.echo(_("The ISEF2 demo forum is already loaded; nothing changed."))
    else:
        click.echo(_("Loaded the ISEF2 demo forum: /forums/%(slug)s/", slug=isef2.slug))
    if open_demo is None:
        click.echo(_("The open demo forum is already loaded; nothing changed."))
    else:
        click.echo(
            _(
                "Loaded the open demo forum, %(first)s to %(last)s, open to registration: /forums/%(slug)s/",
                first=open_demo.first_day.isoformat(),
                last=open_demo.last_day.isoformat(),
                slug=open_demo.slug,
            )
        )
    if added:
        click.echo(
            ngettext(
                "Added %(num)d Japanese title or description to the demo forums.",
                "Added %(num)d Japanese titles and descriptions to the demo forums.",
                added,
            )
        )


@click.command("seed-synthetic")
@with_appcontext
@click.argument("slug")
@click.option("--sessions", type=click.IntRange(1, 100_000), default=1000, show_default=True)
def seed_synthetic_command(slug: str, sessions: int) -> None:
    """Load a synthetic forum SLUG with many sessions, for load tests and benchmarks."""
    if db.session.scalar(select(Forum.id).where(Forum.slug == slug)) is not None:
        raise click.ClickException(_("A forum with the slug %(slug)s already exists.", slug=slug))
    load_synthetic_forum(slug, sessions)
    db.session.commit()
    click.echo(_("Loaded %(slug)s with %(count)d sessions.", slug=slug, count=sessions))
