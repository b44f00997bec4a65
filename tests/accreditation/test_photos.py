"""Members' photos: what is kept (upright, cropped to a passport frame, re-encoded without
EXIF), what is refused with a message (hostile files among them) and that a refusal or a
rollback leaves no file behind."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageStat
from sqlalchemy import select

from planner.accreditation import photos
from planner.accreditation.models import MemberPhoto
from planner.audit.models import AuditEntry
from planner.delegations.models import NominationStatus
from planner.extensions import db
from planner.forums.models import Forum, ForumStatus
from planner.storage import file_store
from tests.accreditation.file_helpers import (
    encoded,
    files_in,
    huge_png,
    letter_pdf,
    portrait,
    post_files,
    random_bytes,
    rows,
    with_gps,
)
from tests.conftest import sign_in
from tests.factories import current


def photo_url(member) -> str:
    return f"/forums/isef2/delegations/{member.delegation_id}/members/{member.person_id}/photo"


def upload(client, member, data: bytes, filename: str = "photo.jpg", content_type: str = "image/jpeg", **crop):
    fields = {"photo-zoom": "100", "photo-shift_x": "0", "photo-shift_y": "0"}
    fields.update({f"photo-{name}": str(value) for name, value in crop.items()})
    fields["photo-photo"] = (io.BytesIO(data), filename, content_type)
    return post_files(client, photo_url(member), fields)


def stored_image(app) -> Image.Image:
    (photo,) = rows(app, MemberPhoto)
    with app.app_context():
        return Image.open(io.BytesIO(file_store().get(photo.storage_key)))


def test_a_photo_is_kept_cropped_to_a_passport_frame_without_exif_or_location(app, client, forums, uploads):
    sign_in(client, forums.japan_focal)
    response = upload(client, forums.aiko, with_gps(portrait((1200, 1600))))
    assert response.status_code == 302
    assert "The photo of Aiko Tanaka is saved." in client.get(response.location).get_data(as_text=True)
    (photo,) = rows(app, MemberPhoto)
    assert (photo.width, photo.height) == (700, 900)
    assert files_in(uploads) == [photo.storage_key]
    image = stored_image(app)
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info and "icc_profile" not in image.info
    with open(uploads / photo.storage_key, "rb") as file:
        raw = file.read()
    assert b"Exif" not in raw and b"Camera Maker" not in raw
    assert [entry.action for entry in rows(app, AuditEntry) if entry.action.startswith("photo.")] == ["photo.uploaded"]


def test_the_exif_orientation_is_applied_before_cropping(app, client, forums, uploads):
    # Upright, light on top and dark below; stored turned a quarter with "rotate 90° to show".
    upright = Image.new("RGB", (900, 1200), (230, 230, 230))
    upright.paste(portrait((900, 600), light=70), (0, 600))
    upright.paste(portrait((900, 600), light=200), (0, 0))
    sideways = upright.transpose(Image.Transpose.ROTATE_90)  # 1200 × 900 as the camera wrote it
    sign_in(client, forums.japan_focal)
    assert upload(client, forums.aiko, with_gps(sideways, orientation=6)).status_code == 302
    image = stored_image(app).convert("L")
    assert image.size == (700, 900)
    top, bottom = (ImageStat.Stat(image.crop((0, y, 700, y + 200))).mean[0] for y in (0, 700))
    assert top > 150 > 100 > bottom


def test_a_wide_photo_is_cut_to_35_by_45_where_the_shifts_say(app, client, forums, uploads):
    # Left half red, right half blue: the frame (35:45 of a 2000 × 1000 image) fits in either.
    wide = Image.new("RGB", (2000, 1000), (200, 30, 30))
    wide.paste(Image.new("RGB", (1000, 1000), (30, 30, 200)), (1000, 0))
    noisy = Image.blend(wide, portrait((2000, 1000)), 0.5)
    sign_in(client, forums.japan_focal)
    assert upload(client, forums.aiko, encoded(noisy), "wide.jpg", "image/jpeg", shift_x=-100).status_code == 302
    image = stored_image(app)
    assert image.width * 45 == pytest.approx(image.height * 35, abs=45)
    red, _, blue = image.resize((1, 1)).getpixel((0, 0))
    assert red > blue
    assert upload(client, forums.aiko, encoded(noisy), "wide.jpg", "image/jpeg", shift_x=100).status_code == 302
    red, _, blue = stored_image(app).resize((1, 1)).getpixel((0, 0))
    assert blue > red


def test_a_zoomed_frame_is_checked_against_the_smallest_size(app, client, forums, uploads):
    sign_in(client, forums.japan_focal)
    response = upload(client, forums.aiko, encoded(portrait((700, 900))), zoom=300)
    assert response.status_code == 422
    assert "The photo is too small" in response.get_data(as_text=True)


HOSTILE = {
    "a script named .jpg": (b"#!/bin/sh\nrm -rf ~\n", "photo.jpg", "image/jpeg", "not a photo in JPEG or PNG"),
    "an SVG": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "photo.svg",
        "image/svg+xml",
        "not a photo in JPEG or PNG",
    ),
    "a 60,000 × 60,000 pixel PNG": (huge_png(), "bomb.png", "image/png", "too many pixels"),
    "an empty file": (b"", "empty.jpg", "image/jpeg", "The file is empty"),
    "a PDF named .png": (letter_pdf(), "photo.png", "image/png", "not a photo in JPEG or PNG"),
    "a GIF": (encoded(portrait((400, 500)), "GIF"), "photo.gif", "image/gif", "not a photo in JPEG or PNG"),
    "a truncated JPEG": (encoded(portrait())[:3000], "cut.jpg", "image/jpeg", "not a photo in JPEG or PNG"),
    "random bytes": (random_bytes(5000), "photo.jpg", "image/jpeg", "not a photo in JPEG or PNG"),
    "too small": (encoded(portrait((300, 400))), "small.jpg", "image/jpeg", "The photo is too small"),
    "too dark": (encoded(portrait(light=25)), "dark.jpg", "image/jpeg", "The photo is too dark"),
    "blank": (encoded(Image.new("RGB", (700, 900), (250, 250, 250))), "white.jpg", "image/jpeg", "looks blank"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_or_unfit_upload_gets_a_message_and_stores_nothing(app, client, forums, uploads, name):
    data, filename, content_type, message = HOSTILE[name]
    sign_in(client, forums.japan_focal)
    response = upload(client, forums.aiko, data, filename, content_type)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'class="error-summary"' in page
    assert rows(app, MemberPhoto) == []
    assert files_in(uploads) == []


def test_twenty_megabytes_are_refused_before_they_are_read(app, client, forums, uploads):
    sign_in(client, forums.japan_focal)
    response = upload(client, forums.aiko, b"\xff\xd8" + bytes(20 * 2**20))
    assert response.status_code == 413
    assert "The photo is larger than 5 MB" in response.get_data(as_text=True)
    assert rows(app, MemberPhoto) == []
    assert files_in(uploads) == []


def test_a_file_just_over_the_bound_is_refused_too(app, client, forums, uploads):
    sign_in(client, forums.japan_focal)
    response = upload(client, forums.aiko, b"\xff\xd8" + bytes(photos.MAX_BYTES))
    assert response.status_code == 422
    assert "The photo is larger than 5 MB" in response.get_data(as_text=True)
    assert files_in(uploads) == []


def test_pillow_s_own_bomb_bound_is_a_refusal_not_a_crash():
    # Between planner's bound and Pillow's, Pillow warns (an error under pytest); past it, it raises.
    for size in ((10_000, 10_000), (14_000, 14_000)):
        with pytest.raises(photos.PhotoRefused, match="too many pixels"):
            photos.passport_photo(huge_png(*size))


def test_a_transparent_png_is_kept_on_white(app, client, forums, uploads):
    image = portrait((700, 900)).convert("RGBA")
    image.putalpha(Image.new("L", image.size, 255))
    image.paste((0, 0, 0, 0), (0, 0, 700, 100))
    sign_in(client, forums.japan_focal)
    assert upload(client, forums.aiko, encoded(image, "PNG"), "photo.png", "image/png").status_code == 302
    assert stored_image(app).convert("L").getpixel((350, 20)) > 240


def test_a_new_photo_replaces_the_old_and_its_file(app, client, forums, uploads):
    sign_in(client, forums.japan_focal)
    upload(client, forums.aiko, encoded(portrait()))
    (first,) = rows(app, MemberPhoto)
    assert upload(client, forums.aiko, encoded(portrait(light=180))).status_code == 302
    (second,) = rows(app, MemberPhoto)
    assert second.storage_key != first.storage_key
    assert files_in(uploads) == [second.storage_key]
    # A refused replacement keeps the photo there is.
    assert upload(client, forums.aiko, b"not an image").status_code == 422
    assert [photo.storage_key for photo in rows(app, MemberPhoto)] == [second.storage_key]
    assert files_in(uploads) == [second.storage_key]
    actions = [entry.action for entry in rows(app, AuditEntry) if entry.action.startswith("photo.")]
    assert actions == ["photo.uploaded", "photo.replaced"]


def test_removing_a_photo_removes_its_file(app, client, forums, uploads):
    sign_in(client, forums.organiser)
    upload(client, forums.aiko, encoded(portrait()))
    response = client.post(photo_url(forums.aiko) + "/remove")
    assert response.status_code == 302
    assert "The photo of Aiko Tanaka is removed." in client.get(response.location).get_data(as_text=True)
    assert rows(app, MemberPhoto) == []
    assert files_in(uploads) == []


def test_a_rolled_back_upload_leaves_no_file_and_a_rolled_back_replacement_keeps_the_old(app, forums, uploads):
    with app.app_context():
        member = current(forums.aiko)
        photos.upload_photo(current(forums.japan_focal), member, encoded(portrait()))
        assert len(files_in(uploads)) == 1
        db.session.rollback()
        assert files_in(uploads) == []
        first = photos.upload_photo(current(forums.japan_focal), current(forums.aiko), encoded(portrait()))
        kept = first.storage_key
        db.session.commit()
        photos.upload_photo(current(forums.japan_focal), current(forums.aiko), encoded(portrait(light=180)))
        assert len(files_in(uploads)) == 2
        db.session.rollback()
        assert files_in(uploads) == [kept]
        assert db.session.scalar(select(MemberPhoto.storage_key)) == kept


def test_a_request_that_fails_after_storing_leaves_no_file(app, client, forums, uploads, monkeypatch):
    def failing(*args, **kwargs):
        raise RuntimeError("the audit log is unreachable")

    monkeypatch.setattr(photos, "record", failing)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    sign_in(client, forums.japan_focal)
    assert upload(client, forums.aiko, encoded(portrait())).status_code == 500
    assert rows(app, MemberPhoto) == []
    assert files_in(uploads) == []


@pytest.mark.parametrize("status", [NominationStatus.WITHDRAWN, NominationStatus.DECLINED])
def test_only_members_holding_a_seat_have_photos(app, client, forums, uploads, status):
    with app.app_context():
        current(forums.aiko).status = status
        db.session.commit()
    sign_in(client, forums.japan_focal)
    response = upload(client, forums.aiko, encoded(portrait()))
    assert response.status_code == 422
    assert "Photos are kept only for nominated and accredited members." in response.get_data(as_text=True)
    assert files_in(uploads) == []


def test_an_archived_forum_keeps_its_photos_as_they_are(app, client, forums, uploads):
    with app.app_context():
        db.session.get(Forum, forums.japan.forum_id).status = ForumStatus.ARCHIVED
        db.session.commit()
    sign_in(client, forums.japan_focal)
    response = upload(client, forums.aiko, encoded(portrait()))
    assert response.status_code == 422
    assert "is archived" in response.get_data(as_text=True)
    assert files_in(uploads) == []


def test_the_photo_page_labels_its_fields_and_says_what_it_accepts(client, forums, uploads):
    sign_in(client, forums.japan_focal)
    page = client.get(photo_url(forums.aiko)).get_data(as_text=True)
    assert '<label for="photo-photo">Photo (JPEG or PNG)</label>' in page
    assert 'accept="image/jpeg,image/png,.jpg,.jpeg,.png"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "<script" not in page.split("<main", 1)[-1]


def test_a_photo_over_the_site_s_request_limit_passes_the_csrf_check(app, client, forums, uploads):
    # The CSRF check reads the form before the view: the photo's own limit applies already.
    app.config["WTF_CSRF_ENABLED"] = True
    sign_in(client, forums.japan_focal)
    page = client.get(photo_url(forums.aiko)).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = encoded(portrait()) + bytes(3 * 2**20)  # what follows a JPEG's end is not read
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    fields = {"csrf_token": token, "photo-zoom": "100", "photo-shift_x": "0", "photo-shift_y": "0"}
    fields["photo-photo"] = (io.BytesIO(data), "big.jpg", "image/jpeg")
    assert post_files(client, photo_url(forums.aiko), fields).status_code == 302
    assert len(rows(app, MemberPhoto)) == 1
