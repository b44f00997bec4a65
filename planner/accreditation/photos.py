"""Members' photos for their badges. The focal point (or an organiser) uploads a JPEG or PNG;
planner decodes it with Pillow (what the file is, not its name or the browser's word), refuses
what is too large on disk or in pixels before decoding it (a decompression bomb stops there),
turns it upright, crops it to a passport frame (35:45), checks simple rules (size, not too dark,
not blank) and stores it re-encoded as a JPEG, which carries no EXIF and no location."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, ImageStat

from planner.accounts.models import User
from planner.accounts.permissions import handles_accreditation, is_focal_point, is_organiser
from planner.accreditation.models import MemberPhoto
from planner.accreditation.stored_files import delete_when_committed, put_until_rolled_back
from planner.audit.services import record
from planner.db import utcnow
from planner.delegations.models import DelegationMember, NominationStatus
from planner.extensions import db
from planner.forums.services import require_not_archived
from planner.refusals import NotAllowed, Refused
from planner.storage import MissingFile, file_store

MAX_BYTES = 5 * 2**20  # of the uploaded file
MAX_PIXELS = 40_000_000  # of the uploaded image, read from its header before it is decoded
FRAME = (35, 45)  # a passport photo's width to height
MIN_SIZE = (350, 450)  # of the frame cut from the upload
STORED_SIZE = (700, 900)  # the largest photo kept
DARKEST = 50  # the least mean luminance (0 black to 255 white)
FLATTEST = 8  # the least standard deviation of luminance: below it the image is blank
FORMATS = ("JPEG", "PNG")
# Cameras write some JPEGs as MPO (a JPEG with further pictures): its first picture is a JPEG.
_DECODED_AS = {"JPEG", "MPO", "PNG"}
SHIFT_RANGE = (-100, 100)  # percent of the room left around the frame: -100 left/top, 100 right/bottom
ZOOM_RANGE = (100, 300)  # percent: 100 takes the largest frame the image holds
HOLDING_PHOTO = {NominationStatus.NOMINATED, NominationStatus.ACCREDITED}


class PhotoRefused(Refused):
    """A photo planner will not keep, and why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="photo")


@dataclass(frozen=True)
class Crop:
    """Where the passport frame is cut: centred unless shifted; ``zoom`` cuts a smaller frame."""

    shift_x: int = 0
    shift_y: int = 0
    zoom: int = 100


@dataclass(frozen=True)
class PassportPhoto:
    data: bytes  # a JPEG
    width: int
    height: int


def passport_photo(data: bytes, crop: Crop | None = None) -> PassportPhoto:
    """The upload as a passport photo, or PhotoRefused saying what is wrong with it."""
    crop = crop or Crop()
    if not data:
        raise PhotoRefused(_("The file is empty. Choose a photo in JPEG or PNG format."))
    if len(data) > MAX_BYTES:
        raise PhotoRefused(_("The photo is larger than %(size)d MB. Send a smaller one.", size=MAX_BYTES // 2**20))
    image = _decoded(data)
    image = _framed(image, crop)
    width, height = image.size
    if width < MIN_SIZE[0] or height < MIN_SIZE[1]:
        raise PhotoRefused(
            _(
                "The photo is too small: the passport frame cut from it is %(width)d × %(height)d pixels, "
                "and at least %(min_width)d × %(min_height)d are needed. Send a larger photo or zoom in less.",
                width=width,
                height=height,
                min_width=MIN_SIZE[0],
                min_height=MIN_SIZE[1],
            )
        )
    image.thumbnail(STORED_SIZE, Image.Resampling.LANCZOS)
    luminance = ImageStat.Stat(image.convert("L"))
    if luminance.stddev[0] < FLATTEST:
        raise PhotoRefused(_("The photo looks blank: it is nearly one colour. Send a photo of the person's face."))
    if luminance.mean[0] < DARKEST:
        raise PhotoRefused(_("The photo is too dark. Send one taken in good, even light."))
    out = io.BytesIO()
    # No exif= and no icc_profile=: the stored JPEG carries no metadata, so no location either.
    image.save(out, "JPEG", quality=90, optimize=True)
    return PassportPhoto(out.getvalue(), *image.size)


def _decoded(data: bytes) -> Image.Image:
    """The upload decoded as an upright RGB image; a file that is not a JPEG or PNG, or too
    many pixels to decode safely, is refused before it is decoded."""
    not_an_image = PhotoRefused(_("This file is not a photo in JPEG or PNG format."))
    too_many_pixels = PhotoRefused(
        _(
            "The photo has too many pixels (at most %(megapixels)d million). Send a smaller one.",
            megapixels=MAX_PIXELS // 1_000_000,
        )
    )
    with warnings.catch_warnings():
        # Pillow warns, then refuses, past its own bound: both are a refusal here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels from None
        except Exception:  # hostile files make Pillow raise many kinds
            raise not_an_image from None
        if image.format not in _DECODED_AS:
            raise not_an_image
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise too_many_pixels
        if image.format != "PNG":
            # Decode a large JPEG at a fraction of its size: enough for the frame, less memory.
            image.draft("RGB", (2 * STORED_SIZE[0], 2 * STORED_SIZE[1]))
        try:
            image.load()
            upright = ImageOps.exif_transpose(image)
            return _as_rgb(upright)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_many_pixels from None
        except Exception:  # a truncated or corrupt file fails in the decoder
            raise not_an_image from None


def _as_rgb(image: Image.Image) -> Image.Image:
    """Transparent parts become white, as on a printed photo."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    if image.mode.startswith("I;16"):
        image = image.point(lambda value: value / 256).convert("L")
    return image.convert("RGB")


def _framed(image: Image.Image, crop: Crop) -> Image.Image:
    """The largest 35:45 frame the image holds, made smaller by ``zoom`` and moved by the
    shifts from the centre towards an edge."""
    width, height = image.size
    if width * FRAME[1] > height * FRAME[0]:  # wider than the frame
        frame_height, frame_width = height, height * FRAME[0] // FRAME[1]
    else:
        frame_width, frame_height = width, width * FRAME[1] // FRAME[0]
    frame_width = frame_width * 100 // crop.zoom
    frame_height = frame_height * 100 // crop.zoom
    room_x, room_y = width - frame_width, height - frame_height
    left = room_x * (100 + crop.shift_x) // 200
    top = room_y * (100 + crop.shift_y) // 200
    return image.crop((left, top, left + frame_width, top + frame_height))


# The rules ------------------------------------------------------------------------------------


def may_handle_photo(user: User | None, member: DelegationMember) -> bool:
    """The delegation's focal points and the forum's organisers upload and see the photo."""
    return is_focal_point(user, member.delegation) or is_organiser(user, member.delegation.forum)


def may_see_photo(user: User | None, member: DelegationMember) -> bool:
    return may_handle_photo(user, member) or handles_accreditation(user, member.delegation.forum)


def photo_of(member: DelegationMember) -> MemberPhoto | None:
    return db.session.get(MemberPhoto, (member.delegation_id, member.person_id))


def upload_photo(actor: User, member: DelegationMember, data: bytes, crop: Crop | None = None) -> MemberPhoto:
    """Keep the member's photo, replacing the one before (whose file goes when this commits)."""
    delegation = member.delegation
    if not may_handle_photo(actor, member):
        raise NotAllowed(_only_focal_points_and_organisers(member))
    require_not_archived(delegation.forum)
    if member.status not in HOLDING_PHOTO:
        raise PhotoRefused(_("Photos are kept only for nominated and accredited members."))
    photo = passport_photo(data, crop)
    key = put_until_rolled_back("photos", photo.data, "jpg")
    stored = photo_of(member)
    replaced = stored is not None
    if stored is None:
        stored = MemberPhoto(delegation_id=member.delegation_id, person_id=member.person_id)
        db.session.add(stored)
    else:
        delete_when_committed(stored.storage_key)
    stored.storage_key = key
    stored.width, stored.height, stored.size = photo.width, photo.height, len(photo.data)
    stored.uploaded_at, stored.uploaded_by_id = utcnow(), actor.id
    db.session.flush()
    record(
        actor,
        "photo.replaced" if replaced else "photo.uploaded",
        forum_id=delegation.forum_id,
        target=("member", f"{member.delegation_id}/{member.person_id}"),
        summary=_("Photo of %(name)s (%(delegation)s)", name=member.person.name, delegation=delegation.name),
        after={"width": photo.width, "height": photo.height, "size": len(photo.data)},
    )
    return stored


def remove_photo(actor: User, member: DelegationMember) -> None:
    """Remove the member's photo (its file goes when this commits)."""
    if not may_handle_photo(actor, member):
        raise NotAllowed(_only_focal_points_and_organisers(member))
    require_not_archived(member.delegation.forum)
    stored = photo_of(member)
    if stored is None:
        raise PhotoRefused(_("%(name)s has no photo.", name=member.person.name))
    delete_when_committed(stored.storage_key)
    db.session.delete(stored)
    db.session.flush()
    record(
        actor,
        "photo.removed",
        forum_id=member.delegation.forum_id,
        target=("member", f"{member.delegation_id}/{member.person_id}"),
        summary=_("Photo of %(name)s (%(delegation)s)", name=member.person.name, delegation=member.delegation.name),
    )


def photo_for_download(actor: User, member: DelegationMember) -> bytes | None:
    """The photo's JPEG for someone who may see it, recorded in the audit log; None when the
    member has none (or its file is gone)."""
    if not may_see_photo(actor, member):
        raise NotAllowed(_only_focal_points_and_organisers(member))
    stored = photo_of(member)
    if stored is None:
        return None
    try:
        data = file_store().get(stored.storage_key)
    except MissingFile:
        return None
    record(
        actor,
        "photo.downloaded",
        forum_id=member.delegation.forum_id,
        target=("member", f"{member.delegation_id}/{member.person_id}"),
        summary=_("Photo of %(name)s (%(delegation)s)", name=member.person.name, delegation=member.delegation.name),
    )
    return data


def _only_focal_points_and_organisers(member: DelegationMember) -> str:
    return _(
        "Only the focal points of %(delegation)s and the organisers of %(forum)s can do this.",
        delegation=member.delegation.name,
        forum=member.delegation.forum.name,
    )
