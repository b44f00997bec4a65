"""Sign-up, sign-in, password reset, the account page and the administrators' page."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, select

from planner.accounts import bp, forms, services, tokens
from planner.accounts.models import User
from planner.accounts.permissions import is_admin
from planner.extensions import db, limiter, login_manager
from planner.forums.models import Forum
from planner.security import safe_next
from planner.web import refusals

#: Every signed-in request runs it: built once, with the token bound at execution.
_USER_BY_TOKEN = select(User).where(User.session_token == bindparam("token"))


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    user = db.session.scalar(_USER_BY_TOKEN, {"token": session_token})
    return user if user is not None and user.is_active else None


def _failed_login(response: Response) -> bool:
    return response.status_code != 302


def _posted_email() -> str:
    return services.normalise_email(request.form.get("email", ""))[:320] or request.remote_addr or "-"


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("5 per minute; 30 per hour", methods=["POST"])
def signup():
    form = forms.SignupForm()
    if form.validate_on_submit():
        services.sign_up(form.name.data, form.email.data, form.password.data)
        return render_template("accounts/check_email.html", email=services.normalise_email(form.email.data))
    return render_template("accounts/signup.html", form=form)


@bp.get("/verify/<token>")
def verify_email(token: str):
    try:
        services.verify_email(token)
    except tokens.InvalidToken:
        abort(400, description=_("This confirmation link is not valid or has expired. Sign in to get a new one."))
    flash(_("Your email address is confirmed. You can sign in now."), "success")
    return redirect(url_for(".login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"], key_func=_posted_email, deduct_when=_failed_login)
def login():
    form = forms.LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.NotVerified as refusal:
            # Documented exception: the refusal answers 422, which rolls back, but the new
            # verification link it mailed must be kept.
            db.session.commit()
            form.form_errors.append(str(refusal))
        except services.WrongCredentials as refusal:
            form.form_errors.append(str(refusal))
        else:
            session.clear()  # nothing from before sign-in carries over
            login_user(user)
            return redirect(safe_next(form.next.data, url_for("forums.home")))
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 422


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
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
            services.reset_password(token, form.password.data)
        except tokens.InvalidToken:
            abort(
                400, description=_("This reset link is not valid, has expired or was used already. Ask for a new one.")
            )
        flash(_("Your password is changed. Sign in with the new one."), "success")
        return redirect(url_for(".login"))
    return render_template("accounts/reset_password.html", form=form)


def _account_page(**forms_given):
    page_forms = {
        "password_form": forms.ChangePasswordForm(prefix="password"),
        "email_form": forms.ChangeEmailForm(prefix="email"),
        "delete_form": forms.DeleteAccountForm(prefix="delete"),
    }
    page_forms.update(forms_given)
    data = services.personal_data(current_user)
    status = 422 if any(f.errors for f in page_forms.values()) else 200
    return render_template("accounts/account.html", data=data, **page_forms), status


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
            login_user(current_user)  # the new session token; other sessions are signed out
            flash(_("Your password is changed."), "success")
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
            logout_user()
            session.clear()
            flash(_("Your account is deleted."), "success")
            return redirect(url_for("forums.home"))
    return _account_page(delete_form=form)


@bp.get("/admin/")
@login_required
def admin():
    if not is_admin(current_user):
        abort(403, description=_("Only site administrators can open this page."))
    forums = db.session.scalars(select(Forum).order_by(Forum.first_day.desc())).all()
    admins = db.session.scalars(select(User).where(User.is_admin.is_(True)).order_by(User.name)).all()
    return render_template("accounts/admin.html", forums=forums, admins=admins)
