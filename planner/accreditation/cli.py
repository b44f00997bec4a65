"""The accreditation domain's commands: ``purge-personal-data [--forum SLUG] [--dry-run/--yes]
[--today YYYY-MM-DD]`` removes identity data, photos and letters once a forum's retention is
over; ``new-identity-key`` prints a key to put first in ``PLANNER_IDENTITY_KEYS``, and
``rotate-identity-keys`` then re-encrypts every encrypted value with it, so that the old keys
can go."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator, Sequence

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import TableClause, Text, and_, bindparam, column, or_, select, table, tuple_, update
from sqlalchemy.exc import SQLAlchemyError

from planner import crypto
from planner.accreditation import purge
from planner.db import utcnow
from planner.extensions import db
from planner.forums.services import get_forum_by_slug
from planner.storage import file_store


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(_("%(text)s is not a date written like 2018-03-03.", text=value[:20])) from None


def _echo_forum(plan: purge.ForumPurge, heading: str) -> None:
    click.echo(heading)
    click.echo("  " + _("Identity records: %(num)d", num=plan.identity_records))
    click.echo("  " + _("Photos: %(num)d", num=plan.photos))
    click.echo("  " + _("Credentials letters' files: %(num)d", num=plan.credentials_letters))
    click.echo("  " + _("Visa letters' passport numbers and PDFs: %(num)d", num=plan.visa_letters))
    click.echo("  " + _("Files: %(num)d (%(bytes)s bytes)", num=len(plan.files), bytes=f"{plan.bytes:,}"))


def _echo_orphans(orphans: purge.OrphanFiles) -> None:
    if orphans.files:
        click.echo(
            _(
                "Files that no record names (left by a crash): %(num)d (%(bytes)s bytes)",
                num=len(orphans.files),
                bytes=f"{orphans.bytes:,}",
            )
        )


@click.command("purge-personal-data")
@with_appcontext
@click.option("--forum", "slug", help="Only this forum (its slug, e.g. isef2); files no record names are then left.")
@click.option(
    "--dry-run/--yes",
    "dry_run",
    default=True,
    help="--dry-run (the default) says what would be removed and writes nothing; --yes removes it.",
)
@click.option("--today", callback=_day, help="Count the retention from this day (YYYY-MM-DD), not today.")
def purge_personal_data_command(slug: str | None, dry_run: bool, today: dt.date | None) -> None:
    """Remove the personal data of every forum whose retention period (its setting, in days
    after its last day) is over: identity records, passport numbers, photos and letters'
    files, and files no record names. People and their participation stay. Run it daily."""
    now = utcnow()
    store = file_store()
    only = None
    if slug is not None:
        only = get_forum_by_slug(slug)
        if only is None:
            raise click.BadParameter(_("There is no forum %(slug)s.", slug=slug), param_hint="'--forum'")
    due = purge.forums_due(now, today, only)
    if only is not None and not due:
        click.echo(
            _(
                "%(forum)s keeps its personal data until %(day)s: nothing is removed yet.",
                forum=only.slug,
                day=only.personal_data_kept_until.isoformat(),
            )
        )
        return
    plans = [plan for plan in (purge.plan_forum(forum, store) for forum in due) if purge.needs_purge(plan)]
    # Orphans belong to no forum: a run limited to one leaves them.
    orphans = purge.find_orphans(store, now) if only is None else purge.OrphanFiles()
    if not plans and not orphans.files:
        db.session.rollback()
        click.echo(
            _("Nothing to remove: the personal data of every forum past its retention period is purged already.")
            if due
            else _("Nothing to remove: no forum is past its retention period.")
        )
        return
    if dry_run:
        for plan in plans:
            _echo_forum(
                plan,
                _(
                    "%(forum)s (kept until %(day)s) would lose:",
                    forum=plan.forum.slug,
                    day=plan.forum.personal_data_kept_until.isoformat(),
                ),
            )
        _echo_orphans(orphans)
        db.session.rollback()
        click.echo(_("Dry run: nothing was removed. Run it again with --yes to remove this."))
        return
    steps = sum(plan.steps for plan in plans) + len(orphans.files)
    with click.progressbar(length=steps, label=_("Purging"), file=sys.stderr) as bar:
        for plan in plans:
            purge.purge_forum(plan, now, progress=bar.update)
        purge.record_orphans(orphans)
        try:
            db.session.commit()  # the command's commit point; files go only once it holds
        except SQLAlchemyError:
            db.session.rollback()
            # Not the error's text: it may quote the statement's values.
            raise click.ClickException(
                _("The purge could not be saved: nothing was removed and every file is kept. Run it again.")
            ) from None
        failed = purge.delete_files(store, purge.files_of(plans, orphans), progress=bar.update)
    for plan in plans:
        _echo_forum(plan, _("Removed from %(forum)s:", forum=plan.forum.slug))
    _echo_orphans(orphans)
    if failed:
        click.echo(
            ngettext(
                "%(num)d file could not be deleted; the next run removes it.",
                "%(num)d files could not be deleted; the next run removes them.",
                len(failed),
            ),
            err=True,
        )


# The identity keys ---------------------------------------------------------------------------

BATCH = 500

# The encrypted columns as stored (the Fernet tokens, not what EncryptedText makes of them), by table:
# its key columns, then its encrypted ones.
ENCRYPTED: Sequence[tuple[str, tuple[str, ...], tuple[str, ...]]] = (
    ("identity_details", ("delegation_id", "person_id"), ("date_of_birth", "document_number")),
    ("visa_letters", ("id",), ("passport_number",)),
    ("forum_signing_keys", ("id",), ("private_key",)),  # the badges' Ed25519 keys
    ("webhook_endpoints", ("id",), ("secret",)),  # the webhooks' signing secrets
)


@click.command("new-identity-key")
def new_identity_key_command() -> None:
    """Print a new key for PLANNER_IDENTITY_KEYS (put it first, then run rotate-identity-keys)."""
    click.echo(crypto.new_key())


def _raw(name: str, keys: tuple[str, ...], values: tuple[str, ...]) -> TableClause:
    # Plain Text: the tokens themselves, which EncryptedText would open.
    return table(name, *(column(key) for key in keys), *(column(value, Text) for value in values))


def _batches(raw: TableClause, keys: tuple[str, ...], values: tuple[str, ...]) -> Iterator[list[tuple]]:
    """The rows holding an encrypted value, a batch at a time, in key order."""
    key_columns = [raw.c[key] for key in keys]
    after: tuple | None = None
    while True:
        query = (
            select(*key_columns, *(raw.c[value] for value in values))
            .where(or_(*(raw.c[value].is_not(None) for value in values)))
            .order_by(*key_columns)
            .limit(BATCH)
        )
        if after is not None:
            query = query.where(tuple_(*key_columns) > after if len(keys) > 1 else key_columns[0] > after[0])
        rows = [tuple(row) for row in db.session.execute(query)]
        if not rows:
            return
        yield rows
        after = rows[-1][: len(keys)]


@click.command("rotate-identity-keys")
@with_appcontext
def rotate_identity_keys_command() -> None:
    """Re-encrypt every encrypted value (dates of birth, passport and ID numbers, badge signing
    keys, webhook secrets) with the first key of PLANNER_IDENTITY_KEYS. Nothing is written if a value opens with
    none of the keys."""
    rewritten = 0
    try:
        for name, keys, values in ENCRYPTED:
            raw = _raw(name, keys, values)
            statement = (
                update(raw)
                .where(and_(*(raw.c[key] == bindparam(f"k_{key}") for key in keys)))
                .values({value: bindparam(f"v_{value}") for value in values})
            )
            for rows in _batches(raw, keys, values):
                changes = []
                for row in rows:
                    tokens = row[len(keys) :]
                    rotated = [None if token is None else crypto.rotate(token) for token in tokens]
                    rewritten += sum(token is not None for token in tokens)
                    changes.append(
                        {
                            **{f"k_{key}": value for key, value in zip(keys, row)},
                            **{f"v_{value}": token for value, token in zip(values, rotated)},
                        }
                    )
                db.session.execute(statement, changes)
    except crypto.UnreadableValue as error:
        db.session.rollback()
        raise click.ClickException(
            _(
                "A stored value opens with none of the keys in PLANNER_IDENTITY_KEYS: put back the key it was "
                "written with (after the new one) and run the command again. Nothing was changed."
            )
        ) from error
    db.session.commit()
    click.echo(
        ngettext(
            "Re-encrypted %(num)d value with the first key.",
            "Re-encrypted %(num)d values with the first key.",
            rewritten,
        )
    )
