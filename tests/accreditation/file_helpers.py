"""What the tests of photos, credentials letters and their downloads share: the file store in
the test's own folder, a forum with two delegations, and files good and hostile."""

from __future__ import annotations

import functools
import gc
import io
import os
import struct
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from fpdf import FPDF
from PIL import Image
from sqlalchemy import select

from planner import storage
from planner.accounts.models import User
from planner.delegations.models import Delegation, DelegationKind, DelegationMember, NominationStatus
from planner.extensions import db
from planner.forums.models import ForumOrganiser
from tests.factories import (
    committed,
    make_focal_point,
    make_forum,
    make_organiser,
    make_person,
    make_programme,
    make_user,
)


@pytest.fixture
def uploads(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """UPLOAD_DIRECTORY in the test's own folder, and the file store on it."""
    root = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIRECTORY", str(root))
    monkeypatch.setitem(app.extensions, storage.EXTENSION, storage.DirectoryStore(str(root)))
    return root


@dataclass
class Answer:
    status_code: int
    text: str
    location: str | None

    def get_data(self, as_text: bool = True) -> str:
        return self.text


def post_files(client, url: str, data: dict) -> Answer:  # noqa: ANN001
    """A multipart POST through the test client. A large body is spooled to a temporary file
    the client does not close: it is collected here, without the warning failing the test."""
    sent = sum(len(value[0].getbuffer()) for value in data.values() if isinstance(value, tuple))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        response = client.post(url, data=data, content_type="multipart/form-data")
        answer = Answer(response.status_code, response.get_data(as_text=True), response.location)
        response.close()
        del response
        if sent > 400_000:  # spooled to a file (werkzeug keeps smaller bodies in memory)
            gc.collect()
    return answer


def files_in(root: Path) -> list[str]:
    """Every file under the upload folder, partial writes included."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@dataclass
class Forums:
    """ISEF2 with Japan and France, a nominated member of each, their focal points, ISEF2's
    organiser (plain), one who handles accreditation, and an organiser of another forum."""

    japan: Delegation
    france: Delegation
    aiko: DelegationMember  # of Japan
    marie: DelegationMember  # of France
    japan_focal: User
    france_focal: User
    organiser: User
    accreditor: User
    other_organiser: User
    delegate: User


@pytest.fixture
def forums(app: Flask) -> Forums:
    with committed(app):
        programme = make_programme()
        japan = programme.delegation("japan", "Japan", kind=DelegationKind.COUNTRY, country_code="JP")
        france = programme.delegation("france", "France", kind=DelegationKind.COUNTRY, country_code="FR")
        aiko = member_of(japan, name="Aiko Tanaka", email="aiko@example.org")
        marie = member_of(france, name="Marie Curie", email="marie@example.org")
        accreditor = make_user(email="accreditation@example.org")
        db.session.add(ForumOrganiser(forum_id=programme.forum.id, user_id=accreditor.id, handles_accreditation=True))
        built = Forums(
            japan=japan,
            france=france,
            aiko=aiko,
            marie=marie,
            japan_focal=make_focal_point(japan, email="focal@jp.example.org"),
            france_focal=make_focal_point(france, email="focal@fr.example.org"),
            organiser=programme.organiser,
            accreditor=accreditor,
            other_organiser=make_organiser(make_forum(slug="other")),
            delegate=programme.person("delegate"),
        )
    return built


def member_of(
    delegation: Delegation, status: NominationStatus = NominationStatus.NOMINATED, **person: str
) -> DelegationMember:
    member = DelegationMember(delegation_id=delegation.id, person_id=make_person(**person).id, status=status)
    db.session.add(member)
    db.session.flush()
    return member


def rows(app: Flask, model: type) -> list:
    with app.app_context():
        found = list(db.session.scalars(select(model)))
        db.session.expunge_all()
        return found


# Images -----------------------------------------------------------------------------------------


def portrait(size: tuple[int, int] = (800, 1000), light: int = 140) -> Image.Image:
    """A photo-like image: noise around a mean brightness of ``light``."""
    return _portrait(size, light).copy()


@functools.cache
def _portrait(size: tuple[int, int], light: int) -> Image.Image:
    noise = Image.effect_noise(size, 40).convert("L")
    gray = noise.point(lambda value: max(0, min(255, value - 128 + light)))
    return Image.merge("RGB", (gray, gray, gray))


def encoded(image: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def with_gps(image: Image.Image, orientation: int = 1) -> bytes:
    """A JPEG whose EXIF names the camera, a place (GPS) and an orientation."""
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (35.0, 40.0, 30.0), 3: "E", 4: (139.0, 45.0, 0.0)}
    return encoded(image, "JPEG", exif=exif)


def huge_png(width: int = 60_000, height: int = 60_000) -> bytes:
    """A PNG that says it has ``width`` × ``height`` pixels and is a few hundred bytes: the
    header of a decompression bomb (its data would inflate to gigabytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # one bit a pixel, grey
    data = zlib.compress(b"\0" * (width // 8 + 1) * 64, 9)  # the first rows; the decoder would want them all
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


# PDFs -------------------------------------------------------------------------------------------


def letter_pdf(text: str = "The Government of Japan presents its compliments.") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 10, text)
    return bytes(pdf.output())


def random_bytes(size: int) -> bytes:
    return os.urandom(size)


def raw_pdf(catalog: bytes = b"", *objects: bytes, before: bytes = b"", after: bytes = b"") -> bytes:
    """A one-page PDF written by hand, with ``catalog`` added to its catalogue and ``objects``
    numbered from 4 on: for the hostile letters no PDF library would write."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *objects,
    ]
    out = bytearray(before + b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out) - len(before))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out) - len(before)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out + after)
