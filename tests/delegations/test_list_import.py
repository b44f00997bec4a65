"""The invitation list as CSV: a dry run that says what would be added and changed, an import
that writes every row or none, problems by line, and an export that reads back."""

import io

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEntry
from planner.delegations import list_import
from planner.delegations.models import Delegation, DelegationKind, DelegationStatus
from planner.extensions import db
from planner.forums.models import ForumStatus
from tests.conftest import sign_in
from tests.factories import Programme, committed, current, make_forum, make_kept_list, make_organiser, make_programme

IMPORT = "/forums/isef2/manage/delegations/import"
EXPORT = "/forums/isef2/manage/delegations.csv"
HEADER = "id,country_code,organisation,name,kind,space_agency,seat_quota,status,name_ja\n"


@pytest.fixture
def programme(app) -> Programme:
    with committed(app):
        programme = make_programme()
        programme.forum.languages = ["en", "ja"]
        programme.delegation(
            "japan", "Japan", kind=DelegationKind.COUNTRY, country_code="JP", seat_quota=2, seats_used=1
        )
        other = make_forum(slug="other")
        programme.delegation("foreign", "France", forum=other, kind=DelegationKind.COUNTRY, country_code="FR")
        programme.people["other_organiser"] = make_organiser(other)
        programme.others.update(make_kept_list())
    return programme


@pytest.fixture
def organiser(client, programme):
    sign_in(client, programme.organiser)
    return client


def send(client, text: str | bytes, dry_run: bool = False):
    raw = text.encode() if isinstance(text, str) else text
    data = {"file": (io.BytesIO(raw), "list.csv")}
    if dry_run:
        data["dry_run"] = "y"
    return client.post(IMPORT, data=data, content_type="multipart/form-data")


def names(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Delegation.name).where(Delegation.forum.has(slug="isef2"))))


def test_a_dry_run_says_what_would_change_and_writes_nothing(app, organiser, programme):
    text = HEADER + (
        f"{programme.japan.id},JP,,,country,JAXA,4,confirmed,\n"
        ",FR,,,,CNES,3,,\n"
        ",,esa,,,,,,\n"
        ",,,Moon Village Association,organisation,,,invited,ムーン・ビレッジ協会\n"
    )
    response = send(organiser, text, dry_run=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "4 rows are fine." in page and "Nothing was written: this was a dry run." in page
    added = page.split("To be added")[1].split("</ul>")[0]
    assert all(n in added for n in ("France", "European Space Agency", "Moon Village Association"))
    assert "Japan" in page.split("To be changed")[1].split("</ul>")[0]
    assert names(app) == {"Japan"}

    response = send(organiser, text)
    assert response.status_code == 302
    with app.app_context():
        stored = {
            d.name: d for d in db.session.scalars(select(Delegation).where(Delegation.forum_id == programme.forum.id))
        }
        japan, france, esa, village = (
            stored[n] for n in ("Japan", "France", "European Space Agency", "Moon Village Association")
        )
        assert (japan.space_agency, japan.seat_quota, japan.status) == ("JAXA", 4, DelegationStatus.CONFIRMED)
        assert (france.country_code, france.seat_quota, france.status) == ("FR", 3, DelegationStatus.INVITED)
        assert esa.organisation_id == programme.ESA.id
        assert village.translations == {"ja": {"name": "ムーン・ビレッジ協会"}}
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert actions.count("delegation.added") == 3 and "delegations.imported" in actions
        assert "nomination.quota_changed" in actions and "delegation.changed" in actions


def test_the_export_reads_back_unchanged(app, organiser, programme):
    send(organiser, HEADER + ',FR,,,,CNES,3,,\n,,ESA,,,,,,\n,,,"=Moon, Inc.",,,,declined,月株式会社\n')
    exported = organiser.get(EXPORT)
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")
    text = exported.get_data(as_text=True)
    assert text.splitlines()[0] == HEADER.strip()
    assert "'=Moon, Inc." in text  # no formula for spreadsheets
    response = send(organiser, text, dry_run=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "4 delegations stay as they are." in page and "To be added" not in page and "To be changed" not in page
    assert send(organiser, text).status_code == 302
    assert names(app) == {"Japan", "France", "European Space Agency", "=Moon, Inc."}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"country_code\n\xff\xfe\n", "The file is not UTF-8 text; save it as CSV UTF-8."),
        ("", "The first line must name the columns"),
        ("country_code,colour\nFR,blue\n", "unknown: colour"),
        ("kind,status\ncountry,invited\n", "The first line must name the columns"),
        ("country_code\n", "The file has no delegations under its first line."),
        ("country_code\nEU\n", "EU is not an ISO 3166-1 country code."),
        ("country_code\nXK\n", "XK is not an ISO 3166-1 country code."),
        ("country_code\nFR\nfr\n", "France is already invited: line 2."),
        ("country_code\nJP\n", "Japan is already invited: Japan in this forum."),
        ("name\nMoon\nMOON\n", "The name MOON is already used: line 2."),
        ("organisation\nNASA\n", "The site&#39;s list of organisations has no NASA."),
        ("country_code,seat_quota\nFR,three\n", "The seat quota must be a whole number, or empty for no limit."),
        ("country_code,seat_quota\nFR,-1\n", "The seat quota must be a whole number"),
        ("country_code,seat_quota\nFR,5000\n", "Enter a number from 0 to 1000."),
        ("country_code,status\nFR,maybe\n", "The status must be one of invited, confirmed, declined, withdrawn."),
        ("country_code,kind\nFR,organisation\n", "A delegation with a country_code is a country."),
        ("name,kind\nMoon,country\n", "A country has a country_code"),
        ("name,kind\nMoon,planet\n", "The kind must be country or organisation."),
        ("country_code,name\nFR,France\n", "Fill in one of country_code, organisation or name."),
        ("country_code,name_ja\nFR,フランス\n", "name_ja: only organisations invited by name"),
        ("country_code\nFR,extra\n", "This row has more cells than the first line has columns."),
        ("name\nBad\x01name\n", "Remove control characters or unreadable characters from name."),
        ("name\n" + "x" * 201 + "\n", "Name: keep this to 200 characters or fewer."),
        ("country_code,space_agency\nFR," + "x" * 201 + "\n", "Space agency: keep this to 200 characters or fewer."),
        ("id,country_code\n999999,FR\n", "This forum has no delegation with the number 999999."),
        ("country_code,name_fr\nFR,France\n", "unknown: name_fr"),
    ],
)
def test_a_bad_file_says_why_by_line_and_imports_nothing(app, organiser, text, message):
    response = send(organiser, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert names(app) == {"Japan"}


def test_problems_have_their_line_numbers(organiser):
    page = send(organiser, "country_code,seat_quota\nFR,1\nDE,x\nIT,2\nZZ,\n").get_data(as_text=True)
    table = page.split("<tbody>")[1]
    assert '<th scope="row">3</th><td>The seat quota' in table and '<th scope="row">5</th><td>ZZ is not' in table
    assert "Nothing was imported: 2 problems." in page


def test_a_row_cannot_change_another_forums_delegation_or_a_delegations_country(app, organiser, programme):
    page = send(organiser, f"id,country_code\n{programme.foreign.id},FR\n").get_data(as_text=True)
    assert f"This forum has no delegation with the number {programme.foreign.id}." in page
    page = send(organiser, f"id,country_code\n{programme.japan.id},KR\n").get_data(as_text=True)
    assert "its country or organisation cannot change" in page
    page = send(organiser, f"id,country_code,seat_quota\n{programme.japan.id},JP,0\n").get_data(as_text=True)
    assert "1 seat is held by a nomination: withdraw or decline it first." in page
    page = send(organiser, f"id,country_code\n{programme.japan.id},JP\n{programme.japan.id},JP\n").get_data(
        as_text=True
    )
    assert f"Delegation {programme.japan.id} is already changed on line 2." in page


def test_too_many_rows_or_too_big_a_file_is_refused(app, organiser, monkeypatch):
    monkeypatch.setattr(list_import, "MAX_ROWS", 2)
    page = send(organiser, "country_code\nFR\nDE\nIT\n").get_data(as_text=True)
    assert "At most 2 delegations can be imported at once." in page
    monkeypatch.setattr(list_import, "MAX_BYTES", 10)
    page = send(organiser, "country_code\nFR\nDE\n").get_data(as_text=True)
    assert "The file is larger than 0 MB." in page or "larger than" in page
    assert names(app) == {"Japan"}


def test_no_file_is_a_form_error(organiser):
    response = organiser.post(IMPORT, data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a CSV file to import." in response.get_data(as_text=True)


def test_an_archived_forums_list_is_not_imported(app, organiser, programme):
    with app.app_context():
        current(programme.forum).status = ForumStatus.ARCHIVED
        db.session.commit()
    response = send(organiser, "country_code\nFR\n", dry_run=True)
    assert response.status_code == 422
    assert "ISEF2 is archived" in response.get_data(as_text=True)
    assert names(app) == {"Japan"}


def test_organisers_of_another_forum_neither_import_nor_export_here(app, client, programme):
    sign_in(client, programme.other_organiser)
    assert send(client, "country_code\nDE\n").status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert names(app) == {"Japan"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
