"""Refusals as answers: on the form that asked, or as a flashed message (error pages for the
others are in ``errors``)."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from planner.extensions import db
from planner.refusals import Refused


def undone(refusal: Refused) -> str:
    """Roll back what the refused operation did, now, so that the page shows what is stored and
    not what was refused; the message to show. The page then answers 4xx."""
    db.session.rollback()
    return str(refusal)


def on_form(form: FlaskForm, refusal: Refused, field: str | None = None) -> None:
    """Roll back what the refused operation did, and show why on ``form``: at the field the
    refusal names, else at ``field``, else above the form. The page then answers 422."""
    undone(refusal)
    name = refusal.field or field
    if name is not None and name in form:
        form[name].errors = [*form[name].errors, str(refusal)]
    else:
        form.form_errors.append(str(refusal))


def flashed(refusal: Refused) -> None:
    """Roll back what the refused operation did, and tell the person why on the next page."""
    flash(undone(refusal), "error")
