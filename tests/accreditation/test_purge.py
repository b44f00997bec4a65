"""Purged on time: ``flask purge-personal-data`` removes a forum's identity data, photos and
letters once its retention period is over, and leaves nothing of them on disk or in the
database; people, their participation and the registers stay. The retention is the forum's
setting, on its edit form."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

import pytest
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from planner import crypto, storage
from planner.accreditation import purge
from planner.accreditation.models import (
    CredentialsLetter,
    CredentialsStatus,
    IdentityDetails,
    MemberPhoto,
    VisaLetter,
    VisaLetterStatus,
)
from planner.audit.models import AuditEntry
from planner.delegations.models import DelegationMember, NominationStatus, Person
from planner.extensions import db
from planner.forums import services
from planner.forums.models import Forum
from tests.conftest import sign_in
from tests.factories import committed, current, make_delegation, make_forum, make_isef2, make_organiser, make_person

# ISEF2's last day is 3 March 2018: with 90 days' retention its data is kept until 1 June.
KEPT_UNTIL = "2018-06-01"
PAST = "2018-06-02"
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC).timestamp()


@dataclass
class Built:
    forum: Forum
    passport_numbers: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # the files the forum's rows name


@pytest.fixture
def store(app, tmp_path, monkeypatch) -> storage.DirectoryStore:
    """The file store in a folder of the test's own (UPLOAD_DIRECTORY)."""
    monkeypatch.setitem(app.config, "UPLOAD_DIRECTORY", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.extensions, storage.EXTENSION, None)
    storage.init_app(app)
    return app.extensions[storage.EXTENSION]


def build(store: storage.DirectoryStore, forum: Forum, members: int = 2) -> Built:
    """A delegation of ``forum`` with accredited members, each with identity data, a photo and
    an issued visa letter (passport number and PDF), a second letter only requested, and the
    delegation's verified credentials letter."""
    built = Built(forum)
    delegation = make_delegation(forum)
    for n in range(members):
        person = make_person()
        db.session.add(DelegationMember(delegation=delegation, person=person, status=NominationStatus.ACCREDITED))
        db.session.flush()
        number = f"TK{forum.id:03d}{person.id:05d}"
        built.passport_numbers.append(number)
        db.session.add(
            IdentityDetails(
                delegation_id=delegation.id,
                person_id=person.id,
                passport_family_name="TANAKA",
                passport_given_names="HANAKO",
                nationality="JP",
                date_of_birth="1970-01-01",
                document_number=number,
                document_expires_on=dt.date(2030, 1, 1),
                phone="+81 3 0000 0000",
            )
        )
        photo = store.put("photos", b"\xff\xd8\xff photo " + number.encode(), "jpg")
        db.session.add(
            MemberPhoto(
                delegation_id=delegation.id, person_id=person.id, storage_key=photo, width=600, height=800, size=30
            )
        )
        pdf = store.put("letters", b"%PDF-1.7 letter for " + number.encode(), "pdf")
        db.session.add(
            VisaLetter(
                delegation_id=delegation.id,
                person_id=person.id,
                reference=f"{forum.slug.upper()}-2018-{n + 1:04d}",
                code_hash="0" * 64,
                status=VisaLetterStatus.ISSUED,
                name_as_in_passport="TANAKA Hanako",
                nationality="JP",
                passport_number=number,
                passport_last_digits=number[-4:],
                function="Minister",
                issued_on=dt.date(2018, 2, 1),
                storage_key=pdf,
            )
        )
        built.keys += [photo, pdf]
    # An earlier letter, refused: a passport number, no PDF (one live letter a member at a time).
    db.session.add(
        VisaLetter(
            delegation_id=delegation.id,
            person_id=person.id,
            status=VisaLetterStatus.REFUSED,
            passport_number=built.passport_numbers[-1],
            passport_last_digits=built.passport_numbers[-1][-4:],
        )
    )
    letter = store.put("credentials", b"%PDF-1.7 credentials", "pdf")
    db.session.add(
        CredentialsLetter(
            delegation=delegation,
            storage_key=letter,
            filename="credentials.pdf",
            size=20,
            status=CredentialsStatus.VERIFIED,
            decided_at=dt.datetime(2018, 2, 20, tzinfo=dt.UTC),
        )
    )
    built.keys.append(letter)
    db.session.flush()
    return built


def orphan(store: storage.DirectoryStore, folder: str, old: bool = True) -> str:
    """A file no row names, as a crash between writing it and committing its row leaves."""
    key = store.put(folder, b"left behind", "bin")
    if old:
        path = os.path.join(store.root, key)
        os.utime(path, (LONG_AGO, LONG_AGO))
    return key


@pytest.fixture
def isef2(app, store) -> Built:
    with committed(app):
        return build(store, make_isef2())


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["purge-personal-data", *args])


def files_in(store: storage.DirectoryStore) -> set[str]:
    return {key for folder in purge.FOLDERS for key in store.keys(folder)}


def personal_rows(forum_id: int) -> dict[str, int]:
    """What is left of a forum's personal data in the database."""
    with_forum = "delegation_id IN (SELECT id FROM delegations WHERE forum_id = :forum)"
    queries = {
        "identity": f"SELECT count(*) FROM identity_details WHERE {with_forum}",
        "photos": f"SELECT count(*) FROM member_photos WHERE {with_forum}",
        "credentials files": f"SELECT count(*) FROM credentials_letters WHERE storage_key IS NOT NULL AND {with_forum}",
        "passport numbers": f"SELECT count(*) FROM visa_letters WHERE passport_number IS NOT NULL AND {with_forum}",
        "letter PDFs": f"SELECT count(*) FROM visa_letters WHERE storage_key IS NOT NULL AND {with_forum}",
    }
    return {name: db.session.scalar(text(query), {"forum": forum_id}) for name, query in queries.items()}


def raw_text(table: str) -> str:
    """Every value of every row of ``table`` as the database holds it (no decryption)."""
    return "\n".join(repr(tuple(row)) for row in db.session.execute(text(f"SELECT * FROM {table}")))  # noqa: S608


def test_the_dry_run_is_the_default_and_changes_nothing(app, store, isef2):
    stray = orphan(store, "photos")
    before = files_in(store)
    result = run(app, "--today", PAST)
    assert result.exit_code == 0, result.output
    assert f"isef2 (kept until {KEPT_UNTIL}) would lose:" in result.output
    assert "Identity records: 2" in result.output
    assert "Photos: 2" in result.output
    assert "Credentials letters' files: 1" in result.output
    assert "Visa letters' passport numbers and PDFs: 3" in result.output
    assert "Files: 5 (" in result.output
    assert "Files that no record names (left by a crash): 1 (11 bytes)" in result.output
    assert "Dry run: nothing was removed. Run it again with --yes to remove this." in result.output
    assert files_in(store) == before and stray in before
    with app.app_context():
        assert personal_rows(isef2.forum.id) == {
            "identity": 2,
            "photos": 2,
            "credentials files": 1,
            "passport numbers": 3,
            "letter PDFs": 2,
        }
        assert db.session.get(Forum, isef2.forum.id).personal_data_purged_at is None
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    # --dry-run says the same.
    assert run(app, "--dry-run", "--today", PAST).output == result.output


def test_the_purge_leaves_nothing_behind_on_disk_or_in_the_database(app, store, isef2):
    strays = [orphan(store, folder) for folder in purge.FOLDERS]
    fresh = orphan(store, "photos", old=False)  # perhaps an upload whose row is being committed
    stored_bytes = sum(store.size(key) for key in isef2.keys)
    with app.app_context():
        people = db.session.scalar(select(func.count()).select_from(Person))
        memberships = db.session.execute(select(DelegationMember.person_id, DelegationMember.status)).all()
    result = run(app, "--yes", "--today", PAST)
    assert result.exit_code == 0, result.output
    assert "Removed from isef2:" in result.output
    assert "Identity records: 2" in result.output and "Photos: 2" in result.output
    assert "Files that no record names (left by a crash): 3 (33 bytes)" in result.output
    # On disk: only the file too young to tell from an upload in progress.
    assert files_in(store) == {fresh}
    assert not any(store.exists(key) for key in isef2.keys + strays)
    with app.app_context():
        assert personal_rows(isef2.forum.id) == dict.fromkeys(
            ("identity", "photos", "credentials files", "passport numbers", "letter PDFs"), 0
        )
        # The raw tables: no passport number, in clear or encrypted, nor anything of the identity records.
        visas, identities, audit = raw_text("visa_letters"), raw_text("identity_details"), raw_text("audit_entries")
        assert identities == ""
        for number in isef2.passport_numbers:
            assert number not in visas and number not in audit
        assert "gAAAAA" not in visas  # a Fernet token begins so
        # People, their participation and the registers stay.
        assert db.session.scalar(select(func.count()).select_from(Person)) == people
        assert db.session.execute(select(DelegationMember.person_id, DelegationMember.status)).all() == memberships
        register = db.session.execute(
            select(
                VisaLetter.reference, VisaLetter.name_as_in_passport, VisaLetter.status, VisaLetter.passport_last_digits
            )
            .where(VisaLetter.reference.is_not(None))
            .order_by(VisaLetter.reference)
        ).all()
        assert register == [
            ("ISEF2-2018-0001", "TANAKA Hanako", VisaLetterStatus.ISSUED, isef2.passport_numbers[0][-4:]),
            ("ISEF2-2018-0002", "TANAKA Hanako", VisaLetterStatus.ISSUED, isef2.passport_numbers[1][-4:]),
        ]
        credentials = db.session.scalars(select(CredentialsLetter)).one()
        assert credentials.status is CredentialsStatus.VERIFIED and credentials.decided_at is not None
        forum = db.session.get(Forum, isef2.forum.id)
        assert forum.personal_data_purged_at is not None
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.action, e.forum_id) for e in entries] == [
            ("personal_data.purged", forum.id),
            ("personal_data.orphans_removed", None),
        ]
        assert entries[0].after == {
            "identity_records": 2,
            "photos": 2,
            "credentials_letters": 1,
            "visa_letters": 3,
            "files": 5,
            "bytes": stored_bytes,
        }
        assert entries[0].before is None
        assert entries[1].after == {"files": 3, "bytes": 33}


def test_a_second_run_removes_nothing_and_says_so(app, store, isef2):
    assert run(app, "--yes", "--today", PAST).exit_code == 0
    with app.app_context():
        purged_at = db.session.get(Forum, isef2.forum.id).personal_data_purged_at
    for args in (("--yes", "--today", PAST), ("--today", PAST), ("--yes",)):
        again = run(app, *args)
        assert again.exit_code == 0, again.output
        assert (
            again.output.strip()
            == "Nothing to remove: the personal data of every forum past its retention period is purged already."
        )
    with app.app_context():
        assert db.session.get(Forum, isef2.forum.id).personal_data_purged_at == purged_at
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_forums_inside_their_retention_are_untouched(app, store, isef2):
    with committed(app):
        later = build(store, make_forum(slug="isef3", last_day=dt.date(2018, 5, 1), first_day=dt.date(2018, 4, 28)))
        kept_long = build(store, make_forum(slug="isef1", personal_data_retention_days=3660))
    result = run(app, "--yes", "--today", PAST)
    assert result.exit_code == 0, result.output
    assert "Removed from isef2:" in result.output
    assert "isef3" not in result.output and "isef1" not in result.output
    assert all(store.exists(key) for key in later.keys + kept_long.keys)
    with app.app_context():
        for forum in (later.forum, kept_long.forum):
            assert personal_rows(forum.id)["identity"] == 2
            assert personal_rows(forum.id)["passport numbers"] == 3
            assert db.session.get(Forum, forum.id).personal_data_purged_at is None
    # On its last day of retention a forum keeps everything: the purge begins the day after.
    assert run(app, "--today", "2018-07-30").output.strip() == (
        "Nothing to remove: the personal data of every forum past its retention period is purged already."
    )
    assert "isef3 (kept until 2018-07-30)" in run(app, "--today", "2018-07-31").output


def test_forum_limits_the_purge_to_one_forum_and_leaves_orphans(app, store, isef2):
    with committed(app):
        other = build(store, make_forum(slug="isef1"))
    stray = orphan(store, "credentials")
    result = run(app, "--yes", "--forum", "isef1", "--today", PAST)
    assert result.exit_code == 0, result.output
    assert "Removed from isef1:" in result.output and "isef2" not in result.output
    assert not any(store.exists(key) for key in other.keys)
    assert all(store.exists(key) for key in isef2.keys) and store.exists(stray)
    with app.app_context():
        assert personal_rows(other.forum.id)["identity"] == 0
        assert personal_rows(isef2.forum.id)["identity"] == 2
    early = run(app, "--forum", "isef2", "--today", KEPT_UNTIL)
    assert early.exit_code == 0
    assert early.output.strip() == f"isef2 keeps its personal data until {KEPT_UNTIL}: nothing is removed yet."


def test_the_day_begins_in_the_forums_timezone(app, store):
    with committed(app):
        tokyo = make_forum(slug="tokyo", timezone="Asia/Tokyo")
        honolulu = make_forum(slug="honolulu", timezone="Pacific/Honolulu")
    # 2 June 2018 has begun in Tokyo (09:00) but not in Honolulu (1 June, 14:00).
    now = dt.datetime(2018, 6, 2, 0, 0, tzinfo=dt.UTC)
    with app.app_context():
        due = purge.forums_due(now)
        assert [f.slug for f in due if f.slug in ("tokyo", "honolulu")] == ["tokyo"]
        assert honolulu.personal_data_kept_until == tokyo.personal_data_kept_until == dt.date(2018, 6, 1)


def test_a_failed_commit_keeps_every_file(app, store, isef2, monkeypatch):
    stray = orphan(store, "letters")

    def fail() -> None:
        raise OperationalError("COMMIT", {}, Exception("the database went away"))

    with monkeypatch.context() as patched:
        patched.setattr(db.session, "commit", fail)
        result = run(app, "--yes", "--today", PAST)
    assert result.exit_code == 1
    assert "The purge could not be saved: nothing was removed and every file is kept. Run it again." in result.output
    assert "went away" not in result.output
    assert all(store.exists(key) for key in isef2.keys) and store.exists(stray)
    with app.app_context():
        assert personal_rows(isef2.forum.id)["identity"] == 2
        assert db.session.get(Forum, isef2.forum.id).personal_data_purged_at is None
    # The next run does it all.
    assert run(app, "--yes", "--today", PAST).exit_code == 0
    assert files_in(store) == set()


def test_the_purge_reads_nothing_encrypted_so_a_lost_key_does_not_stop_it(app, store, isef2, monkeypatch):
    monkeypatch.setitem(app.extensions, crypto.EXTENSION, MultiFernet([Fernet(crypto.new_key().encode())]))
    with app.app_context(), pytest.raises(crypto.UnreadableValue):
        db.session.scalars(select(VisaLetter)).first()
    result = run(app, "--yes", "--today", PAST)
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert personal_rows(isef2.forum.id)["passport numbers"] == 0


def test_a_file_already_gone_is_not_an_error(app, store, isef2):
    store.delete(isef2.keys[0])
    result = run(app, "--yes", "--today", PAST)
    assert result.exit_code == 0, result.output
    assert "Photos: 2" in result.output and "Files: 4 (" in result.output
    assert files_in(store) == set()


def test_a_forum_with_nothing_stored_is_marked_purged_once(app, store):
    with committed(app):
        forum = make_forum(slug="quiet")
    result = run(app, "--yes", "--forum", "quiet", "--today", PAST)
    assert "Removed from quiet:" in result.output and "Identity records: 0" in result.output
    with app.app_context():
        assert db.session.get(Forum, forum.id).personal_data_purged_at is not None
    assert "purged already" in run(app, "--yes", "--forum", "quiet", "--today", PAST).output


def test_no_forum_past_retention(app, store):
    with committed(app):
        make_forum(slug="future", first_day=dt.date(2099, 1, 1), last_day=dt.date(2099, 1, 2))
    result = run(app, "--yes")
    assert result.exit_code == 0
    assert result.output.strip() == "Nothing to remove: no forum is past its retention period."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--today", "2018-13-01"), "2018-13-01 is not a date written like 2018-03-03."),
        (("--today", "yesterday"), "yesterday is not a date written like 2018-03-03."),
        (("--forum", "nope"), "There is no forum nope."),
    ],
)
def test_bad_options_are_usage_errors_with_a_clear_message(app, store, isef2, args, message):
    result = run(app, "--yes", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert all(store.exists(key) for key in isef2.keys)


# The retention setting ----------------------------------------------------------------------

FORM = {
    "name": "ISEF2",
    "title": "The forum",
    "host_city": "Tokyo",
    "description": "",
    "age_of_majority": "18",
}


@pytest.fixture
def organiser(app):
    with committed(app):
        return make_organiser(make_isef2())


def retention() -> int:
    return db.session.scalar(select(Forum.personal_data_retention_days).where(Forum.slug == "isef2"))


def test_organisers_set_the_retention_and_the_hub_says_when_the_purge_comes(app, client, organiser):
    sign_in(client, organiser)
    hub = client.get("/forums/isef2/manage/").get_data(as_text=True)
    assert "are kept until Friday, June 1, 2018, 90 days after its last day, and purged after it." in hub
    page = client.get("/forums/isef2/manage/forum").get_data(as_text=True)
    assert 'name="personal_data_retention_days"' in page and 'value="90"' in page
    response = client.post("/forums/isef2/manage/forum", data={**FORM, "personal_data_retention_days": "30"})
    assert response.status_code == 302
    with app.app_context():
        assert retention() == 30
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry.action == "forum.saved"
        assert (entry.before, entry.after) == (
            {"personal_data_retention_days": 90},
            {"personal_data_retention_days": 30},
        )
    hub = client.get("/forums/isef2/manage/").get_data(as_text=True)
    assert "are kept until Monday, April 2, 2018, 30 days after its last day" in hub


def test_the_hub_says_when_the_data_was_purged(app, client, organiser, store):
    assert run(app, "--yes", "--today", PAST).exit_code == 0
    sign_in(client, organiser)
    hub = client.get("/forums/isef2/manage/").get_data(as_text=True)
    assert "passport numbers, photos and letters of this forum were purged on" in hub


@pytest.mark.parametrize("value", ["", "ninety", "-1", "3661", "1.5", "9" * 30])
def test_a_bad_retention_is_refused_with_a_message(app, client, organiser, value):
    sign_in(client, organiser)
    response = client.post("/forums/isef2/manage/forum", data={**FORM, "personal_data_retention_days": value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give the number of days, like 90." in page or "Give a number of days from 0 to 3660." in page
    with app.app_context():
        assert retention() == 90


def test_the_retention_rule_holds_for_every_entry_point(app, organiser, app_context):
    forum = db.session.scalar(select(Forum).where(Forum.slug == "isef2"))
    with pytest.raises(services.ForumError, match="Give a number of days from 0 to 3660."):
        services.save_forum(
            current(organiser),
            forum,
            name="ISEF2",
            title="T",
            host_city="Tokyo",
            description="",
            personal_data_retention_days=3661,
        )
