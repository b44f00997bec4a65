"""Shapes of the photo and credentials letter forms; what a file must be is checked in
``photos`` and ``credentials``, where every entry point shares it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from planner.accreditation import credentials, photos
from planner.validators import printable_lines, stripped


def _percent(label: str, description: str, bounds: tuple[int, int], default: int) -> IntegerField:
    return IntegerField(
        label,
        default=default,
        validators=[
            InputRequired(_l("Enter a number.")),
            NumberRange(min=bounds[0], max=bounds[1], message=_l("Enter a number from %(min)d to %(max)d.")),
        ],
        description=description,
    )


class PhotoForm(FlaskForm):
    photo = FileField(
        _l("Photo (JPEG or PNG)"),
        validators=[FileRequired(_l("Choose a photo to upload."))],
        # A hint for the browser's file picker only: what the file is, Pillow decides.
        render_kw={"accept": "image/jpeg,image/png,.jpg,.jpeg,.png"},
        description=_l(
            "A recent photo of the face, in good light, at most %(size)d MB. It is cut to a passport "
            "frame (35 × 45) of at least %(width)d × %(height)d pixels.",
            size=photos.MAX_BYTES // 2**20,
            width=photos.MIN_SIZE[0],
            height=photos.MIN_SIZE[1],
        ),
    )
    zoom = _percent(
        _l("Zoom, in percent"),
        _l("100 keeps the largest frame the photo holds; more cuts closer to the face (up to 300)."),
        photos.ZOOM_RANGE,
        100,
    )
    shift_x = _percent(
        _l("Move the frame sideways"),
        _l("From -100 (left edge) to 100 (right edge); 0 is the centre."),
        photos.SHIFT_RANGE,
        0,
    )
    shift_y = _percent(
        _l("Move the frame up or down"),
        _l("From -100 (top edge) to 100 (bottom edge); 0 is the centre."),
        photos.SHIFT_RANGE,
        0,
    )


class RemovePhotoForm(FlaskForm):
    pass


class CredentialsLetterForm(FlaskForm):
    letter = FileField(
        _l("Signed credentials letter (PDF)"),
        validators=[FileRequired(_l("Choose the letter to upload."))],
        render_kw={"accept": "application/pdf,.pdf"},
        description=_l(
            "The letter as signed, scanned or saved as a PDF, at most %(size)d MB, without a password.",
            size=credentials.MAX_BYTES // 2**20,
        ),
    )


class VerifyLetterForm(FlaskForm):
    pass


class ReturnLetterForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is the letter returned?"),
        filters=[stripped],
        validators=[
            DataRequired(_l("Say why the letter is returned.")),
            Length(max=credentials.REASON_MAX),
            printable_lines,
        ],
        description=_l("The focal points receive this by email."),
    )


class CredentialsRequiredForm(FlaskForm):
    required = BooleanField(_l("Accredit members only once their delegation's credentials letter is verified"))
