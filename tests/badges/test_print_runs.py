"""Print runs from the badges kept: the PDF read back, every QR code a genuine token of its badge."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader
from sqlalchemy import select

from planner.accreditation.models import MemberPhoto
from planner.audit.models import AuditEntry
from planner.badges import issuing, signing
from planner.extensions import db
from planner.storage import file_store
from tests.accreditation.file_helpers import uploads  # noqa: F401  (a fixture)
from tests.badges.faces import jpeg_photo
from tests.badges.helpers import make_scene
from tests.conftest import sign_in
from tests.factories import committed, make_admin


@pytest.fixture
def scene(app, uploads):  # noqa: F811
    with committed(app):
        scene = make_scene()
        key = file_store().put("photos", jpeg_photo(), "jpg")
        db.session.add(
            MemberPhoto(
                delegation_id=scene.delegate.delegation_id,
                person_id=scene.delegate.person_id,
                storage_key=key,
                width=350,
                height=450,
                size=1,
            )
        )
        signing.signing_key(scene.forum)
        return scene


def decoded(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for page in document:
            image = page.render(scale=200 / 72).to_pil().convert("RGB")
            texts += [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
        return texts
    finally:
        document.close()


def verified_badges(app, scene, texts):
    with app.app_context():
        forum = db.session.get(type(scene.forum), scene.forum.id)
        keys = signing.public_keys(forum)
        return sorted(signing.verify_token(text, forum.id, keys).badge_id for text in texts)


def test_the_print_run_holds_every_valid_badge_with_a_genuine_qr_code(app, client, scene):
    sign_in(client, scene.organiser)
    with app.test_request_context():
        forum = db.session.get(type(scene.forum), scene.forum.id)
        issuing.revoke(scene.organiser, db.session.get(type(scene.participant), scene.participant.id), forum, "Lost")
        db.session.commit()
    answer = client.get(f"/forums/{scene.forum.slug}/manage/badges.pdf?layout=id1")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["X-Badges-Left-Out"] == "1"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.data)).pages)
    assert "Aiko Tanaka" in text and "Jean Dupont" in text and "Kenji Sato" not in text
    assert "Plenary hall" in text and "Delegate" in text
    assert verified_badges(app, scene, decoded(answer.data)) == sorted([scene.delegate.id, scene.other_delegate.id])
    with app.app_context():
        assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "badges.printed")).all()


def test_a_reprinted_badge_prints_its_new_version_and_a_single_badge_prints_alone(app, client, scene):
    sign_in(client, scene.organiser)
    client.post(f"/forums/{scene.forum.slug}/manage/badges/{scene.delegate.id}/reprint")
    answer = client.get(f"/forums/{scene.forum.slug}/manage/badges/{scene.delegate.id}/badge.pdf?layout=a6")
    assert answer.status_code == 200
    assert len(PdfReader(io.BytesIO(answer.data)).pages) == 1
    (text,) = decoded(answer.data)
    with app.app_context():
        forum = db.session.get(type(scene.forum), scene.forum.id)
        token = signing.verify_token(text, forum.id, signing.public_keys(forum))
    assert (token.badge_id, token.version, token.zones) == (scene.delegate.id, 2, (1,))


def test_a_bad_layout_or_event_is_refused_and_a_retired_keys_badges_are_not_printed(app, client, scene):
    sign_in(client, scene.organiser)
    slug = scene.forum.slug
    assert client.get(f"/forums/{slug}/manage/badges.pdf?layout=a4").status_code == 400
    assert client.get(f"/forums/{slug}/manage/badges.pdf?event=NOPE").status_code == 404
    with app.test_request_context():
        forum = db.session.get(type(scene.forum), scene.forum.id)
        signing.retire(scene.organiser, forum, signing.signing_key(forum).id)
        db.session.commit()
    answer = client.get(f"/forums/{slug}/manage/badges/{scene.delegate.id}/badge.pdf", follow_redirects=True)
    assert "retired key" in answer.get_data(as_text=True)
    run = client.get(f"/forums/{slug}/manage/badges.pdf", follow_redirects=True)
    assert "no badges to print" in run.get_data(as_text=True)


def test_the_event_print_run_holds_only_its_holders(app, client, scene):
    sign_in(client, scene.organiser)
    answer = client.get(f"/forums/{scene.forum.slug}/manage/badges.pdf?event=Y-ISEF")
    assert verified_badges(app, scene, decoded(answer.data)) == [scene.participant.id]


@pytest.mark.commits
def test_the_command_writes_the_pdf_with_a_progress_bar(app, scene, tmp_path):
    with committed(app):
        make_admin()
    out = tmp_path / "badges.pdf"
    result = app.test_cli_runner().invoke(
        args=["print-badges", "--forum", scene.forum.slug, "--layout", "id1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "3 badges written" in result.output
    assert len(decoded(out.read_bytes())) == 3
    missing = app.test_cli_runner().invoke(args=["print-badges", "--forum", "nope", "--out", str(out)])
    assert missing.exit_code != 0 and "no forum" in missing.output
