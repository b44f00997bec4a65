"""Sign-up, sign-in, password reset, the account page and the administrators' page."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests

from planner.accounts import bp, forms, services, sessions, throttle, tokens
from planner.accounts.models import User
from planner.accounts.permissions import is_admin
from planner.db import utcnow
from planner.extensions import db, limiter, login_manager
from planner.forums.models import Forum
from planner.security import safe_next
from planner.web import refusals, unavailable


@login_manager.user_loader
def load_user(key: str) -> User | None:
    """The signed-in account for the cookie's session key, if the session is still open:
    not signed out on the server, not idle too long, not past its lifetime."""
    if unavailable.database_is_down():
        return None
    now = utcnow()
    last_seen = session.get(sessions.LAST_SEEN)
    if not isinstance(last_seen, int) or sessions.is_idle(last_seen, now):
        return None
    user = sessions.user_for(key, now)
    if user is not None and sessions.needs_renewal(last_seen, now):
        session[sessions.LAST_SEEN] = int(now.timestamp())
    return user


def sign_in(user: User) -> None:
    """Open a new session for ``user`` in this browser; nothing from before carries over (also
    for a focal point who made their account through an invitation link)."""
    session.clear()
    key = sessions.open_session(user, request.user_agent.string)
    login_user(user)
    session.update(sessions.cookie_values(key))


def _sign_out() -> None:
    # The cookie's key, not the signed-in user's: a session gone idle is ended on the server too.
    key = session.get("_user_id")
    if isinstance(key, str):
        sessions.end_session(key)
    _forget_this_browser()


def _forget_this_browser() -> None:
    """Drop the sign-in and everything else from this browser's cookie (its session on the
    server is gone already, or ended by the caller)."""
    logout_user()
    session.clear()


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = forms.SignupForm(next=request.args.get("next", ""))
    next_page = safe_next(form.next.data, "")
    if form.is_submitted():
        network = request.remote_addr or ""
        email = services.normalise_email(form.email.data or "")
        wait, which = throttle.sign_up_wait(network, email)
        if wait > 0:
            # What was typed stays on the form (never the password), with when to try again.
            form.form_errors.append(_too_many_sign_ups(wait, which))
            page = render_template("accounts/signup.html", form=form, next_page=next_page)
            return page, 429, {"Retry-After": str(wait)}
        valid = form.validate()
        throttle.signing_up(network, email if valid else None)
        if valid:
            try:
                services.sign_up(
                    form.given_name.data,
                    form.family_name.data or "",
                    form.family_name_first.data,
                    form.email.data,
                    form.password.data,
                    next_page=next_page,
                )
            except services.AccountError as refusal:
                refusals.on_form(form, refusal, "given_name")
                return render_template("accounts/signup.html", form=form, next_page=next_page), 422
            return render_template("accounts/check_email.html", email=email)
    return render_template("accounts/signup.html", form=form, next_page=next_page)


def _too_many_sign_ups(wait: int, which: str | None) -> str:
    minutes = max(1, -(-wait // 60))
    if which == "email":
        return ngettext(
            "This email address was given for several sign-ups in the last hour: look for our message in its "
            "inbox (and its spam folder), or try again in %(num)d minute.",
            "This email address was given for several sign-ups in the last hour: look for our message in its "
            "inbox (and its spam folder), or try again in %(num)d minutes.",
            minutes,
        )
    return ngettext(
        "Many people have signed up from your network in the last few minutes. Please try again in %(num)d minute: "
        "what you typed is kept below, except the password.",
        "Many people have signed up from your network in the last few minutes. Please try again in %(num)d minutes: "
        "what you typed is kept below, except the password.",
        minutes,
    )


@bp.get("/verify/<token>")
def verify_email(token: str):
    try:
        services.verify_email(token)
    except tokens.InvalidToken:
        abort(400, description=_("This confirmation link is not valid or has expired. Sign in to get a new one."))
    flash(_("Your email address is confirmed. You can sign in now."), "success")
    # Back to where the person was going when they signed up (a form they were filling in).
    next_page = safe_next(request.args.get("next"), "")
    return redirect(url_for(".login", next=next_page) if next_page else url_for(".login"))


def _too_many_attempts(wait: int) -> TooManyRequests:
    minutes = max(1, -(-wait // 60))
    message = ngettext(
        "There have been too many failed attempts to sign in with this address. Please try again in %(num)d "
        "minute, or reset your password: the link we email always works, and signs you in.",
        "There have been too many failed attempts to sign in with this address. Please try again in %(num)d "
        "minutes, or reset your password: the link we email always works, and signs you in.",
        minutes,
    )
    return TooManyRequests(description=message, retry_after=wait)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    form = forms.LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email = services.normalise_email(form.email.data)
        browser = throttle.known_browser_of(request.cookies.get(throttle.KNOWN_BROWSER_COOKIE), email)
        wait = throttle.wait_before_trying(email, browser)
        if wait > 0:
            raise _too_many_attempts(wait)
        try:
            user = services.authenticate(email, form.password.data, next_page=safe_next(form.next.data, ""))
        except services.NotVerified as refusal:
            # Documented exception: the refusal answers 422, which rolls back, but the new
            # verification link it mailed must be kept.
            db.session.commit()
            form.form_errors.append(str(refusal))
        except services.WrongCredentials as refusal:
            throttle.failed(email, browser)
            form.form_errors.append(str(refusal))
        else:
            throttle.forgive(email, browser)
            sign_in(user)
            response = redirect(safe_next(form.next.data, url_for("forums.home")))
            throttle.remember_browser(response, email, browser)
            return response
    next_page = safe_next(form.next.data, "")
    return render_template("accounts/login.html", form=form, next_page=next_page), 200 if not form.errors else 422


@bp.post("/logout")
def logout():
    _sign_out()
    flash(_("You are signed out."), "success")
    return redirect(url_for("forums.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def reset_request():
    form = forms.ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("accounts/check_email.html", email=services.normalise_email(form.email.data), reset=True)
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except tokens.InvalidToken:
            abort(
                400, description=_("This reset link is not valid, has expired or was used already. Ask for a new one.")
            )
        # Following the link proves the mailbox: it always signs in, whatever failed attempts
        # others made with the address.
        throttle.forgive(user.email)
        sign_in(user)
        flash(_("Your password is changed, and you are signed in."), "success")
        response = redirect(url_for("forums.home"))
        browser = throttle.known_browser_of(request.cookies.get(throttle.KNOWN_BROWSER_COOKIE), user.email)
        throttle.remember_browser(response, user.email, browser)
        return response
    return render_template("accounts/reset_password.html", form=form)


def _account_page(**forms_given):
    page_forms = {
        "name_form": forms.NameForm(prefix="name", obj=current_user),
        "password_form": forms.ChangePasswordForm(prefix="password"),
        "email_form": forms.ChangeEmailForm(prefix="email"),
        "delete_form": forms.DeleteAccountForm(prefix="delete"),
        "sessions_form": forms.EndSessionsForm(prefix="sessions"),
    }
    page_forms.update(forms_given)
    data = services.personal_data(current_user)
    status = 422 if any(f.errors for f in page_forms.values()) else 200
    open_sessions = [(s, sessions.is_current(s, current_user)) for s in sessions.sessions_of(current_user)]
    return render_template("accounts/account.html", data=data, open_sessions=open_sessions, **page_forms), status


@bp.get("/me/account")
@login_required
def account():
    return _account_page()


@bp.get("/me/account/data.json")
@login_required
def account_data():
    body = json.dumps(services.personal_data(current_user), indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="planner-personal-data.json"'},
    )


@bp.post("/me/account/name")
@login_required
def change_name():
    form = forms.NameForm(prefix="name")
    if form.validate_on_submit():
        try:
            services.change_name(
                current_user, form.given_name.data, form.family_name.data or "", form.family_name_first.data
            )
        except services.AccountError as refusal:
            refusals.on_form(form, refusal, "given_name")
        else:
            flash(_("Your name is saved: it now reads %(name)s.", name=current_user.name), "success")
            return redirect(url_for(".account"))
    return _account_page(name_form=form)


@bp.post("/me/account/password")
@login_required
def change_password():
    form = forms.ChangePasswordForm(prefix="password")
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except services.WrongPassword as refusal:
            refusals.on_form(form, refusal, "current")
        else:
            flash(_("Your password is changed. You are signed out everywhere else."), "success")
            return redirect(url_for(".account"))
    return _account_page(password_form=form)


@bp.post("/me/account/email")
@login_required
def change_email():
    form = forms.ChangeEmailForm(prefix="email")
    if form.validate_on_submit():
        try:
            services.request_email_change(current_user, form.email.data, form.password.data)
        except services.WrongPassword as refusal:
            refusals.on_form(form, refusal, "password")
        except services.AccountError as refusal:
            refusals.on_form(form, refusal, "email")
        else:
            flash(
                _(
                    "We have sent a confirmation link to %(email)s. Your address changes when you follow it.",
                    email=services.normalise_email(form.email.data),
                ),
                "success",
            )
            return redirect(url_for(".account"))
    return _account_page(email_form=form)


@bp.get("/me/account/email/<token>")
def confirm_email_change(token: str):
    try:
        services.confirm_email_change(token)
    except tokens.InvalidToken:
        abort(400, description=_("This confirmation link is not valid or has expired."))
    flash(_("Your email address is changed."), "success")
    return redirect(url_for(".account") if current_user.is_authenticated else url_for(".login"))


@bp.post("/me/account/delete")
@login_required
def delete_account():
    form = forms.DeleteAccountForm(prefix="delete")
    if form.validate_on_submit():
        try:
            services.delete_account(current_user, form.password.data)
        except services.WrongPassword as refusal:
            refusals.on_form(form, refusal, "password")
        else:
            _forget_this_browser()  # its sessions ended with it
            flash(_("Your account is deleted."), "success")
            return redirect(url_for("forums.home"))
    return _account_page(delete_form=form)


@bp.post("/me/account/sessions/end")
@login_required
def end_all_sessions():
    """Sign out everywhere: every browser signed in to the account, this one too."""
    form = forms.EndSessionsForm(prefix="sessions")
    if not form.validate_on_submit():
        return _account_page(sessions_form=form)
    sessions.end_all(current_user)
    _forget_this_browser()
    flash(_("You are signed out everywhere, in this browser too."), "success")
    return redirect(url_for(".login"))


@bp.post("/me/account/sessions/<int:account_session_id>/end")
@login_required
def end_session(account_session_id: int):
    """Sign out one browser (a lost phone, a shared computer)."""
    form = forms.EndSessionsForm(prefix="sessions")
    if not form.validate_on_submit():
        return _account_page(sessions_form=form)
    ended = sessions.end_one(current_user, account_session_id)
    if ended is None:
        abort(404, description=_("This session has ended already, or is not yours."))
    if sessions.is_current(ended, current_user):
        _forget_this_browser()
        flash(_("You are signed out."), "success")
        return redirect(url_for(".login"))
    flash(_("That browser is signed out."), "success")
    return redirect(url_for(".account"))


@bp.get("/admin/")
@login_required
def admin():
    if not is_admin(current_user):
        abort(403, description=_("Only site administrators can open this page."))
    forums = db.session.scalars(select(Forum).order_by(Forum.first_day.desc())).all()
    admins = db.session.scalars(select(User).where(User.is_admin.is_(True)).order_by(User.name)).all()
    return render_template("accounts/admin.html", forums=forums, admins=admins)
