"""Ministerial accreditation through the pages: focal points nominate their delegation up to its
quota, organisers accredit, decline and set quotas; refusals are messages, never 500s."""

import re

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.accounts.permissions import focal_point_delegations as delegations_of_focal_point
from planner.audit.models import AuditEntry
from planner.delegations import services as nominations
from planner.delegations.models import (
    Delegation,
    DelegationKind,
    DelegationMember,
    MemberRole,
    NominationStatus,
    Person,
)
from planner.extensions import db
from planner.forums.models import Forum
from tests.accounts.helpers import mails_to
from tests.conftest import sign_in
from tests.factories import (
    Programme,
    committed,
    current,
    make_delegation,
    make_forum,
    make_organiser,
    make_person,
    make_programme,
    make_user,
)

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def programme(app) -> Programme:
    """ISEF2 with Japan (two seats) and France; Japan's focal point, an organiser, a delegate,
    and a delegation of another forum."""
    with committed(app):
        programme = make_programme()
        programme.delegation("japan", "Japan", kind=DelegationKind.COUNTRY, country_code="JP", seat_quota=2)
        programme.delegation("france", "France", kind=DelegationKind.COUNTRY, country_code="FR")
        programme.delegation(
            "foreign", "Japan", forum=make_forum(slug="other"), kind=DelegationKind.COUNTRY, country_code="JP"
        )
        programme.focal_point("focal", "japan")
        programme.focal_point("other_focal", "france")
        programme.person("delegate")
    return programme


def page(delegation_id: int) -> str:
    return f"/forums/isef2/delegations/{delegation_id}/"


def post_nomination(
    client, delegation_id, name="Aiko Tanaka", email="aiko@example.org", role="minister", organisation="MEXT"
):
    return client.post(
        page(delegation_id) + "nominations",
        data={
            "nominate-given_name": name,
            "nominate-email": email,
            "nominate-role": role,
            "nominate-organisation": organisation,
        },
    )


def act(client, programme, person_id, action, **data):
    return client.post(f"{page(programme.japan.id)}nominations/{person_id}/{action}", data=data)


def nominate_directly(app, programme, name, email) -> int:
    """Nominate through the service (as the organiser); the person's id."""
    with app.test_request_context():
        organiser = db.session.get(User, programme.organiser.id)
        member = nominations.nominate(
            organiser, db.session.get(Delegation, programme.japan.id), given_name=name, email=email
        )
        db.session.commit()
        return member.person_id


def japan_state(app, programme) -> tuple[int | None, int, dict[str, str]]:
    """Japan's quota, seats used and members' statuses by name."""
    with app.app_context():
        japan = db.session.get(Delegation, programme.japan.id)
        members = {m.person.name: m.status.value for m in japan.members}
        return japan.seat_quota, japan.seats_used, members


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_focal_point_nominates_up_to_the_quota(client, app, programme):
    sign_in(client, programme.focal)
    assert post_nomination(client, programme.japan.id).status_code == 302
    assert post_nomination(client, programme.japan.id, "Kenji Sato", "kenji@example.org", "adviser").status_code == 302
    refused = post_nomination(client, programme.japan.id, "Mei Ito", "mei@example.org")
    assert refused.status_code == 422
    assert "All 2 seats of Japan are taken." in refused.get_data(as_text=True)
    assert japan_state(app, programme) == (2, 2, {"Aiko Tanaka": "nominated", "Kenji Sato": "nominated"})
    with app.app_context():
        assert db.session.scalar(select(Person).where(Person.email == "mei@example.org")) is None
        aiko = db.session.scalar(
            select(DelegationMember).join(DelegationMember.person).where(Person.email == "aiko@example.org")
        )
        assert aiko.role is MemberRole.MINISTER and aiko.person.organisation == "MEXT"
        assert aiko.person.country_code == "JP"
    assert actions(app) == ["nomination.nominated", "nomination.nominated"]
    text = client.get(page(programme.japan.id)).get_data(as_text=True)
    assert "Kenji Sato" in text and "Adviser" in text and "Withdraw Aiko Tanaka" in text
    # Deciding is for organisers: a focal point is offered no such buttons.
    assert "Accredit" not in text and "Decline" not in text and "Seat quota</h2>" not in text


def test_withdrawing_frees_a_seat(client, app, programme):
    aiko = nominate_directly(app, programme, "Aiko Tanaka", "aiko@example.org")
    nominate_directly(app, programme, "Kenji Sato", "kenji@example.org")
    sign_in(client, programme.focal)
    assert act(client, programme, aiko, "withdraw").status_code == 302
    assert "The nomination of Aiko Tanaka is withdrawn." in client.get(page(programme.japan.id)).get_data(as_text=True)
    assert japan_state(app, programme) == (2, 1, {"Aiko Tanaka": "withdrawn", "Kenji Sato": "nominated"})
    # Withdrawing twice is a message, not a second seat freed.
    assert act(client, programme, aiko, "withdraw").status_code == 302
    assert "This nomination is no longer active." in client.get(page(programme.japan.id)).get_data(as_text=True)
    assert japan_state(app, programme)[1] == 1
    # The freed seat can be given again, also to the same person.
    assert post_nomination(client, programme.japan.id, email="Aiko@Example.org").status_code == 302
    assert japan_state(app, programme) == (2, 2, {"Aiko Tanaka": "nominated", "Kenji Sato": "nominated"})


def test_organiser_accredits_and_the_person_is_told(client, app, programme):
    aiko = nominate_directly(app, programme, "Aiko Tanaka", "aiko@example.org")
    sign_in(client, programme.organiser)
    assert "Accredit Aiko Tanaka" in client.get(page(programme.japan.id)).get_data(as_text=True)
    assert act(client, programme, aiko, "accredit").status_code == 302
    text = client.get(page(programme.japan.id)).get_data(as_text=True)
    assert "Aiko Tanaka is accredited." in text and "Accredit Aiko Tanaka" not in text
    assert "Decline Aiko Tanaka" in text
    assert japan_state(app, programme) == (2, 1, {"Aiko Tanaka": "accredited"})
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "nomination.accredited"))
        assert entry.actor_id == programme.organiser.id and entry.after == {"status": "accredited"}
    assert [m.subject for m in mails_to(app, "aiko@example.org")] == ["You are accredited to ISEF2"]
    # Accrediting again is refused with the reason, and sends nothing more.
    assert act(client, programme, aiko, "accredit").status_code == 302
    assert "Only nominated members can be accredited." in client.get(page(programme.japan.id)).get_data(as_text=True)
    assert len(mails_to(app, "aiko@example.org")) == 1


def test_organiser_declines_from_the_overview_and_the_seat_is_freed(client, app, programme):
    aiko = nominate_directly(app, programme, "Aiko Tanaka", "aiko@example.org")
    nominate_directly(app, programme, "Kenji Sato", "kenji@example.org")
    sign_in(client, programme.organiser)
    overview = client.get("/forums/isef2/manage/nominations").get_data(as_text=True)
    assert "Decline Aiko Tanaka" in overview and "Accredit Kenji Sato" in overview
    response = act(client, programme, aiko, "decline", back="overview")
    assert response.status_code == 302 and response.location.endswith("/forums/isef2/manage/nominations")
    assert japan_state(app, programme) == (2, 1, {"Aiko Tanaka": "declined", "Kenji Sato": "nominated"})
    assert actions(app)[-1] == "nomination.declined"
    overview = client.get("/forums/isef2/manage/nominations").get_data(as_text=True)
    assert "The nomination of Aiko Tanaka is declined." in overview and "Decline Aiko Tanaka" not in overview


def test_quota_below_the_seats_used_is_refused_and_nothing_changes(client, app, programme):
    nominate_directly(app, programme, "Aiko Tanaka", "aiko@example.org")
    nominate_directly(app, programme, "Kenji Sato", "kenji@example.org")
    sign_in(client, programme.organiser)
    refused = client.post(page(programme.japan.id) + "quota", data={"quota-quota": "1"})
    assert refused.status_code == 422
    assert "2 seats are held by nominations: withdraw or decline some first." in refused.get_data(as_text=True)
    assert japan_state(app, programme)[:2] == (2, 2)
    assert "nomination.quota_changed" not in actions(app)
    # Empty means no limit.
    assert client.post(page(programme.japan.id) + "quota", data={"quota-quota": ""}).status_code == 302
    assert japan_state(app, programme)[:2] == (None, 2)
    assert "No limit" in client.get(page(programme.japan.id)).get_data(as_text=True)
    assert client.post(page(programme.japan.id) + "quota", data={"quota-quota": " 5 "}).status_code == 302
    assert japan_state(app, programme)[:2] == (5, 2)
    with app.app_context():
        changes = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "nomination.quota_changed").order_by(AuditEntry.id)
        ).all()
        assert [(c.before, c.after) for c in changes] == [
            ({"seat_quota": 2}, {"seat_quota": None}),
            ({"seat_quota": None}, {"seat_quota": 5}),
        ]


@pytest.mark.parametrize("value", ["-1", "1001", "ten", "2.5", "9" * 30, SCRIPT])
def test_quota_must_be_a_number_from_0_to_1000(client, app, programme, value):
    sign_in(client, programme.organiser)
    response = client.post(page(programme.japan.id) + "quota", data={"quota-quota": value})
    assert response.status_code == 422 and SCRIPT not in response.get_data(as_text=True)
    assert japan_state(app, programme)[0] == 2


@pytest.mark.parametrize("who", ["other_focal", "delegate"])
def test_focal_point_of_another_delegation_and_a_delegate_are_refused(client, app, programme, who):
    aiko = nominate_directly(app, programme, "Aiko Tanaka", "aiko@example.org")
    sign_in(client, getattr(programme, who))
    assert client.get(page(programme.japan.id)).status_code == 403
    assert post_nomination(client, programme.japan.id, "Mei Ito", "mei@example.org").status_code == 403
    for action in ("withdraw", "accredit", "decline"):
        assert act(client, programme, aiko, action).status_code == 403
    assert client.post(page(programme.japan.id) + "quota", data={"quota-quota": "9"}).status_code == 403
    assert client.get("/forums/isef2/manage/nominations").status_code == 403
    assert japan_state(app, programme) == (2, 1, {"Aiko Tanaka": "nominated"})


def test_focal_point_cannot_decide_or_set_the_quota(client, app, programme):
    aiko = nominate_directly(app, programme, "Aiko Tanaka", "aiko@example.org")
    sign_in(client, programme.focal)
    assert act(client, programme, aiko, "accredit").status_code == 403
    assert act(client, programme, aiko, "decline").status_code == 403
    assert client.post(page(programme.japan.id) + "quota", data={"quota-quota": "9"}).status_code == 403
    assert client.get("/forums/isef2/manage/nominations").status_code == 403
    assert japan_state(app, programme) == (2, 1, {"Aiko Tanaka": "nominated"})


def test_a_delegation_of_another_forum_is_not_found_here(client, app, programme):
    with app.app_context():
        other = db.session.scalar(select(Forum).where(Forum.slug == "other"))
        foreign_organiser = make_organiser(other)
        db.session.commit()
    for token in (programme.organiser, foreign_organiser):
        sign_in(client, token)
        assert client.get(page(programme.foreign.id)).status_code == 404
        assert post_nomination(client, programme.foreign.id).status_code == 404
        assert client.post(page(programme.foreign.id) + "quota", data={"quota-quota": "1"}).status_code == 404
    sign_in(client, programme.organiser)
    assert client.get(page(999_999)).status_code == 404
    assert act(client, programme, 999_999, "accredit").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DelegationMember)) == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, programme):
    response = client.get(page(programme.japan.id))
    assert response.status_code == 302 and "/login" in response.location


def test_nominating_the_same_person_twice_is_refused(client, app, programme):
    with app.app_context():
        japan = db.session.get(Delegation, programme.japan.id)
        japan.seat_quota = None
        db.session.commit()
    sign_in(client, programme.focal)
    assert post_nomination(client, programme.japan.id).status_code == 302
    again = post_nomination(client, programme.japan.id, "A. Tanaka", " AIKO@example.org ")
    assert again.status_code == 422 and "Aiko Tanaka is already nominated." in again.get_data(as_text=True)
    assert japan_state(app, programme) == (None, 1, {"Aiko Tanaka": "nominated"})


BAD_NOMINATIONS = {
    "nothing sent": {},
    "all empty": {"nominate-given_name": "", "nominate-email": "", "nominate-role": ""},
    "blank name": {"nominate-given_name": "   ", "nominate-email": "aiko@example.org"},
    "oversized name": {"nominate-given_name": "x" * 201, "nominate-email": "aiko@example.org"},
    "huge name": {"nominate-given_name": "x" * 100_000, "nominate-email": "aiko@example.org"},
    "oversized organisation": {
        "nominate-given_name": "Aiko",
        "nominate-email": "aiko@example.org",
        "nominate-organisation": "x" * 201,
    },
    "oversized email": {"nominate-given_name": "Aiko", "nominate-email": "a" * 320 + "@example.org"},
    "not an email": {"nominate-given_name": "Aiko", "nominate-email": "aiko"},
    "two addresses": {"nominate-given_name": "Aiko", "nominate-email": "aiko@example.org,mei@example.org"},
    "markup in email": {"nominate-given_name": "Aiko", "nominate-email": "<aiko>@example.org"},
    "NUL in email": {"nominate-given_name": "Aiko", "nominate-email": "ai\x00ko@example.org"},
    "control characters in name": {"nominate-given_name": "Ai\x00ko\x1b", "nominate-email": "aiko@example.org"},
    "unknown role": {"nominate-given_name": "Aiko", "nominate-email": "aiko@example.org", "nominate-role": "emperor"},
    "script as email": {"nominate-given_name": "Aiko", "nominate-email": SCRIPT},
}


@pytest.mark.parametrize("data", BAD_NOMINATIONS.values(), ids=BAD_NOMINATIONS.keys())
def test_bad_nominations_are_form_errors_and_store_nothing(client, app, programme, data):
    sign_in(client, programme.focal)
    response = client.post(page(programme.japan.id) + "nominations", data=data)
    assert response.status_code == 422
    assert "Please correct the following" in response.get_data(as_text=True)
    assert SCRIPT not in response.get_data(as_text=True)
    assert japan_state(app, programme) == (2, 0, {})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_a_body_that_is_not_utf8_is_no_server_error(client, programme):
    # Werkzeug keeps undecodable escapes as typed ("%FF"), which makes a valid, if odd, name.
    sign_in(client, programme.focal)
    response = client.post(
        page(programme.japan.id) + "nominations",
        content_type="application/x-www-form-urlencoded",
        data=b"nominate-given_name=%FF%FE&nominate-email=%C3%28%40example.org",
    )
    assert response.status_code == 302


def test_markup_in_a_name_is_stored_as_typed_and_shown_escaped(client, app, programme):
    sign_in(client, programme.focal)
    assert post_nomination(client, programme.japan.id, name=SCRIPT, organisation=SCRIPT).status_code == 302
    with app.app_context():
        person = db.session.scalar(select(Person))
        assert person.name == SCRIPT and person.organisation == SCRIPT
    text = client.get(page(programme.japan.id)).get_data(as_text=True)
    assert SCRIPT not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text
    sign_in(client, programme.organiser)
    overview = client.get("/forums/isef2/manage/nominations").get_data(as_text=True)
    assert SCRIPT not in overview and "Accredit &lt;script&gt;" in overview


def _forum_with_delegations(n: int, slug: str) -> Forum:
    """A forum of ``n`` delegations, each with a member in every status."""
    forum = make_forum(slug=slug)
    for i in range(n):
        delegation = make_delegation(forum, name=f"Delegation {slug} {i:02d}", seat_quota=10, seats_used=2)
        for status in NominationStatus:
            person = make_person(name=f"{status.value} {slug} {i}")
            db.session.add(DelegationMember(delegation_id=delegation.id, person_id=person.id, status=status))
    db.session.flush()
    return forum


def test_overview_costs_the_same_queries_for_3_and_40_delegations(app, count_queries):
    with committed(app):
        admin = make_user(is_admin=True)
        _forum_with_delegations(3, "small")
        _forum_with_delegations(40, "large")
    client = app.test_client()
    sign_in(client, admin)
    counts = {}
    for slug in ("small", "large"):
        with count_queries() as counter:
            response = client.get(f"/forums/{slug}/manage/nominations")
        assert response.status_code == 200
        counts[slug] = counter.count
    assert counts["small"] == counts["large"], counts
    text = client.get("/forums/small/manage/nominations").get_data(as_text=True)
    row = re.search(r"Delegation small 01</a></th>(.*?)</tr>", text, re.DOTALL).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row) == ["10", "2", "1", "1", "1", "1"]
    assert text.count("Accredit nominated small") == 3


def test_pages_carry_the_csrf_token_their_forms_need(app, programme):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    sign_in(client, programme.organiser)
    text = client.get(page(programme.japan.id)).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text).group(1)
    data = {"nominate-given_name": "Aiko Tanaka", "nominate-email": "aiko@example.org", "nominate-role": "member"}
    assert client.post(page(programme.japan.id) + "nominations", data=data).status_code == 400
    signed = {**data, "nominate-csrf_token": token}
    assert client.post(page(programme.japan.id) + "nominations", data=signed).status_code == 302
    with app.app_context():
        aiko = db.session.scalar(select(Person.id))
    assert act(client, programme, aiko, "accredit").status_code == 400
    assert act(client, programme, aiko, "accredit", csrf_token=token).status_code == 302


def test_focal_points_find_their_delegations(app, programme):
    with app.app_context():
        forum, focal, organiser = current(programme.forum), current(programme.focal), current(programme.organiser)
        assert [d.name for d in delegations_of_focal_point(focal, forum)] == ["Japan"]
        assert delegations_of_focal_point(organiser, forum) == []
        assert delegations_of_focal_point(AnonymousUserMixin(), forum) == []
        assert delegations_of_focal_point(focal, current(programme.foreign).forum) == []


def nominate_by_parts(client, delegation_id, given, family, family_first):
    data = {
        "nominate-given_name": given,
        "nominate-family_name": family,
        "nominate-email": "yui@example.org",
        "nominate-role": "minister",
    }
    if family_first:
        data["nominate-family_name_first"] = "y"
    return client.post(page(delegation_id) + "nominations", data=data)


@pytest.mark.parametrize(("family_first", "shown"), [(True, "Sato Yui"), (False, "Yui Sato")])
def test_a_member_is_shown_in_the_order_the_focal_point_gave(client, app, programme, family_first, shown):
    sign_in(client, programme.focal)
    assert nominate_by_parts(client, programme.japan.id, "Yui", "Sato", family_first).status_code == 302
    page_text = client.get(page(programme.japan.id)).get_data(as_text=True)
    assert f"{shown} is nominated." in page_text
    assert japan_state(app, programme) == (2, 1, {shown: "nominated"})
    with app.app_context():
        person = db.session.scalar(select(Person))
        assert (person.given_name, person.family_name, person.family_name_first) == ("Yui", "Sato", family_first)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "nomination.nominated"))
        assert entry.summary == f"{shown} nominated for Japan"
    sign_in(client, programme.organiser)
    person_id = programme_person_id(app)
    act(client, programme, person_id, "accredit")
    [accredited] = mails_to(app, "yui@example.org")
    assert shown in accredited.text_body


def programme_person_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Person.id))


BAD_MEMBER_NAMES = {
    "an empty given name": ("", "Sato", "Enter the person's given name."),
    "both empty": (" ", "", "Enter the person's given name."),
    "control characters": ("Yui", "Sa\x1bto", "Remove control characters or characters that could not be read."),
    "a part past 200 characters": ("Yui", "S" * 201, "200"),
    "both past 200 together": (
        "Y" * 150,
        "S" * 50,
        "The given and family name are too long together: use at most 200 characters.",
    ),
}


@pytest.mark.parametrize("case", BAD_MEMBER_NAMES)
def test_bad_member_names_are_refused_with_nothing_stored(client, app, programme, case):
    given, family, message = BAD_MEMBER_NAMES[case]
    sign_in(client, programme.focal)
    response = nominate_by_parts(client, programme.japan.id, given, family, True)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert japan_state(app, programme) == (2, 0, {})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_the_service_refuses_a_name_that_does_not_fit(app, programme):
    with app.test_request_context():
        organiser = db.session.get(User, programme.organiser.id)
        japan = db.session.get(Delegation, programme.japan.id)
        with pytest.raises(nominations.NominationError, match="too long together"):
            nominations.nominate(organiser, japan, given_name="Y" * 150, family_name="S" * 60, email="y@example.org")
        with pytest.raises(nominations.NominationError, match="Enter the person's name."):
            nominations.nominate(organiser, japan, given_name="  ", email="y@example.org")
