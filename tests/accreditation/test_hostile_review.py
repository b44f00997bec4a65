"""A hostile review of #17: each test is a bug found by attacking the new routes, uploads,
rules and pages, kept so that it stays fixed."""

from __future__ import annotations

import io
import struct
import zlib

import pytest

from planner.accreditation.models import CredentialsLetter
from tests.accreditation.file_helpers import files_in, post_files, rows
from tests.conftest import sign_in


def objstm_pdf(page: bytes, extra: tuple[bytes, ...] = (), catalog: bytes = b"") -> bytes:
    """A one-page PDF 1.7 whose page (object 3) and ``extra`` objects (4 on) are compressed in
    an object stream, with a cross-reference stream: what the raw bytes do not show."""
    compressed = [page, *extra]
    numbers = list(range(3, 3 + len(compressed)))
    header, body = b"", b""
    for number, obj in zip(numbers, compressed, strict=True):
        header += b"%d %d " % (number, len(body))
        body += obj + b"\n"
    stream_number = 3 + len(compressed)
    xref_number = stream_number + 1
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}

    def add(number: int, content: bytes) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n" % number + content + b"\nendobj\n")

    add(1, b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>")
    add(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    packed = zlib.compress(header + body)
    add(
        stream_number,
        b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(compressed), len(header), len(packed))
        + packed
        + b"\nendstream",
    )
    xref_at = len(out)
    entries = [b"\x00" + struct.pack(">IH", 0, 65535)]
    for number in range(1, xref_number + 1):
        if number in offsets:
            entries.append(b"\x01" + struct.pack(">IH", offsets[number], 0))
        elif number == xref_number:
            entries.append(b"\x01" + struct.pack(">IH", xref_at, 0))
        else:
            entries.append(b"\x02" + struct.pack(">IH", stream_number, numbers.index(number)))
    table = zlib.compress(b"".join(entries))
    out.extend(
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n"
        % (xref_number, xref_number + 1, len(table))
        + table
        + b"\nendstream\nendobj\n"
    )
    out.extend(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return bytes(out)


PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
LINK = b"/Type /Annot /Subtype /Link /Rect [0 0 595 842] "


def send_letter(client, delegation, data: bytes):
    url = f"/forums/isef2/delegations/{delegation.id}/credentials"
    return post_files(client, url, {"letter-letter": (io.BytesIO(data), "letter.pdf", "application/pdf")})


def test_a_plain_pdf_with_an_object_stream_is_still_accepted(app, client, forums, uploads):
    sign_in(client, forums.japan_focal)
    assert send_letter(client, forums.japan, objstm_pdf(PAGE + b">>")).status_code == 302
    assert len(rows(app, CredentialsLetter)) == 1


@pytest.mark.parametrize(
    "pdf",
    [
        pytest.param(objstm_pdf(PAGE + b"/AA << /O << /S /JavaScript /JS (app.alert(1)) >> >> >>"), id="page-open-js"),
        pytest.param(
            objstm_pdf(PAGE + b"/Annots [<< " + LINK + b"/A << /S /Launch /F (calc.exe) >> >>] >>"), id="link-launch"
        ),
        pytest.param(
            objstm_pdf(PAGE + b"/Annots [4 0 R] >>", (b"<< " + LINK + b"/A << /S /Launch /F (calc.exe) >> >>",)),
            id="annotation-launch",
        ),
        pytest.param(
            objstm_pdf(PAGE + b">>", (b"<< /WC << /S /JavaScript /JS (app.alert(1)) >> >>",), b"/AA 4 0 R "),
            id="document-close-js",
        ),
    ],
)
def test_a_script_or_launch_nested_in_a_compressed_object_is_refused(app, client, forums, uploads, pdf):
    """Was accepted: the object check looked at each object's own keys only, not at the
    dictionaries inside it, and in an object stream the raw bytes do not show the names."""
    sign_in(client, forums.japan_focal)
    response = send_letter(client, forums.japan, pdf)
    assert response.status_code == 422
    assert "contains scripts, actions or embedded files" in response.text
    assert rows(app, CredentialsLetter) == []
    assert files_in(uploads) == []
