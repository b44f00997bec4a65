"""Faces to print: a photo made with Pillow, a token-like QR text, a delegate's face."""

from __future__ import annotations

import base64
import io
import os
from dataclasses import replace

from PIL import Image, ImageDraw

from planner.badges.printing import BadgeFace


def jpeg_photo(width: int = 350, height: int = 450, background: tuple[int, int, int] = (120, 160, 200)) -> bytes:
    """A passport-shaped JPEG (35:45 by default): a face-coloured oval on a plain background."""
    image = Image.new("RGB", (width, height), background)
    ImageDraw.Draw(image).ellipse((width // 4, height // 7, width * 3 // 4, height * 3 // 5), fill=(230, 200, 170))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def token_text(zones: int = 3) -> str:
    """As long as a signed token with ``zones`` zones (24 bytes, the zones, a 64-byte signature),
    in uppercase base32 without padding; random, so that every badge's differs."""
    return base64.b32encode(os.urandom(24 + zones + 64)).decode().rstrip("=")


_FACE = BadgeFace(
    number="0042",
    name="Maria Fernanda Rodríguez",
    latin_name="",
    delegation="Argentina",
    function="Minister of Science",
    category="delegate",
    category_label="Delegate",
    zones=["1 Plenary hall", "3 Bilateral rooms"],
    valid="1–3 March 2030",
    photo=None,
    qr="",
    forum_title="ISEF3 Third International Space Exploration Forum",
)


def make_face(**overrides: object) -> BadgeFace:
    """A delegate's face, with a fresh QR text unless ``qr`` is given."""
    overrides.setdefault("qr", token_text())
    return replace(_FACE, **overrides)  # type: ignore[arg-type]
