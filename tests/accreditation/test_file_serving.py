"""Photos and letters leave planner only through views that check who asks: the delegation's
focal points and the forum's organisers (and, for photos, the accreditation role), with the
file's type, ``nosniff``, no caching and an entry in the audit log."""

from __future__ import annotations

import io

import pytest

from planner.accreditation.models import CredentialsLetter, MemberPhoto
from planner.audit.models import AuditEntry
from planner.storage import file_store
from tests.accreditation.file_helpers import encoded, letter_pdf, portrait, post_files, rows
from tests.conftest import sign_in


def photo_url(member) -> str:
    return f"/forums/isef2/delegations/{member.delegation_id}/members/{member.person_id}/photo"


def letter_url(delegation, letter_id: int) -> str:
    return f"/forums/isef2/delegations/{delegation.id}/credentials/{letter_id}/letter.pdf"


@pytest.fixture
def stored(app, client, forums, uploads):
    """A photo of Aiko (Japan) and a letter of Japan, sent by Japan's focal point."""
    sign_in(client, forums.japan_focal)
    photo = {"photo-photo": (io.BytesIO(encoded(portrait())), "me.jpg", "image/jpeg")}
    photo.update({"photo-zoom": "100", "photo-shift_x": "0", "photo-shift_y": "0"})
    assert post_files(client, photo_url(forums.aiko), photo).status_code == 302
    letter = {"letter-letter": (io.BytesIO(letter_pdf()), "letter.pdf", "application/pdf")}
    assert post_files(client, f"/forums/isef2/delegations/{forums.japan.id}/credentials", letter).status_code == 302
    (letter_row,) = rows(app, CredentialsLetter)
    return letter_row


def fresh_client(app, user=None):
    client = app.test_client()
    if user is not None:
        sign_in(client, user)
    return client


def test_a_photo_is_served_inline_as_a_jpeg_never_cached_and_audited(app, forums, stored):
    response = fresh_client(app, forums.japan_focal).get(photo_url(forums.aiko) + ".jpg")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["Content-Disposition"] == (
        f'inline; filename="photo-{forums.japan.id}-{forums.aiko.person_id}.jpg"'
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    (photo,) = rows(app, MemberPhoto)
    with app.app_context():
        assert response.data == file_store().get(photo.storage_key)
    entry = [entry for entry in rows(app, AuditEntry) if entry.action == "photo.downloaded"][-1]
    assert (entry.actor_id, entry.target_id) == (forums.japan_focal.id, f"{forums.japan.id}/{forums.aiko.person_id}")


def test_a_letter_is_served_as_an_attachment_never_cached_and_audited(app, forums, stored):
    response = fresh_client(app, forums.organiser).get(letter_url(forums.japan, stored.id))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    name = f"credentials-{forums.japan.id}-{stored.id}.pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data.startswith(b"%PDF-")
    entry = [entry for entry in rows(app, AuditEntry) if entry.action == "credentials.downloaded"][-1]
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        forums.organiser.id,
        "credentials_letter",
        str(stored.id),
    )


@pytest.mark.parametrize(
    ("who", "photo", "letter"),
    [
        ("japan_focal", 200, 200),
        ("organiser", 200, 200),
        ("accreditor", 200, 200),
        ("france_focal", 403, 403),
        ("other_organiser", 403, 403),
        ("delegate", 403, 403),
        (None, 302, 302),
    ],
)
def test_who_may_download(app, forums, stored, who, photo, letter):
    client = fresh_client(app, getattr(forums, who) if who else None)
    assert client.get(photo_url(forums.aiko) + ".jpg").status_code == photo
    assert client.get(letter_url(forums.japan, stored.id)).status_code == letter
    downloads = [entry for entry in rows(app, AuditEntry) if entry.action.endswith(".downloaded")]
    assert len(downloads) == (2 if photo == 200 else 0)


def test_the_focal_point_of_another_delegation_cannot_upload_or_see_the_pages(app, forums, stored, uploads):
    client = fresh_client(app, forums.france_focal)
    photo = {"photo-photo": (io.BytesIO(encoded(portrait())), "me.jpg", "image/jpeg")}
    assert post_files(client, photo_url(forums.aiko), photo).status_code == 403
    letter = {"letter-letter": (io.BytesIO(letter_pdf()), "letter.pdf", "application/pdf")}
    assert post_files(client, f"/forums/isef2/delegations/{forums.japan.id}/credentials", letter).status_code == 403
    assert client.get(photo_url(forums.aiko)).status_code == 403
    assert client.get(f"/forums/isef2/delegations/{forums.japan.id}/credentials").status_code == 403
    assert client.post(photo_url(forums.aiko) + "/remove").status_code == 403
    assert len(rows(app, CredentialsLetter)) == 1 and len(rows(app, MemberPhoto)) == 1
    assert client.get("/forums/isef2/manage/credentials").status_code == 403


def test_a_letter_is_reached_only_through_its_own_delegation(app, forums, stored):
    client = fresh_client(app, forums.france_focal)
    # France's focal point, through France's address: the letter is Japan's, so there is none.
    assert client.get(letter_url(forums.france, stored.id)).status_code == 404
    assert [entry for entry in rows(app, AuditEntry) if entry.action.endswith(".downloaded")] == []


def test_a_member_without_a_photo_is_a_404(app, forums, uploads):
    response = fresh_client(app, forums.france_focal).get(photo_url(forums.marie) + ".jpg")
    assert response.status_code == 404
    assert "Marie Curie has no photo." in response.get_data(as_text=True)


def test_a_file_gone_from_the_store_is_a_404_not_a_500(app, forums, stored, uploads):
    for path in uploads.rglob("*.*"):
        path.unlink()
    client = fresh_client(app, forums.organiser)
    assert client.get(photo_url(forums.aiko) + ".jpg").status_code == 404
    assert client.get(letter_url(forums.japan, stored.id)).status_code == 404
