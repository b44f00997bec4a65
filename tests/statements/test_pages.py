"""The record's pages through the test client, with real form data."""

import datetime as dt
import io
import os

import pytest
from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.forums.models import Forum
from planner.statements import services
from planner.statements.models import DocumentStatus, OutcomeDocument
from tests.conftest import sign_in
from tests.factories import committed, current
from tests.statements.helpers import draft

BASE = "/forums/isef2/statements"


def document() -> OutcomeDocument:
    return db.session.scalar(select(OutcomeDocument).where(OutcomeDocument.slug == "joint-statement"))


def create(client, **overrides):  # noqa: ANN001, ANN201
    data = {
        "kind": "joint_statement",
        "title": "ISEF2 Joint Statement",
        "slug": "joint-statement",
        "language": "en",
        "text": "Participants recognised the roadmap.\n\nSecond paragraph.",
        "note": "",
    }
    data.update(overrides)
    return client.post("/forums/isef2/manage/statements/new", data=data)


def adopt(client):  # noqa: ANN001, ANN201
    return client.post(
        f"{BASE}/joint-statement/adopt",
        data={"adopt-adopted_on": "2018-03-03", "adopt-event": "0", "adopt-place": "Tokyo"},
    )


def test_organiser_drafts_revises_adopts_and_the_edit_is_then_refused(app, client, world):
    sign_in(client, world.organiser)
    response = create(client)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{BASE}/joint-statement")
    response = client.post(
        f"{BASE}/joint-statement/edit",
        data={"text": "Participants welcomed the roadmap.\n\nSecond paragraph.", "note": "Welcomed, not recognised"},
    )
    assert response.status_code == 302
    history = client.get(f"{BASE}/joint-statement/versions?a=1&b=2").get_data(as_text=True)
    assert "<del>recognised</del><ins>welcomed</ins>" in history
    assert "Welcomed, not recognised" in history
    assert adopt(client).status_code == 302
    with app.app_context():
        assert (document().status, document().adopted_version, document().adopted_on) == (
            DocumentStatus.ADOPTED,
            2,
            dt.date(2018, 3, 3),
        )
    refused = client.post(f"{BASE}/joint-statement/edit", data={"text": "Changed after all.", "note": "late"})
    assert refused.status_code == 409
    assert "its text can no longer change" in refused.get_data(as_text=True)
    assert client.get(f"{BASE}/joint-statement/edit").status_code == 409
    with app.app_context():
        assert [v.number for v in document().versions] == [1, 2]

    response = client.post(
        f"{BASE}/joint-statement/corrigenda",
        data={
            "corrigendum-text": "In paragraph 2, read “Second”.",
            "corrigendum-note": "Capital",
            "corrigendum-issued_on": "2018-03-10",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"{BASE}/joint-statement/corrigenda/1", data={"text": "In paragraph 2, read “SECOND”.", "note": "Louder"}
    )
    assert response.status_code == 302
    page = client.get(f"{BASE}/joint-statement").get_data(as_text=True)
    assert "Corrigendum 1, issued on" in page and "SECOND" in page
    with app.app_context():
        assert "statement.corrigendum.revise" in set(db.session.scalars(select(AuditEntry.action)))


def test_form_errors_are_422_with_reasons(client, world):
    sign_in(client, world.organiser)
    response = create(client, slug="Not A Slug", title="")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Use lower-case letters, digits and single hyphens only." in text
    assert create(client).status_code == 302
    taken = create(client)
    assert taken.status_code == 422 and "already has a document at this address" in taken.get_data(as_text=True)
    bad_status = client.post(f"{BASE}/joint-statement/status", data={"status-status": "superseded"})
    assert bad_status.status_code == 422 and "cannot become superseded" in bad_status.get_data(as_text=True)
    bad_date = client.post(f"{BASE}/joint-statement/adopt", data={"adopt-adopted_on": "3 March", "adopt-event": "0"})
    assert bad_date.status_code == 422
    assert client.get(f"{BASE}/joint-statement/versions?a=1&b=9").status_code == 400
    assert client.get(f"{BASE}/joint-statement/download/docx").status_code == 404
    assert client.get("/statements/search?q=" + "x" * 201).status_code == 400


def test_unreadable_values_are_form_errors_and_nothing_is_written(app, client, world):
    sign_in(client, world.organiser)
    nul = create(client, text="Participants\x00 recognised the roadmap.")
    assert nul.status_code == 422 and "Remove control characters" in nul.get_data(as_text=True)
    assert create(client).status_code == 302
    adopt(client)
    with app.app_context():
        references, endorsements = len(document().references), len(document().endorsements)
    unreadable = client.post(
        f"{BASE}/joint-statement/references",
        data={
            "reference-relation": "welcomes",
            "reference-target": "0",
            "reference-outside_title": "Report",
            "reference-outside_url": "http://[::1",
        },
    )
    assert unreadable.status_code == 422 and "starts with https://" in unreadable.get_data(as_text=True)
    for delegation in ["1" + "0" * 30, "-1", "abc"]:
        refused = client.post(
            f"{BASE}/joint-statement/endorsements",
            data={"endorse-delegation": delegation, "endorse-kind": "endorsed", "endorse-endorsed_on": "2018-03-03"},
        )
        assert refused.status_code == 422, delegation
    with app.app_context():
        assert (len(document().references), len(document().endorsements)) == (references, endorsements)


def test_text_typed_in_a_browser_keeps_its_paragraphs(app, client, world):
    """Browsers send CRLF from text areas: the record keeps LF, so the paragraphs stay
    paragraphs in the downloads."""
    sign_in(client, world.organiser)
    assert create(client, text="First paragraph.\r\n\r\nSecond paragraph.").status_code == 302
    text = client.get(f"{BASE}/joint-statement/download/txt").get_data(as_text=True)
    assert "\r" not in text and "First paragraph.\n\nSecond paragraph." in text


def test_endorsements_only_from_delegations_of_the_forum(app, client, world):
    sign_in(client, world.organiser)
    create(client)
    adopt(client)
    refused = client.post(
        f"{BASE}/joint-statement/endorsements",
        data={
            "endorse-delegation": str(world.other_japan.id),
            "endorse-kind": "endorsed",
            "endorse-endorsed_on": "2018-03-03",
        },
    )
    assert refused.status_code == 422
    assert "Japan is not a delegation of ISEF2." in refused.get_data(as_text=True)
    response = client.post(
        f"{BASE}/joint-statement/endorsements",
        data={"endorse-delegation": str(world.japan.id), "endorse-kind": "joined", "endorse-endorsed_on": "2018-03-03"},
    )
    assert response.status_code == 302
    page = client.get(f"{BASE}/joint-statement").get_data(as_text=True)
    assert f'href="/delegations/{world.japan.id}/endorsements">Japan</a>' in page
    # The delegation's page lists it, also from the page of the same country at another forum.
    for delegation_id in (world.japan.id, world.other_japan.id):
        listing = client.get(f"/delegations/{delegation_id}/endorsements").get_data(as_text=True)
        assert "ISEF2 Joint Statement" in listing and "joined" in listing
    assert "ISEF2 Joint Statement" not in client.get(f"/delegations/{world.esa.id}/endorsements").get_data(as_text=True)


def test_drafts_are_hidden_from_the_public_and_shown_to_focal_points(app, client, world):
    sign_in(client, world.organiser)
    create(client)
    for role, status in (("focal_point", 200), ("organiser", 200), ("delegate", 404), ("other_organiser", 404)):
        reader = client
        sign_in(reader, getattr(world, role))
        assert reader.get(f"{BASE}/joint-statement").status_code == status, role
        assert ("joint-statement" in reader.get(f"{BASE}/").get_data(as_text=True)) is (status == 200)
    anonymous = app.test_client()
    assert anonymous.get(f"{BASE}/joint-statement").status_code == 404
    assert anonymous.get(f"{BASE}/joint-statement/v/1").status_code == 404
    assert "joint-statement" not in anonymous.get(f"{BASE}/").get_data(as_text=True)
    assert "ISEF2 Joint Statement" not in anonymous.get("/statements/search?q=roadmap").get_data(as_text=True)
    sign_in(client, world.organiser)
    adopt(client)
    assert anonymous.get(f"{BASE}/joint-statement").status_code == 200
    assert "ISEF2 Joint Statement" in anonymous.get("/statements/").get_data(as_text=True)


def test_the_public_sees_the_adopted_version_not_the_drafts_before_it(app, client, world):
    sign_in(client, world.organiser)
    create(client)
    client.post(f"{BASE}/joint-statement/edit", data={"text": "Adopted wording.", "note": "final"})
    adopt(client)
    anonymous = app.test_client()
    assert anonymous.get(f"{BASE}/joint-statement/v/1").status_code == 404
    page = anonymous.get(f"{BASE}/joint-statement/v/2")
    assert page.status_code == 200 and "Adopted wording." in page.get_data(as_text=True)
    assert client.get(f"{BASE}/joint-statement/v/1").status_code == 200


def test_script_in_markdown_never_reaches_the_page(app, client, world):
    sign_in(client, world.organiser)
    create(client, text="Hello <script>alert(1)</script>\n\n[click me](javascript:alert(1))")
    page = client.get(f"{BASE}/joint-statement").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page


def test_downloads_as_text_markdown_and_pdf(app, client, world):
    sign_in(client, world.organiser)
    create(client, text="第2回国際宇宙探査フォーラム\n\nParticipants **recognised** the roadmap.")
    adopt(client)
    anonymous = app.test_client()
    text = anonymous.get(f"{BASE}/joint-statement/download/txt")
    assert text.mimetype == "text/plain"
    assert 'filename="isef2-joint-statement.txt"' in text.headers["Content-Disposition"]
    body = text.get_data(as_text=True)
    assert body.startswith("ISEF2 Joint Statement\n") and "第2回国際宇宙探査フォーラム" in body
    assert "Participants recognised the roadmap." in body and "Adopted on Saturday, March 3, 2018 (Tokyo)" in body
    markdown = anonymous.get(f"{BASE}/joint-statement/download/md").get_data(as_text=True)
    assert markdown.startswith("# ISEF2 Joint Statement") and "**recognised**" in markdown
    pdf = anonymous.get(f"{BASE}/joint-statement/download/pdf")
    assert pdf.mimetype == "application/pdf"
    data = pdf.get_data()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/Title" in data


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_download_shows_japanese_text_in_the_vendored_font(app, client, world):
    from planner.statements.rendering import VENDORED_FONT

    sign_in(client, world.organiser)
    create(client, text="第2回国際宇宙探査フォーラム\n\n東京原則を歓迎した。Participants **recognised** the roadmap.")
    adopt(client)
    data = app.test_client().get(f"{BASE}/joint-statement/download/pdf").get_data()
    text = pdf_text(data)
    assert "第2回国際宇宙探査フォーラム" in text and "東京原則を歓迎した。" in text
    assert "Participants recognised the roadmap." in text
    assert "?" not in text and "printed as ?" not in text
    assert b"IPAexGothic" in data
    assert app.config.get("STATEMENTS_PDF_FONT") is None and VENDORED_FONT.endswith("static/fonts/ipaexg.ttf")


def test_the_configured_pdf_font_overrides_the_vendored_one(app, client, world):
    from planner.statements.rendering import FONT_CANDIDATES, find_font

    dejavu = next((f for f in FONT_CANDIDATES if "DejaVu" in f and os.path.isfile(f)), None)
    if dejavu is None:
        pytest.skip("DejaVu Sans is not installed")
    app.config["STATEMENTS_PDF_FONT"] = dejavu
    assert find_font(dejavu) == dejavu
    sign_in(client, world.organiser)
    create(client, text="第2回 Participants recognised the roadmap.")
    adopt(client)
    data = app.test_client().get(f"{BASE}/joint-statement/download/pdf").get_data()
    # DejaVu Sans has no kanji: they become "?" and the PDF says why.
    text = pdf_text(data)
    assert b"DejaVuSans" in data and b"IPAexGothic" not in data
    assert "?2? Participants recognised the roadmap." in text and "printed as ?" in text.replace("\n", " ")


def test_pdf_holds_the_text_and_says_when_its_font_lacks_characters():
    from planner.statements.rendering import VENDORED_FONT, find_font, pdf_bytes

    # Without a font file, the PDF's own Helvetica: the words are in the page as written.
    data = pdf_bytes(
        "Title", ["ISEF2"], "Participants recognised the roadmap.\n\n宇宙", None, "Characters replaced", compress=False
    )
    assert b"(Participants recognised the roadmap.)" in data
    assert b"(??)" in data and b"(Characters replaced)" in data
    latin = pdf_bytes("Title", [], "Only Latin text.", None, "Characters replaced", compress=False)
    assert b"Characters replaced" not in latin
    # By default the vendored IPAexGothic, embedded (as a subset).
    assert find_font(None) == VENDORED_FONT
    mixed = pdf_bytes("宇宙探査", [], "Кириллица, Latin and 日本語", VENDORED_FONT, "Characters replaced")
    assert "Кириллица, Latin and 日本語" in pdf_text(mixed) and "Characters replaced" not in pdf_text(mixed)
    # A character the font lacks still becomes "?", with the notice.
    korean = pdf_bytes("T", [], "한국어", VENDORED_FONT, "Characters replaced")
    assert "???" in pdf_text(korean) and "Characters replaced" in pdf_text(korean)


def test_the_demo_documents(app, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        forum = db.session.scalar(select(Forum).where(Forum.slug == "isef2"))
        documents = {d.slug: d for d in services.documents_of(forum, None)}
        assert {d.title for d in documents.values()} == {
            "ISEF2 Joint Statement",
            "Tokyo Principles for International Space Exploration",
            "International Space Exploration Forum Terms of Reference",
        }
        assert all(
            d.status is DocumentStatus.ADOPTED and d.is_summary and d.adopted_on == dt.date(2018, 3, 3)
            for d in documents.values()
        )
        references = {
            (r.relation.value, r.target.slug if r.target else r.outside_title)
            for r in documents["joint-statement"].references
        }
        assert references == {
            ("takes_note_of", "tokyo-principles"),
            ("takes_note_of", "terms-of-reference"),
            ("takes_note_of", "The Global Exploration Roadmap (3rd edition, ISECG, January 2018)"),
        }
        before = db.session.scalar(select(db.func.count()).select_from(OutcomeDocument))
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(OutcomeDocument)) == before == 3
    response = client.get("/forums/isef2/statements/joint-statement")
    assert response.status_code == 200, response.get_data(as_text=True)[-800:]
    assert "This text is a summary of the forum's public report, not the official wording." in response.get_data(
        as_text=True
    )
    found = client.get("/statements/search?q=宇宙探査").get_data(as_text=True)
    assert "ISEF2 Joint Statement" in found and "<mark>宇宙探査</mark>" in found


def test_search_page_reads_a_fixed_number_of_queries(app, client, world, count_queries):
    def add(count: int) -> None:
        with committed(app):
            forum, organiser = current(world.forum), current(world.organiser)
            for n in range(count):
                document = draft(organiser, forum, slug=f"doc-{count}-{n}", text=f"Roadmap text {n}.")
                services.adopt(organiser, document, on=dt.date(2018, 3, 3))

    add(1)
    with count_queries() as one:
        assert client.get("/statements/search?q=roadmap").status_code == 200
    add(10)
    with count_queries() as many:
        page = client.get("/statements/search?q=roadmap").get_data(as_text=True)
    assert page.count("<mark>Roadmap</mark>") == 11
    assert many.count == one.count


def test_a_reference_to_a_draft_does_not_reveal_it(app, client, world):
    sign_in(client, world.organiser)
    create(client)
    create(client, slug="secret-annex", title="Secret annex", text="Not yet.")
    with app.app_context():
        annex = db.session.scalar(select(OutcomeDocument).where(OutcomeDocument.slug == "secret-annex"))
        annex_id = annex.id
    assert (
        client.post(
            f"{BASE}/joint-statement/references",
            data={"reference-relation": "takes_note_of", "reference-target": str(annex_id)},
        ).status_code
        == 302
    )
    refused = client.post(
        f"{BASE}/joint-statement/references",
        data={
            "reference-relation": "welcomes",
            "reference-target": "0",
            "reference-outside_title": "Bad",
            "reference-outside_url": "javascript://example.org/%0aalert(1)",
        },
    )
    assert refused.status_code == 422 and "starts with https://" in refused.get_data(as_text=True)
    adopt(client)
    assert "Secret annex" in client.get(f"{BASE}/joint-statement").get_data(as_text=True)
    assert "javascript:" not in client.get(f"{BASE}/joint-statement").get_data(as_text=True)
    public = app.test_client().get(f"{BASE}/joint-statement").get_data(as_text=True)
    assert "Secret annex" not in public and "a document that is not yet public" in public


def test_version_times_name_their_timezone(client, world):
    sign_in(client, world.organiser)
    create(client)
    client.post(f"{BASE}/joint-statement/edit", data={"text": "Revised.", "note": "second"})
    history = client.get(f"{BASE}/joint-statement/versions").get_data(as_text=True)
    version = client.get(f"{BASE}/joint-statement/v/1").get_data(as_text=True)
    for page in (history, version):
        assert " JST</time>" in page  # ISEF2's clocks are Tokyo's
