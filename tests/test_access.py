"""Who may reach what: every route of the app, for every kind of person.

A new route fails ``test_every_route_is_in_the_matrix`` until it is added here, so no
page can appear without someone deciding who may use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask

from planner.accounts.models import User
from planner.db import utcnow
from planner.delegations.models import DelegationKind
from planner.plenary import services as plenary
from planner.schedule.models import SessionKind
from planner.statements.models import DocumentKind
from planner.statements.services import create_document
from tests.conftest import sign_in
from tests.factories import (
    committed,
    make_admin,
    make_delegation,
    make_focal_point,
    make_forum,
    make_organiser,
    make_policy,
    make_programme,
    make_series,
    make_user,
)

ROLES = ("anonymous", "delegate", "other_delegate", "focal_point", "other_organiser", "organiser", "admin")
PUBLIC = dict.fromkeys(ROLES, 200)


def signed_in(status: int, anonymous: int = 302) -> dict[str, int]:
    return {role: anonymous if role == "anonymous" else status for role in ROLES}


def organisers_only(status: int) -> dict[str, int]:
    return {**signed_in(403), "organiser": status, "admin": status}


def admins_only(status: int) -> dict[str, int]:
    return {**signed_in(403), "admin": status}


# Drafts of outcome documents: only organisers and the forum's focal points see them (404 to others).
DRAFT_READERS = {**dict.fromkeys(ROLES, 404), "focal_point": 200, "organiser": 200, "admin": 200}


def draft_managers(status: int) -> dict[str, int]:
    """Organisers' actions on a draft: others are signed out (302), do not see it (404) or may not (403)."""
    return {**DRAFT_READERS, "anonymous": 302, "focal_point": 403, "organiser": status, "admin": status}


# (endpoint, method) -> expected status per role. POSTs send an empty form (CSRF is
# tested separately), so "allowed" shows as a form error (422) or a 404 for a missing target.
MATRIX: dict[tuple[str, str], dict[str, int]] = {
    ("static", "GET"): PUBLIC,
    ("site.healthz", "GET"): PUBLIC,
    ("site.choose_language", "POST"): dict.fromkeys(ROLES, 400),  # an empty form names no language
    ("forums.home", "GET"): PUBLIC,
    ("forums.forum", "GET"): PUBLIC,
    ("forums.event", "GET"): PUBLIC,
    ("schedule.timetable", "GET"): PUBLIC,
    ("schedule.session", "GET"): PUBLIC,
    ("schedule.schedule_json", "GET"): PUBLIC,
    ("schedule.schedule_xml", "GET"): PUBLIC,
    ("accounts.signup", "GET"): PUBLIC,
    ("accounts.signup", "POST"): PUBLIC,
    ("accounts.verify_email", "GET"): dict.fromkeys(ROLES, 400),
    ("accounts.login", "GET"): PUBLIC,
    ("accounts.login", "POST"): dict.fromkeys(ROLES, 422),
    ("accounts.logout", "POST"): dict.fromkeys(ROLES, 302),
    ("accounts.reset_request", "GET"): PUBLIC,
    ("accounts.reset_request", "POST"): PUBLIC,
    ("accounts.reset_password", "GET"): PUBLIC,
    ("accounts.reset_password", "POST"): PUBLIC,
    ("accounts.confirm_email_change", "GET"): dict.fromkeys(ROLES, 400),
    ("accounts.account", "GET"): signed_in(200),
    ("accounts.account_data", "GET"): signed_in(200),
    ("accounts.change_name", "POST"): signed_in(422),
    ("accounts.change_password", "POST"): signed_in(422),
    ("accounts.change_email", "POST"): signed_in(422),
    ("accounts.delete_account", "POST"): signed_in(422),
    # Signs the person out everywhere (then the matrix signs them in again).
    ("accounts.end_all_sessions", "POST"): signed_in(302),
    ("accounts.end_session", "POST"): signed_in(404),
    ("accounts.admin", "GET"): admins_only(200),
    ("forums.manage", "GET"): organisers_only(200),
    ("forums.appoint_organiser", "POST"): organisers_only(422),
    ("forums.remove_organiser", "POST"): organisers_only(404),
    ("forums.remove_focal_point", "POST"): organisers_only(404),
    ("delegations.invite_focal_point", "POST"): organisers_only(422),
    ("delegations.resend_invitation", "POST"): organisers_only(404),  # no invitation 999999
    ("delegations.revoke_invitation", "POST"): organisers_only(404),
    # The invited person may have no account yet: the link's secret is the permission (here a forged one).
    ("delegations.invitation", "GET"): dict.fromkeys(ROLES, 400),
    ("delegations.invitation", "POST"): dict.fromkeys(ROLES, 400),
    ("delegations.accept_invitation", "POST"): dict.fromkeys(ROLES, 400),
    ("delegations.carry_over", "GET"): organisers_only(200),
    ("delegations.carry_over", "POST"): organisers_only(422),  # no earlier forum chosen
    ("audit.audit_log", "GET"): organisers_only(200),
    ("mail.forum_outbox", "GET"): organisers_only(200),
    ("mail.site_outbox", "GET"): admins_only(200),
    ("registration.apply", "GET"): signed_in(200),
    ("registration.apply", "POST"): signed_in(409),  # ISEF2 (2018) has started: closed, no form
    ("registration.my_registrations", "GET"): signed_in(200),
    # The guardian has no account: the signed link is the permission (here a forged one).
    ("registration.guardian_consent", "GET"): dict.fromkeys(ROLES, 400),
    ("registration.guardian_consent", "POST"): dict.fromkeys(ROLES, 400),
    ("registration.cancel", "POST"): signed_in(404),  # not theirs (nobody's)
    ("registration.add_to_agenda", "POST"): signed_in(403),  # not confirmed for the event
    ("registration.remove_from_agenda", "POST"): signed_in(302),
    ("registration.edit_rules", "GET"): organisers_only(200),
    ("registration.edit_rules", "POST"): organisers_only(422),
    ("registration.add_question", "POST"): organisers_only(422),
    ("registration.remove_question", "POST"): organisers_only(404),
    ("delegations.delegation", "GET"): {**signed_in(403), "focal_point": 200, "organiser": 200, "admin": 200},
    ("delegations.nominate", "POST"): {**signed_in(403), "focal_point": 422, "organiser": 422, "admin": 422},
    ("delegations.withdraw_nomination", "POST"): {
        **signed_in(403),
        "focal_point": 404,
        "organiser": 404,
        "admin": 404,
    },  # nobody with that id
    ("delegations.accredit_nomination", "POST"): organisers_only(404),
    ("delegations.decline_nomination", "POST"): organisers_only(404),
    ("delegations.set_seat_quota", "POST"): organisers_only(422),
    ("delegations.nominations_overview", "GET"): organisers_only(200),
    ("delegations.manage_delegations", "GET"): organisers_only(200),
    ("delegations.manage_delegations", "POST"): organisers_only(422),
    ("delegations.edit_delegation", "GET"): organisers_only(200),
    ("delegations.edit_delegation", "POST"): organisers_only(422),
    ("delegations.remove_delegation", "POST"): organisers_only(422),  # not confirmed
    ("delegations.import_delegations", "GET"): organisers_only(200),
    ("delegations.import_delegations", "POST"): organisers_only(422),  # no file
    ("delegations.export_delegations", "GET"): organisers_only(200),
    ("delegations.organisations_list", "GET"): admins_only(200),
    ("delegations.organisations_list", "POST"): admins_only(422),
    ("delegations.edit_organisation", "GET"): admins_only(404),  # no organisation 999999
    ("delegations.edit_organisation", "POST"): admins_only(404),
    ("delegations.remove_organisation", "POST"): admins_only(404),
    ("delegations.participants_list", "GET"): PUBLIC,
    ("delegations.participants_pdf", "GET"): PUBLIC,
    ("delegations.participants_csv", "GET"): PUBLIC,
    ("delegations.manage_participants", "GET"): organisers_only(200),
    ("delegations.manage_participants_pdf", "GET"): organisers_only(200),
    ("delegations.manage_participants_csv", "GET"): organisers_only(200),
    ("delegations.draw_by_lot", "POST"): organisers_only(302),
    ("delegations.clear_draw", "POST"): organisers_only(302),
    ("delegations.participant_order", "POST"): organisers_only(302),
    ("delegations.member_listing", "GET"): {**signed_in(403), "focal_point": 404, "organiser": 404, "admin": 404},
    ("delegations.member_listing", "POST"): {**signed_in(403), "focal_point": 404, "organiser": 404, "admin": 404},
    ("registration.manage_registrations", "GET"): organisers_only(200),
    ("registration.export_registrations", "GET"): organisers_only(200),
    ("registration.registration_page", "GET"): organisers_only(404),  # no registration 999999
    ("registration.bulk_decide", "POST"): organisers_only(400),  # no action chosen
    ("registration.cancel_registration", "POST"): organisers_only(404),  # no registration 999999
    ("registration.change_capacity", "POST"): organisers_only(302),  # empty capacity: no limit
    ("schedule.manage_programme", "GET"): organisers_only(200),
    ("schedule.new_session", "GET"): organisers_only(200),
    ("schedule.new_session", "POST"): organisers_only(422),
    ("schedule.edit_session", "GET"): organisers_only(200),
    ("schedule.edit_session", "POST"): organisers_only(422),
    ("schedule.manage_conflicts", "GET"): organisers_only(200),
    ("schedule.acknowledge_warning", "POST"): organisers_only(422),  # no warning chosen
    ("schedule.acknowledge_page", "POST"): organisers_only(422),  # no warnings chosen
    ("forums.new_venue", "GET"): organisers_only(200),
    ("forums.new_venue", "POST"): organisers_only(422),
    ("forums.edit_venue", "GET"): organisers_only(404),  # no venue 999999
    ("forums.edit_venue", "POST"): organisers_only(404),
    ("forums.new_room", "GET"): organisers_only(200),
    ("forums.new_room", "POST"): organisers_only(422),
    ("forums.edit_room", "GET"): organisers_only(404),  # no room 999999
    ("forums.edit_room", "POST"): organisers_only(404),
    ("forums.new_event", "GET"): organisers_only(200),
    ("forums.new_event", "POST"): organisers_only(422),
    ("forums.edit_event", "GET"): organisers_only(200),
    ("forums.edit_event", "POST"): organisers_only(422),
    ("forums.edit_forum", "GET"): organisers_only(200),
    ("forums.edit_forum", "POST"): organisers_only(422),
    ("schedule.import_programme", "GET"): organisers_only(200),
    ("schedule.import_programme", "POST"): organisers_only(422),  # no file
    ("schedule.export_programme", "GET"): organisers_only(200),
    ("forums.new_forum", "GET"): admins_only(200),
    ("forums.new_forum", "POST"): admins_only(422),
    ("calendar.forum_feed", "GET"): PUBLIC,
    ("calendar.event_feed", "GET"): PUBLIC,
    ("calendar.session_feed", "GET"): PUBLIC,
    ("calendar.token_feed", "GET"): dict.fromkeys(ROLES, 404),  # the secret is in the URL, not the session
    ("calendar.renew_personal_feed", "POST"): signed_in(302),
    ("calendar.organiser_feed", "GET"): organisers_only(200),
    ("calendar.organiser_feed", "POST"): organisers_only(302),
    # An empty form: the copy in the forum's first language.
    ("offline.offline_copy", "POST"): organisers_only(200),
    ("statements.archive", "GET"): PUBLIC,
    ("statements.search", "GET"): PUBLIC,
    ("statements.forum_documents", "GET"): PUBLIC,
    ("statements.document", "GET"): DRAFT_READERS,
    ("statements.version", "GET"): DRAFT_READERS,
    ("statements.history", "GET"): DRAFT_READERS,
    ("statements.download", "GET"): DRAFT_READERS,
    ("statements.delegation_endorsements", "GET"): PUBLIC,
    ("statements.new_document", "GET"): organisers_only(200),
    ("statements.new_document", "POST"): organisers_only(422),
    ("statements.revise", "GET"): draft_managers(200),
    ("statements.revise", "POST"): draft_managers(422),
    ("statements.change_status", "POST"): draft_managers(422),
    ("statements.adopt", "POST"): draft_managers(422),
    ("statements.add_reference", "POST"): draft_managers(422),
    ("statements.record_endorsement", "POST"): draft_managers(422),
    ("statements.issue_corrigendum", "POST"): draft_managers(422),
    ("statements.revise_corrigendum", "GET"): draft_managers(404),  # a draft has no corrigendum
    ("statements.revise_corrigendum", "POST"): draft_managers(404),
    ("forums.series_list", "GET"): admins_only(200),
    ("forums.new_series", "GET"): admins_only(200),
    ("forums.new_series", "POST"): admins_only(422),
    ("forums.edit_series", "GET"): admins_only(200),
    ("forums.edit_series", "POST"): admins_only(422),
    # ISEF2 belongs to the series: the refusal is flashed on the list.
    ("forums.remove_series", "POST"): admins_only(302),
    ("delegations.participation", "GET"): PUBLIC,
    # Visa letters: the delegation's focal points and the accreditation role (administrators
    # here; "organiser" is an organiser without it).
    ("accreditation.delegation_visa_letters", "GET"): {**signed_in(403), "focal_point": 200, "admin": 200},
    ("accreditation.request_visa_letter", "POST"): {**signed_in(403), "focal_point": 404, "admin": 404},
    ("accreditation.visa_letter_register", "GET"): {**signed_in(403), "admin": 200},
    ("accreditation.visa_letterhead", "POST"): {**signed_in(403), "admin": 302},  # empty: unchanged
    ("accreditation.approve_visa_letter", "POST"): {**signed_in(403), "admin": 404},  # no letter 999999
    ("accreditation.refuse_visa_letter", "GET"): {**signed_in(403), "admin": 404},
    ("accreditation.refuse_visa_letter", "POST"): {**signed_in(403), "admin": 404},
    ("accreditation.revoke_visa_letter", "GET"): {**signed_in(403), "admin": 404},
    ("accreditation.revoke_visa_letter", "POST"): {**signed_in(403), "admin": 404},
    ("accreditation.download_visa_letter", "GET"): signed_in(404),  # no letter 999999
    # Embassies have no account: the reference and code are the permission.
    ("accreditation.verify_visa_letter", "GET"): PUBLIC,
    # Photos and credentials letters: the delegation's focal points and the forum's organisers.
    ("accreditation.member_photo", "GET"): {**signed_in(403), "focal_point": 404, "organiser": 404, "admin": 404},
    ("accreditation.member_photo", "POST"): {**signed_in(403), "focal_point": 404, "organiser": 404, "admin": 404},
    ("accreditation.remove_member_photo", "POST"): {
        **signed_in(403),
        "focal_point": 404,
        "organiser": 404,
        "admin": 404,
    },  # nobody with that id
    ("accreditation.member_photo_file", "GET"): {
        **signed_in(403),
        "focal_point": 404,
        "organiser": 404,
        "admin": 404,
    },
    ("accreditation.credentials", "GET"): {**signed_in(403), "focal_point": 200, "organiser": 200, "admin": 200},
    ("accreditation.credentials", "POST"): {**signed_in(403), "focal_point": 422, "organiser": 422, "admin": 422},
    ("accreditation.credentials_letter_file", "GET"): {
        **signed_in(403),
        "focal_point": 404,
        "organiser": 404,
        "admin": 404,
    },  # no letter 999999
    # Deciding on a letter takes the accreditation role: ISEF2's organiser here has none.
    ("accreditation.verify_credentials", "POST"): {**signed_in(403), "admin": 404},
    ("accreditation.return_credentials", "POST"): {**signed_in(403), "admin": 404},
    ("accreditation.credentials_overview", "GET"): organisers_only(200),
    # The accreditation role decides it (administrators here; "organiser" has no such role).
    ("accreditation.credentials_setting", "POST"): {**signed_in(403), "admin": 302},  # unticked: as it is
    # A member's identity data: the delegation's focal points and the forum's organisers (no person 999999).
    ("accreditation.member_identity", "GET"): {**signed_in(403), "focal_point": 404, "organiser": 404, "admin": 404},
    ("accreditation.member_identity", "POST"): {**signed_in(403), "focal_point": 404, "organiser": 404, "admin": 404},
    # The accreditation role only (ISEF2's organiser here has not got it): administrators.
    ("accreditation.accreditation_settings", "GET"): {**signed_in(403), "admin": 200},
    ("accreditation.accreditation_settings", "POST"): {**signed_in(403), "admin": 302},  # nothing required
    ("forums.accreditation_role", "POST"): {**signed_in(403), "admin": 422},  # no button pressed
    # The scanner: its staff and the forum's organisers; its data answers 401 to a signed-out
    # device (a JSON client, not a person to redirect).
    ("badges.scanner", "GET"): organisers_only(200),
    ("badges.scanner_data", "GET"): {**organisers_only(200), "anonymous": 401},
    ("badges.scanner_photo", "GET"): {**organisers_only(404), "anonymous": 401},  # no badge 999999
    ("badges.scanner_sync", "POST"): {**organisers_only(415), "anonymous": 401},  # a form, not JSON
    ("badges.scanner_worker", "GET"): PUBLIC,  # the service worker's code: no data
    # The badges page and its forms: organisers only (no badge or key 999999).
    ("badges.badges", "GET"): organisers_only(200),
    ("badges.issue_badges", "POST"): organisers_only(302),  # for everyone: nobody is waiting
    ("badges.issue_badge_by_hand", "POST"): organisers_only(422),
    ("badges.reprint_badge", "POST"): organisers_only(404),
    ("badges.revoke_badge", "POST"): organisers_only(404),
    ("badges.rotate_badge_key", "POST"): organisers_only(302),
    ("badges.retire_badge_key", "POST"): organisers_only(422),  # the box not ticked
    ("badges.print_badges", "GET"): organisers_only(302),  # nothing issued to print: back to the page
    ("badges.badge_file", "GET"): organisers_only(404),
    # Access zones and the scanning staff: the forum's organisers.
    ("badges.manage_zones", "GET"): organisers_only(200),
    ("badges.new_zone", "GET"): organisers_only(200),
    ("badges.new_zone", "POST"): organisers_only(422),
    ("badges.edit_zone", "GET"): organisers_only(404),  # no zone 999999
    ("badges.edit_zone", "POST"): organisers_only(404),
    ("badges.delete_zone", "GET"): organisers_only(404),
    ("badges.delete_zone", "POST"): organisers_only(404),
    ("badges.manage_scanners", "GET"): organisers_only(200),
    ("badges.appoint_scanner", "POST"): organisers_only(422),
    ("badges.remove_scanner", "POST"): organisers_only(404),  # nobody 999999 scans
    # Arrivals, for organisers: the page that refreshes itself and its CSV (names: audited).
    ("badges.arrivals_page", "GET"): organisers_only(200),
    ("badges.arrivals_csv", "GET"): organisers_only(200),
    # The public read API: the same for everyone (it reads no cookie); a draft is no one's to read there.
    ("api.forums", "GET"): PUBLIC,
    ("api.forum", "GET"): PUBLIC,
    ("api.events", "GET"): PUBLIC,
    ("api.rooms", "GET"): PUBLIC,
    ("api.sessions", "GET"): PUBLIC,
    ("api.session", "GET"): PUBLIC,
    ("api.delegations", "GET"): PUBLIC,
    ("api.participants", "GET"): PUBLIC,
    ("api.statements", "GET"): PUBLIC,
    ("api.statement", "GET"): dict.fromkeys(ROLES, 404),  # the draft statement
    ("api.statement_version", "GET"): dict.fromkeys(ROLES, 404),
    ("api.openapi_document", "GET"): PUBLIC,
    ("api.reference", "GET"): PUBLIC,
    # The API's calls that need a token: 401 without one, whoever is signed in (the cookie counts
    # for nothing there); tests/api/test_authenticated.py checks what tokens reach.
    ("api.registrations", "GET"): dict.fromkeys(ROLES, 401),
    ("api.registration", "GET"): dict.fromkeys(ROLES, 401),
    ("api.decide_registration", "POST"): dict.fromkeys(ROLES, 401),
    ("api.nominations", "GET"): dict.fromkeys(ROLES, 401),
    ("api.scans", "POST"): dict.fromkeys(ROLES, 401),
    # The account's API tokens: everyone signed in has the page (no token 999999 to revoke).
    ("api_tokens.token_list", "GET"): signed_in(200),
    ("api_tokens.create_token", "POST"): signed_in(422),
    ("api_tokens.revoke_token", "POST"): signed_in(404),
    # Webhooks: the forum's organisers (no endpoint 999999).
    ("webhooks.manage_webhooks", "GET"): organisers_only(200),
    ("webhooks.add_endpoint", "POST"): organisers_only(422),
    ("webhooks.new_secret", "POST"): organisers_only(404),
    ("webhooks.pause_endpoint", "POST"): organisers_only(404),
    ("webhooks.resume_endpoint", "POST"): organisers_only(404),
    ("webhooks.delete_endpoint", "POST"): organisers_only(404),
    ("webhooks.test_endpoint", "POST"): organisers_only(404),
    # The plenary's speakers' list (the opening is a plenary whose list is open; no entry 999999).
    ("plenary.manage_lists", "GET"): organisers_only(200),
    ("plenary.manage_list", "GET"): organisers_only(200),
    ("plenary.open_list", "POST"): organisers_only(422),
    ("plenary.change_list", "POST"): organisers_only(422),
    ("plenary.inscribe_speaker", "POST"): organisers_only(422),
    ("plenary.list_pdf", "GET"): organisers_only(200),
    ("plenary.move_entry", "POST"): organisers_only(404),
    ("plenary.mark_spoken", "POST"): organisers_only(404),
    ("plenary.mark_not_spoken", "POST"): organisers_only(404),
    ("plenary.delegation_speakers", "GET"): {**signed_in(403), "focal_point": 200, "organiser": 200, "admin": 200},
    ("plenary.inscribe", "POST"): {**signed_in(403), "focal_point": 422, "organiser": 422, "admin": 422},
    ("plenary.withdraw_entry", "POST"): signed_in(404),
    ("plenary.attach_statement", "GET"): signed_in(404),
    ("plenary.attach_statement", "POST"): signed_in(404),
    # The room's screen: anyone, as the session is public.
    ("plenary.screen", "GET"): PUBLIC,
    # The seating plan names every accredited person: the forum's organisers (ISEF2 has no plan yet).
    ("seating.seating_plan", "GET"): organisers_only(200),
    ("seating.save_seating_plan", "POST"): organisers_only(422),
    ("seating.seating_plan_pdf", "GET"): organisers_only(404),
    ("seating.name_plates_pdf", "GET"): organisers_only(404),
    # Announcements: written by the forum's organisers (an empty form chooses nobody and says
    # so: 422; no announcement 999999); everyone signed in has their own list.
    ("announcements.manage_announcements", "GET"): organisers_only(200),
    ("announcements.new_announcement", "GET"): organisers_only(200),
    ("announcements.send_announcement", "POST"): organisers_only(422),
    ("announcements.announcement", "GET"): organisers_only(404),
    ("announcements.my_announcements", "GET"): signed_in(200),
    ("reminders.manage_reminders", "GET"): organisers_only(200),
    ("reminders.add_reminder", "POST"): organisers_only(422),
    ("reminders.delete_reminder", "POST"): organisers_only(404),
    ("reminders.edit_reminder", "GET"): organisers_only(404),  # no reminder 999999
    ("reminders.edit_reminder", "POST"): organisers_only(404),
    # Both deadlines are optional: an empty form clears them.
    ("reminders.set_deadlines", "POST"): organisers_only(302),
    ("reminders.add_deadline_reminder", "POST"): organisers_only(422),
    ("reminders.delete_deadline_reminder", "POST"): organisers_only(404),
    # Certificates of attendance: the event's organisers mark people present and send them (an
    # empty form names nobody: 422; nobody attended Y-ISEF: the refusal is flashed); everyone
    # signed in has their own page (no certificate 999999 is theirs); schools have no account:
    # the reference and code are the permission.
    ("certificates.attendance_page", "GET"): organisers_only(200),
    ("certificates.mark_present", "POST"): organisers_only(422),
    ("certificates.unmark_present", "POST"): organisers_only(422),
    ("certificates.send_certificates", "POST"): organisers_only(302),
    ("certificates.event_certificate_pdf", "GET"): organisers_only(404),  # no certificate 999999
    ("certificates.revoke_certificate", "POST"): organisers_only(404),  # no certificate 999999
    ("certificates.my_certificates", "GET"): signed_in(200),
    ("certificates.certificate_pdf", "GET"): signed_in(404),
    ("certificates.verify_certificate", "GET"): PUBLIC,
    # Bilaterals: a delegation's list is its focal points' and the organisers'; a bilateral
    # is a 404 to everyone else (no bilateral 999999 here, so a 404 to all who may look).
    ("bilaterals.delegation_bilaterals", "GET"): {**signed_in(403), "focal_point": 200, "organiser": 200, "admin": 200},
    # Organisers see the list but only focal points ask (a 403 with the reason); the empty form: 422.
    ("bilaterals.request_bilateral", "POST"): {**signed_in(403), "focal_point": 422, "organiser": 403, "admin": 403},
    ("bilaterals.bilateral", "GET"): signed_in(404),
    ("bilaterals.accept_bilateral", "POST"): signed_in(404),
    ("bilaterals.decline_bilateral", "POST"): signed_in(404),
    ("bilaterals.propose_slots", "POST"): signed_in(404),
    ("bilaterals.cancel_bilateral", "POST"): signed_in(404),
    ("bilaterals.manage_bilaterals", "GET"): organisers_only(200),
    ("bilaterals.bilateral_settings", "POST"): organisers_only(422),
    ("bilaterals.add_bilateral_slots", "POST"): organisers_only(422),
    ("bilaterals.remove_bilateral_slot", "POST"): organisers_only(302),  # no slot 999999: flashed
    ("bilaterals.place_bilaterals", "POST"): organisers_only(302),  # nothing waiting: 0 placed
}


@dataclass
class Roles:
    people: dict[str, User]  # by role; nobody for "anonymous"
    values: dict[str, object]  # the URL arguments of every route


@pytest.fixture
def roles(app: Flask) -> Roles:
    with committed(app):
        programme = make_programme()  # ISEF2's Y-ISEF and its organiser
        session = programme.session("opening", "Opening", "2018-02-28 09:00", kind=SessionKind.PLENARY)
        make_policy(programme.event)
        delegation = make_delegation(programme.forum, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
        series = make_series(programme.forum)
        people = {
            "delegate": make_user(),
            "other_delegate": make_user(),
            "focal_point": make_focal_point(delegation),
            "other_organiser": make_organiser(make_forum(slug="other")),
            "organiser": programme.organiser,
            "admin": make_admin(),
        }
        plenary.open_list(
            programme.organiser,
            session,
            plenary.Settings(deadline=utcnow(), speaking_minutes=5, speakers_per_delegation=1, states_first=False),
        )
        create_document(
            programme.organiser,
            programme.forum,
            kind=DocumentKind.JOINT_STATEMENT,
            title="Draft statement",
            slug="draft-statement",
            text="A draft.",
        )
    values = {
        "slug": "isef2",
        "code": "Y-ISEF",
        "session_id": session.id,
        "token": "not-a-valid-token",
        "secret": "not-a-valid-token",
        "user_id": 999_999,
        "delegation_id": delegation.id,
        "filename": "css/planner.css",
        "registration_id": 999_999,
        "question_id": 999_999,
        "person_id": 999_999,
        "account_session_id": 999_999,
        "invitation_id": 999_999,
        "venue_id": 999_999,
        "organisation_id": 999_999,
        "room_id": 999_999,
        "doc_slug": "draft-statement",
        "number": 1,
        "fmt": "txt",
        "series_id": series.id,
        "letter_id": 999_999,
        "badge_id": 999_999,
        "key_id": 999_999,
        "zone_id": 999_999,
        "token_id": 999_999,
        "endpoint_id": 999_999,
        "entry_id": 999_999,
        "announcement_id": 999_999,
        "reminder_id": 999_999,
        "deadline_reminder_id": 999_999,
        "certificate_id": 999_999,
        "bilateral_id": 999_999,
        "slot_id": 999_999,
    }
    return Roles(people, values)


def routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_is_in_the_matrix(app):
    assert routes(app) == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, roles, role):
    client = app.test_client()
    if role != "anonymous":
        sign_in(client, roles.people[role])
    unexpected = {}
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            with app.test_request_context():
                url = app.url_for(rule.endpoint, **{k: roles.values[k] for k in rule.arguments})
            response = client.open(url, method=method, data={})
            response.close()
            expected = MATRIX[(rule.endpoint, method)][role]
            if response.status_code != expected:
                unexpected[f"{method} {url}"] = (response.status_code, expected)
            if rule.endpoint in ("accounts.logout", "accounts.end_all_sessions"):
                sign_in(client, roles.people[role]) if role != "anonymous" else None
    assert unexpected == {}, "(got, expected)"


def test_every_state_changing_route_refuses_a_request_without_csrf_token(app, roles):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    sign_in(client, roles.people["admin"])
    checked = 0
    for rule in app.url_map.iter_rules():
        for method in rule.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            with app.test_request_context():
                url = app.url_for(rule.endpoint, **{k: roles.values[k] for k in rule.arguments})
            response = client.open(url, method=method, data={"csrf_token": "forged"})
            if rule.endpoint.startswith("api."):
                # The API reads no cookie, so a page of another site gains nothing by posting
                # to it: its writes need a token in a header instead.
                assert response.status_code == 401, (method, url)
                continue
            assert response.status_code == 400, (method, url)
            assert "did not come from planner" in response.get_data(as_text=True)
            checked += 1
    assert checked >= 9
    # With the token from a page, the same request goes through.
    page = client.get("/me/account").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
