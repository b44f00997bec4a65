"""The account's personal access tokens for the API: the list, making one (shown once) and
revoking one."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from planner.api import tokens
from planner.api.token_forms import NewTokenForm, RevokeTokenForm
from planner.db import utcnow
from planner.refusals import Refused
from planner.web import refusals
from planner.web.pages import form_page

bp = Blueprint("api_tokens", __name__)


def _page(form: NewTokenForm | None = None) -> tuple[str, int]:
    grantable = tokens.grantable(current_user)
    form = form or NewTokenForm(prefix="token", grantable=grantable)
    listed = tokens.tokens_of(current_user)
    return form_page(
        "api/tokens.html",
        form=form,
        grantable=grantable,
        tokens=listed,
        forums=tokens.forums_of(listed),
        revoke_form=RevokeTokenForm(prefix="revoke"),
        now=utcnow(),
    )


@bp.get("/me/tokens")
@login_required
def token_list():
    return _page()


@bp.post("/me/tokens")
@login_required
def create_token():
    form = NewTokenForm(prefix="token", grantable=tokens.grantable(current_user))
    if not form.validate_on_submit():
        return _page(form)
    try:
        token, secret = tokens.create_token(
            current_user, form.name.data or "", form.scopes.data or [], form.forums.data or [], form.expires_on.data
        )
    except Refused as refusal:
        refusals.on_form(form, refusal)
        return _page(form)
    # The token, once: the page is not kept by the browser or any cache in between.
    response = Response(
        render_template("api/tokens_created.html", token=token, secret=secret, forums=tokens.forums_of([token]))
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/me/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = tokens.token_of(current_user, token_id)
    if token is None:
        abort(404, description=_("You have no token with this number."))
    if RevokeTokenForm(prefix="revoke").validate_on_submit():
        try:
            tokens.revoke(current_user, token)
        except Refused as refusal:
            refusals.flashed(refusal)
        else:
            flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for(".token_list"))
