import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from planner.demo.seed import load_isef2
from planner.demo.synthetic import load_synthetic_forum
from planner.extensions import db
from planner.forums.models import Forum


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the ISEF2 demonstration forum (does nothing if it is already there)."""
    forum = load_isef2()
    if forum is None:
        click.echo(_("The ISEF2 demo forum is already loaded; nothing changed."))
        return
    db.session.commit()
    click.echo(_("Loaded the ISEF2 demo forum: /forums/%(slug)s/", slug=forum.slug))


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
