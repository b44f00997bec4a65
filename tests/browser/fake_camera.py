"""A film for Chromium's fake camera (``--use-file-for-fake-video-capture``): QR codes held up
one after the other, written as Y4M (YUV4MPEG2, 4:2:0), which Chromium plays in a loop."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import segno
from PIL import Image, ImageDraw

SIZE = (320, 240)
FPS = 5


def qr_frame(text: str, size: tuple[int, int] = SIZE) -> Image.Image:
    """A QR code of ``text`` (alphanumeric mode, as badges print it) in the middle of a grey frame."""
    code = segno.make(text, error="m", mode="alphanumeric" if text.isupper() else None, micro=False)
    matrix = list(code.matrix)
    side = len(matrix) + 8  # with its quiet zone of 4 modules
    scale = min(size) * 9 // 10 // side
    frame = Image.new("RGB", size, (128, 128, 128))
    left, top = (size[0] - side * scale) // 2, (size[1] - side * scale) // 2
    draw = ImageDraw.Draw(frame)
    draw.rectangle([left, top, left + side * scale - 1, top + side * scale - 1], fill="white")
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                x0, y0 = left + (x + 4) * scale, top + (y + 4) * scale
                draw.rectangle([x0, y0, x0 + scale - 1, y0 + scale - 1], fill="black")
    return frame


def blank_frame(size: tuple[int, int] = SIZE) -> Image.Image:
    return Image.new("RGB", size, (128, 128, 128))


def write_y4m(path: Path, frames: Iterable[Image.Image], fps: int = FPS) -> Path:
    frames = list(frames)
    width, height = frames[0].size
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for frame in frames:
            y, cb, cr = frame.convert("YCbCr").split()
            half = (width // 2, height // 2)
            out.write(b"FRAME\n")
            out.write(y.tobytes())
            out.write(cb.resize(half, Image.Resampling.BOX).tobytes())
            out.write(cr.resize(half, Image.Resampling.BOX).tobytes())
    return path


def film(path: Path, scenes: Sequence[tuple[str | None, float]], fps: int = FPS) -> Path:
    """``scenes``: (QR text or None for an empty frame, seconds), in order."""
    frames: list[Image.Image] = []
    for text, seconds in scenes:
        image = blank_frame() if text is None else qr_frame(text)
        frames.extend([image] * max(1, round(seconds * fps)))
    return write_y4m(path, frames, fps)
