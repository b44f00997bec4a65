"""Credentials letters: a plain PDF is kept and waits for the secretariat; hostile files are
refused with a message and store nothing; the accreditation role verifies or returns a letter
(the focal points are told why, in their language); a forum can make accreditation wait for
verified credentials."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from planner.accreditation import credentials
from planner.accreditation.models import CredentialsLetter, CredentialsStatus
from planner.audit.models import AuditEntry
from planner.delegations import services as nominations
from planner.delegations.models import DelegationMember, NominationStatus
from planner.extensions import db
from planner.forums.models import Forum
from planner.mail.services import written_in
from tests.accounts.helpers import mails_to
from tests.accreditation.file_helpers import (
    encoded,
    files_in,
    letter_pdf,
    portrait,
    post_files,
    raw_pdf,
    rows,
)
from tests.conftest import sign_in
from tests.factories import current


def letters_url(delegation) -> str:
    return f"/forums/isef2/delegations/{delegation.id}/credentials"


def send(client, delegation, data: bytes, filename: str = "credentials.pdf", content_type: str = "application/pdf"):
    return post_files(client, letters_url(delegation), {"letter-letter": (io.BytesIO(data), filename, content_type)})


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(letter_pdf())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_focal_point_sends_a_letter_that_waits_for_the_secretariat(app, client, forums, uploads):
    sign_in(client, forums.japan_focal)
    response = send(client, forums.japan, letter_pdf(), filename="../../note verbale.pdf")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "The credentials letter of Japan is sent to the secretariat." in page
    assert "waiting for verification" in page
    (letter,) = rows(app, CredentialsLetter)
    assert (letter.status, letter.filename, letter.uploaded_by_id) == (
        CredentialsStatus.SUBMITTED,
        "note verbale.pdf",
        forums.japan_focal.id,
    )
    assert files_in(uploads) == [letter.storage_key]
    assert letter.storage_key.startswith("credentials/") and letter.storage_key.endswith(".pdf")
    assert "credentials.uploaded" in [entry.action for entry in rows(app, AuditEntry)]


HOSTILE = {
    "a script named .pdf": (b"#!/bin/sh\nrm -rf ~\n", "not a PDF"),
    "a JPEG named .pdf": (encoded(portrait((400, 500))), "not a PDF"),
    "an empty file": (b"", "The file is empty"),
    "a JPEG that is also a PDF": (raw_pdf(before=b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"), "not a PDF"),
    "an HTML page that is also a PDF": (raw_pdf(before=b"<html><script>alert(1)</script>\n"), "not a PDF"),
    "a PDF with a ZIP after its end": (raw_pdf(after=b"PK\x03\x04" + bytes(200)), "something else after its end"),
    "a PDF with HTML inside": (raw_pdf(b"/Lang (<script>alert(1)</script>)"), "contains scripts"),
    "a PDF that runs JavaScript when opened": (
        raw_pdf(b"/OpenAction 4 0 R", b"<< /S /JavaScript /JS (app.alert(1)) >>"),
        "contains scripts",
    ),
    "a PDF hiding its JavaScript in #xx escapes": (
        raw_pdf(b"/OpenAction 4 0 R", b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"),
        "contains scripts",
    ),
    "a PDF that launches a program": (
        raw_pdf(b"/OpenAction 4 0 R", b"<< /S /Launch /F (calc.exe) >>"),
        "contains scripts",
    ),
    "a PDF that opens a web page": (
        raw_pdf(b"/OpenAction 4 0 R", b"<< /S /URI /URI (https://evil.example) >>"),
        "contains scripts",
    ),
    "a PDF with an embedded file": (
        raw_pdf(b"/Names << /EmbeddedFiles 4 0 R >>", b"<< /Names [(a.exe) 5 0 R] >>", b"<< /Type /Filespec >>"),
        "contains scripts",
    ),
    "an encrypted PDF": (encrypted_pdf(), "protected with a password"),
    "a PDF header and rubbish": (b"%PDF-1.4\n" + b"rubbish " * 200 + b"\n%%EOF\n", "cannot be read"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_letter_gets_a_message_and_stores_nothing(app, client, forums, uploads, name):
    data, message = HOSTILE[name]
    sign_in(client, forums.japan_focal)
    response = send(client, forums.japan, data)
    assert response.status_code == 422
    assert message in response.text
    assert 'class="error-summary"' in response.text
    assert rows(app, CredentialsLetter) == []
    assert files_in(uploads) == []


def test_a_letter_that_opens_at_its_first_page_is_a_letter():
    credentials.checked_pdf(raw_pdf(b"/OpenAction [3 0 R /Fit]"))
    credentials.checked_pdf(raw_pdf(b"/OpenAction << /S /GoTo /D [3 0 R /Fit] >>"))


def test_twenty_megabytes_are_refused_before_they_are_read(app, client, forums, uploads):
    sign_in(client, forums.japan_focal)
    response = send(client, forums.japan, b"%PDF-1.7\n" + bytes(20 * 2**20))
    assert response.status_code == 413
    assert "The letter is larger than 10 MB" in response.text
    assert rows(app, CredentialsLetter) == []
    assert files_in(uploads) == []


def verified_by(client, forums, letter_id: int):
    sign_in(client, forums.accreditor)
    return client.post(f"{letters_url(forums.japan)}/{letter_id}/verify")


def test_the_accreditation_role_verifies_the_newest_letter(app, client, forums, uploads):
    sign_in(client, forums.japan_focal)
    send(client, forums.japan, letter_pdf())
    (letter,) = rows(app, CredentialsLetter)
    response = verified_by(client, forums, letter.id)
    assert response.status_code == 302
    assert "The credentials letter of Japan is verified." in client.get(response.location).get_data(as_text=True)
    (letter,) = rows(app, CredentialsLetter)
    assert (letter.status, letter.decided_by_id) == (CredentialsStatus.VERIFIED, forums.accreditor.id)
    assert "credentials.verified" in [entry.action for entry in rows(app, AuditEntry)]


@pytest.mark.parametrize("who", ["organiser", "japan_focal"])
def test_other_organisers_and_focal_points_cannot_decide(app, client, forums, uploads, who):
    sign_in(client, forums.japan_focal)
    send(client, forums.japan, letter_pdf())
    (letter,) = rows(app, CredentialsLetter)
    sign_in(client, getattr(forums, who))
    for action in ("verify", "return"):
        response = client.post(f"{letters_url(forums.japan)}/{letter.id}/{action}", data={"return-reason": "No."})
        assert response.status_code == 403
    assert rows(app, CredentialsLetter)[0].status is CredentialsStatus.SUBMITTED


def test_a_returned_letter_tells_the_focal_points_why_in_their_language(app, client, forums, uploads, monkeypatch):
    languages = []

    def noted(language):
        languages.append(language)
        return written_in(language)

    monkeypatch.setattr(credentials, "written_in", noted)
    with app.app_context():
        current(forums.japan_focal).language = "ja"
        db.session.commit()
    sign_in(client, forums.japan_focal)
    send(client, forums.japan, letter_pdf())
    (letter,) = rows(app, CredentialsLetter)
    sign_in(client, forums.accreditor)
    url = f"{letters_url(forums.japan)}/{letter.id}/return"
    response = client.post(url, data={"return-reason": "   "})
    assert response.status_code == 422
    assert "Say why the letter is returned." in response.get_data(as_text=True)
    response = client.post(url, data={"return-reason": "The letter is not signed."})
    assert response.status_code == 302
    (letter,) = rows(app, CredentialsLetter)
    assert (letter.status, letter.reason) == (CredentialsStatus.RETURNED, "The letter is not signed.")
    (mail,) = mails_to(app, "focal@jp.example.org")
    assert languages == ["ja"]
    assert "The letter is not signed." in mail.text_body
    assert f"/forums/isef2/delegations/{forums.japan.id}/credentials" in mail.text_body
    assert mails_to(app, "focal@fr.example.org") == []
    entry = [entry for entry in rows(app, AuditEntry) if entry.action == "credentials.returned"][0]
    assert entry.after == {"status": "returned", "reason": "The letter is not signed."}


def test_only_the_newest_letter_is_decided_and_history_is_kept(app, client, forums, uploads):
    sign_in(client, forums.japan_focal)
    send(client, forums.japan, letter_pdf("First"))
    send(client, forums.japan, letter_pdf("Second"))
    older, newer = sorted(rows(app, CredentialsLetter), key=lambda letter: letter.id)
    response = verified_by(client, forums, older.id)
    assert "A newer letter of Japan was sent" in client.get(response.location).get_data(as_text=True)
    page = client.get(letters_url(forums.japan)).get_data(as_text=True)
    assert page.count("waiting for verification") == 2
    assert "(replaced by a newer letter)" in page
    assert len(files_in(uploads)) == 2


def accredit(client, forums) -> str:
    sign_in(client, forums.organiser)
    url = f"/forums/isef2/delegations/{forums.japan.id}/nominations/{forums.aiko.person_id}/accredit"
    return client.get(client.post(url).location).get_data(as_text=True)


def status_of(app, member) -> NominationStatus:
    with app.app_context():
        return db.session.scalar(
            select(DelegationMember.status).where(
                DelegationMember.delegation_id == member.delegation_id, DelegationMember.person_id == member.person_id
            )
        )


def test_a_forum_can_make_accreditation_wait_for_verified_credentials(app, client, forums, uploads):
    # An organiser without the accreditation role may not decide it, and is not offered the form.
    sign_in(client, forums.organiser)
    assert 'for="setting-required"' not in client.get("/forums/isef2/manage/credentials").get_data(as_text=True)
    assert client.post("/forums/isef2/manage/credentials", data={"setting-required": "y"}).status_code == 403
    assert "forum.credentials_required" not in [entry.action for entry in rows(app, AuditEntry)]
    sign_in(client, forums.accreditor)
    response = client.post("/forums/isef2/manage/credentials", data={"setting-required": "y"})
    assert response.status_code == 302
    assert "The accreditation setting of ISEF2 is saved." in client.get(response.location).get_data(as_text=True)
    assert "forum.credentials_required" in [entry.action for entry in rows(app, AuditEntry)]

    assert "Japan has sent none yet" in accredit(client, forums)
    assert status_of(app, forums.aiko) is NominationStatus.NOMINATED

    sign_in(client, forums.japan_focal)
    send(client, forums.japan, letter_pdf())
    assert "is not verified yet" in accredit(client, forums)
    (letter,) = rows(app, CredentialsLetter)
    sign_in(client, forums.accreditor)
    client.post(f"{letters_url(forums.japan)}/{letter.id}/return", data={"return-reason": "Unsigned."})
    assert "was returned" in accredit(client, forums)
    assert status_of(app, forums.aiko) is NominationStatus.NOMINATED

    sign_in(client, forums.japan_focal)
    send(client, forums.japan, letter_pdf("Signed"))
    newest = max(rows(app, CredentialsLetter), key=lambda letter: letter.id)
    verified_by(client, forums, newest.id)
    assert "Aiko Tanaka is accredited." in accredit(client, forums)
    assert status_of(app, forums.aiko) is NominationStatus.ACCREDITED


def test_without_the_setting_accreditation_does_not_wait(app, client, forums, uploads):
    assert "Aiko Tanaka is accredited." in accredit(client, forums)


def test_credentials_problem_is_none_unless_the_forum_requires_credentials(app, forums):
    with app.app_context():
        japan = current(forums.japan)
        assert credentials.credentials_problem(japan) is None
        db.session.get(Forum, japan.forum_id).credentials_required = True
        assert "has sent none yet" in credentials.credentials_problem(japan)
        with pytest.raises(credentials.CredentialsMissing):
            nominations.accredit(current(forums.organiser), current(forums.aiko))


def test_the_overview_shows_each_delegation_s_newest_letter(app, client, forums, uploads):
    sign_in(client, forums.japan_focal)
    send(client, forums.japan, letter_pdf())
    sign_in(client, forums.accreditor)
    page = client.get("/forums/isef2/manage/credentials").get_data(as_text=True)
    table_rows = {row.split("</a>", 1)[0].rsplit(">", 1)[-1]: row for row in page.split("<tr>")[2:]}
    assert "waiting for verification" in table_rows["Japan"]
    assert "None sent" in table_rows["France"]
    assert '<label for="setting-required">' in page
