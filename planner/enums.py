"""Helper for enum columns stored as text with a CHECK constraint on every database."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def enum_column_type(enum_class: type[enum.Enum], name: str) -> Enum:
    """Store the members' values (not names), checked by the database itself."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(str(m.value)) for m in enum_class),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
