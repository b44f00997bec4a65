"""The identity keys' commands: ``new-identity-key`` prints a key to put first in
``PLANNER_IDENTITY_KEYS``; ``rotate-identity-keys`` then re-encrypts every encrypted value with
it, so that the old keys can go."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import TableClause, Text, and_, bindparam, column, or_, select, table, tuple_, update

from planner import crypto
from planner.extensions import db

BATCH = 500

# The encrypted columns as stored (the Fernet tokens, not what EncryptedText makes of them), by table:
# its key columns, then its encrypted ones.
ENCRYPTED: Sequence[tuple[str, tuple[str, ...], tuple[str, ...]]] = (
    ("identity_details", ("delegation_id", "person_id"), ("date_of_birth", "document_number")),
    ("visa_letters", ("id",), ("passport_number",)),
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
    """Re-encrypt every encrypted value (dates of birth, passport and ID numbers) with the first
    key of PLANNER_IDENTITY_KEYS. Nothing is written if a value opens with none of the keys."""
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
