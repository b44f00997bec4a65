"""Announcements' pages: the forum's list (``/forums/<slug>/manage/announcements``), writing one
with its audience and a preview, one announcement's record, and ``/me/announcements``."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from planner.announcements import audiences, bp, services
from planner.announcements.forms import TEXTS, AnnouncementForm, announcement_form
from planner.announcements.models import Announcement, AudienceKind
from planner.forums.models import Forum
from planner.refusals import Refused
from planner.registration import answers, review
from planner.registration.models import RegistrationStatus
from planner.statements.rendering import render_markdown
from planner.translated import localized, translations_from
from planner.web import refusals
from planner.web.loaders import load_managed_forum

#: The audience's arguments a form or link may give (the registrations page's filters among them).
AUDIENCE_ARGS = ("audience", *review.FILTER_ARGS)


def _audience_args(source: MultiDict[str, str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    single = {name: source.get(name, "")[:300] for name in AUDIENCE_ARGS}
    multi = {name: source.getlist(name)[: audiences.CHOICES_MAX + 1] for name in ("delegations", "sessions")}
    return single, multi


def _compose_page(
    forum: Forum,
    form: AnnouncementForm,
    source: MultiDict[str, str],
    *,
    with_preview: bool,
    status: int = 200,
) -> tuple[str, int]:
    """The writing page: the audience chosen in ``source``, its preview when asked for. A page
    answering a post that failed (``status`` 422) also says that no audience was chosen."""
    single, multi = _audience_args(source)
    chosen = single["audience"] or status == 422
    audience, errors = audiences.audience_from(forum, single, multi) if chosen else (None, [])
    preview = services.preview(current_user, forum, audience) if audience is not None and with_preview else None
    questions = answers.forum_questions(forum)
    body = form.body.data or ""
    return render_template(
        "announcements/new.html",
        forum=forum,
        form=form,
        chosen=single,
        chosen_many={name: set(values) for name, values in multi.items()},
        audience_errors=errors,
        preview=preview,
        preview_names=audiences.PREVIEW_NAMES,
        body_preview=render_markdown(body) if with_preview and body.strip() else None,
        kinds=list(AudienceKind),
        events=sorted(forum.events, key=lambda e: (e.starts_at, e.code)),
        statuses=[s for s in RegistrationStatus if s is not RegistrationStatus.CANCELLED],
        delegations=audiences.delegations_of(forum),
        countries=review.countries_of(forum),
        answer_filters=[
            (q, questions.event_codes[q.event_id], answers.choices_of(q)) for q in questions.with_choices()
        ],
        sessions_picked=audiences.sessions_picked(forum),
    ), (status if status != 200 or not errors else 422 if request.method == "POST" else 400)


def _form(forum: Forum, formdata: Any = None) -> AnnouncementForm:
    form_class = announcement_form(forum.other_languages)
    if formdata is not None:
        return form_class(formdata=formdata)
    return form_class(formdata=None, data={"form_key": services.new_form_key()})


@bp.get("/forums/<slug>/manage/announcements")
@login_required
def manage_announcements(slug: str):
    forum = load_managed_forum(slug)
    sent = services.announcements_of(current_user, forum)
    return render_template(
        "announcements/manage.html",
        forum=forum,
        announcements=sent,
        deliveries=services.deliveries(a.id for a in sent),
        limit=services.LIST_LIMIT,
    )


@bp.get("/forums/<slug>/manage/announcements/new")
@login_required
def new_announcement(slug: str):
    """The page, with the audience of the query arguments (a link from the registrations
    page brings its filters) and its preview."""
    forum = load_managed_forum(slug)
    return _compose_page(forum, _form(forum), request.args, with_preview=True)


@bp.post("/forums/<slug>/manage/announcements/new")
@login_required
def send_announcement(slug: str):
    forum = load_managed_forum(slug)
    form = _form(forum, request.form)
    if request.form.get("action") == "preview":
        return _compose_page(forum, form, request.form, with_preview=True)
    form_valid = form.validate()
    single, multi = _audience_args(request.form)
    audience, errors = audiences.audience_from(forum, single, multi)
    if audience is None or not form_valid:
        return _compose_page(forum, form, request.form, with_preview=False, status=422)
    try:
        announcement = services.send_announcement(
            current_user,
            forum,
            audience,
            subject=form.subject.data or "",
            body=form.body.data or "",
            translations=translations_from(form, TEXTS, forum.other_languages),
            form_key=form.form_key.data or "",
        )
    except services.AlreadySent as sent:
        earlier = sent.announcement.id
        refusals.flashed(sent)
        return redirect(url_for(".announcement", slug=forum.slug, announcement_id=earlier))
    except Refused as refusal:
        refusals.on_form(form, refusal)
        return _compose_page(forum, form, request.form, with_preview=False, status=422)
    flash(
        ngettext(
            "The announcement is on its way to %(num)d person; this page shows when it is delivered.",
            "The announcement is on its way to %(num)d people; this page shows how many have it.",
            announcement.recipient_count,
        ),
        "success",
    )
    return redirect(url_for(".announcement", slug=forum.slug, announcement_id=announcement.id))


@bp.get("/forums/<slug>/manage/announcements/<int:announcement_id>")
@login_required
def announcement(slug: str, announcement_id: int):
    forum = load_managed_forum(slug)
    found = services.announcement_of(current_user, forum, announcement_id)
    if found is None:
        abort(
            404,
            description=_(
                "%(forum)s has no announcement with the number %(id)d.", forum=forum.name, id=announcement_id
            ),
        )
    return render_template(
        "announcements/announcement.html",
        forum=forum,
        announcement=found,
        body_html=render_markdown(found.body),
        other_versions=[
            (language, texts.get("subject", ""), render_markdown(texts.get("body", "")))
            for language, texts in sorted(found.translations.items())
        ],
        delivery=services.deliveries([found.id]).get(found.id, services.Delivery()),
        recipients=services.recipients_with_outcome(found),
        shown=services.RECIPIENTS_SHOWN,
    )


def _read(announcement: Announcement) -> tuple[Announcement, str, Any]:
    """The reader's version: subject and rendered text in their language, where it is written."""
    return announcement, localized(announcement, "subject"), render_markdown(localized(announcement, "body"))


@bp.get("/me/announcements")
@login_required
def my_announcements():
    return render_template("announcements/mine.html", announcements=[_read(a) for a in services.sent_to(current_user)])
