"""Accreditation for ISEF3, end to end: Japan's focal point fills in a minister's identity data
as in the passport, uploads the photo and the delegation's credentials letter; the secretariat
(an organiser who handles accreditation) finds accreditation waiting for the letter, verifies it
and accredits the minister; the focal point asks for a visa letter, the secretariat issues it;
an embassy, signed out, checks the reference and code printed on the PDF and finds the letter
valid, then, once the secretariat has revoked it, revoked."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from flask import Flask
from fpdf import FPDF
from PIL import Image, ImageChops
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from planner import storage
from planner.delegations.models import DelegationKind, DelegationMember, MemberRole, NominationStatus
from planner.extensions import db
from planner.forums.models import ForumOrganiser
from tests.factories import committed, make_delegation, make_focal_point, make_forum, make_organiser, make_person

FOCAL_POINT = "sato.kenji@mext.example.jp"
SECRETARIAT = "ito.aya@isef3.example.org"
PASSPORT = "TK1234567"


@pytest.fixture
def uploads(mailing_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The live server's file store in the test's own folder (live_server serves this app)."""
    root = tmp_path / "uploads"
    monkeypatch.setitem(mailing_app.config, "UPLOAD_DIRECTORY", str(root))
    monkeypatch.setitem(mailing_app.extensions, storage.EXTENSION, storage.DirectoryStore(str(root)))
    return root


@pytest.fixture
def forum(mailing_app: Flask, uploads: Path) -> int:
    """ISEF3, which accredits only with the passport data and a verified credentials letter;
    Japan, its focal point and a nominated minister; the secretariat. The delegation's id."""
    with committed(mailing_app):
        isef3 = make_forum(
            slug="isef3",
            name="ISEF3",
            title="3rd International Space Exploration Forum",
            host_city="Luxembourg",
            host_country="LU",
            timezone="Europe/Luxembourg",
            first_day=dt.date(2030, 5, 6),
            last_day=dt.date(2030, 5, 8),
            identity_required=[
                "passport_family_name",
                "passport_given_names",
                "nationality",
                "date_of_birth",
                "document_number",
                "document_expires_on",
            ],
            credentials_required=True,
            letterhead_name="Luxembourg Space Agency",
            letterhead_address="19-21 boulevard Royal\nL-2449 Luxembourg",
        )
        japan = make_delegation(isef3, name="Japan", kind=DelegationKind.COUNTRY, country_code="JP")
        make_focal_point(japan, email=FOCAL_POINT, name="Sato Kenji")
        minister = make_person(
            name="Yamada Taro",
            given_name="Taro",
            family_name="Yamada",
            family_name_first=True,
            email="yamada@mext.example.jp",
        )
        db.session.add(
            DelegationMember(
                delegation_id=japan.id,
                person_id=minister.id,
                role=MemberRole.MINISTER,
                function="Minister of Education, Culture, Sports, Science and Technology",
                status=NominationStatus.NOMINATED,
            )
        )
        secretariat = make_organiser(isef3, email=SECRETARIAT, name="Ito Aya")
        db.session.get_one(ForumOrganiser, (isef3.id, secretariat.id)).handles_accreditation = True
        db.session.flush()
        return japan.id


def _photo(path: Path) -> Path:
    """A photo-like JPEG: a light gradient with noise over it, larger than a passport frame."""
    size = (800, 1000)
    gradient = Image.linear_gradient("L").resize(size).point(lambda value: 110 + value // 2)
    noise = Image.effect_noise(size, 30)
    gray = ImageChops.add(gradient, noise, scale=2.0)
    Image.merge("RGB", (gray, gray, gray)).save(path, "JPEG", quality=90)
    return path


def _credentials_letter(path: Path) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, "The Government of Japan presents its compliments to the organisers of ISEF3.")
    pdf.output(str(path))
    return path


def _status(page: Page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def _fact(page: Page, term: str):  # noqa: ANN202
    return page.get_by_role("term").filter(has_text=term).locator("+ dd")


def test_identity_photo_credentials_accreditation_and_a_visa_letter_checked_by_an_embassy(
    browser, live_server, signed_in_page, forum, smtp_server, tmp_path
):
    delegation_page = f"{live_server}/forums/isef3/delegations/{forum}"

    # The focal point fills in the minister's identity data as in the passport.
    focal = signed_in_page(FOCAL_POINT)
    focal.goto(delegation_page)
    focal.get_by_role("link", name="Identity data of Yamada Taro").click()
    expect(focal.get_by_role("heading", name="Identity data of Yamada Taro", level=1)).to_be_visible()
    focal.get_by_label("Family name as in the passport").fill("YAMADA")
    focal.get_by_label("Given names as in the passport").fill("TARO")
    focal.get_by_label("Nationality", exact=True).select_option(label="Japan")
    focal.get_by_label("Date of birth").fill("1968-04-23")
    expect(focal.get_by_label("Passport", exact=True)).to_be_checked()
    focal.get_by_label("Document number").fill(PASSPORT)
    focal.get_by_label("Date of expiry of the document").fill("2034-09-30")
    focal.get_by_role("button", name="Save the identity data").click()
    _status(focal, "The identity data of Yamada Taro is saved.")
    expect(focal.get_by_text("Complete: everything ISEF3 requires is filled in.")).to_be_visible()

    # ...uploads the photo, which planner cuts to a passport frame...
    focal.get_by_role("link", name="Delegation of Japan").click()
    focal.get_by_role("link", name="Photo of Yamada Taro").click()
    focal.get_by_label("Photo (JPEG or PNG)").set_input_files(_photo(tmp_path / "yamada.jpg"))
    focal.get_by_role("button", name="Upload the photo").click()
    _status(focal, "The photo of Yamada Taro is saved.")
    photo = focal.get_by_role("img", name="Photo of Yamada Taro")
    expect(photo).to_be_visible()
    # The file served is the stored frame (35:45, at most 700 × 900), as the page describes it.
    width, height = photo.evaluate("image => [image.naturalWidth, image.naturalHeight]")
    assert (width, height) == (int(photo.get_attribute("width")), int(photo.get_attribute("height")))
    assert height == 900 and 35 * height // 45 - 1 <= width <= 700
    expect(focal.get_by_text(f"{width} × {height} pixels, uploaded")).to_be_visible()

    # ...and the delegation's credentials letter.
    focal.get_by_role("link", name="Delegation of Japan").click()
    focal.get_by_role("link", name="Credentials letter of Japan").click()
    focal.get_by_label("Signed credentials letter (PDF)").set_input_files(_credentials_letter(tmp_path / "note.pdf"))
    focal.get_by_role("button", name="Send the letter").click()
    _status(focal, "The credentials letter of Japan is sent to the secretariat.")

    # The secretariat cannot accredit the minister before the letter is verified...
    secretariat = signed_in_page(SECRETARIAT)
    secretariat.goto(live_server + "/forums/isef3/manage/")
    secretariat.get_by_role("link", name="Nominations and accreditation").click()
    awaiting = secretariat.get_by_role("row", name=re.compile(r"^Yamada Taro"))
    expect(awaiting.get_by_role("link", name="Complete")).to_be_visible()
    awaiting.get_by_role("button", name="Accredit Yamada Taro").click()
    _status(secretariat, "The credentials letter of Japan is not verified yet; accreditation waits for it.")

    # ...verifies it, then accredits him.
    secretariat.get_by_role("link", name="Organise ISEF3").click()
    secretariat.get_by_role("link", name="Credentials of all delegations").click()
    secretariat.get_by_role("link", name="Japan", exact=True).click()
    secretariat.get_by_role("button", name="Mark as verified").click()
    _status(secretariat, "The credentials letter of Japan is verified.")
    secretariat.goto(live_server + "/forums/isef3/manage/nominations")
    secretariat.get_by_role("button", name="Accredit Yamada Taro").click()
    expect(secretariat.get_by_text("No nominations await accreditation.")).to_be_visible()

    # The focal point asks for a visa letter...
    focal.goto(delegation_page)
    focal.get_by_role("link", name="Visa letters of the delegation of Japan").click()
    focal.get_by_role("button", name="Ask for a visa letter for Yamada Taro").click()
    _status(focal, "A visa letter for Yamada Taro is requested.")

    # ...the secretariat approves it on the register...
    secretariat.get_by_role("link", name="Organise ISEF3").click()
    secretariat.get_by_role("link", name="Register of visa letters (organisers who handle accreditation)").click()
    secretariat.get_by_role("button", name="Approve and issue the letter for Yamada Taro").click()
    _status(secretariat, "is issued.")

    # ...and the focal point downloads the PDF, which prints its reference and code.
    focal.reload()
    download = focal.get_by_role("link", name="Download the letter for Yamada Taro (PDF)")
    answer = focal.request.get(live_server + download.get_attribute("href"))
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.body())).pages)
    assert "YAMADA TARO" in text and PASSPORT in text
    reference = re.search(r"Reference: (\S+)", text).group(1)
    code = re.search(r"Verification code: (\S+)", text).group(1)
    expect(focal.get_by_text(f"Reference: {reference}")).to_be_visible()

    # An embassy, signed out, checks the letter.
    embassy_context = browser.new_context()
    try:
        embassy = embassy_context.new_page()
        embassy.goto(live_server + "/letters/verify")
        embassy.get_by_label("Reference", exact=True).fill(reference)
        embassy.get_by_label("Verification code").fill(code)
        embassy.get_by_role("button", name="Verify").click()
        result = embassy.get_by_role("status")
        expect(result).to_contain_text("This letter is valid: it was issued by the organisers of ISEF3")
        expect(_fact(embassy, "Name as in the passport")).to_have_text("YAMADA TARO")
        expect(_fact(embassy, "Passport number ends with")).to_have_text(PASSPORT[-4:])
        expect(embassy.get_by_text(PASSPORT)).to_have_count(0)

        # The secretariat revokes it, saying why; the embassy's next check says so.
        secretariat.reload()
        secretariat.get_by_role("link", name=f"Revoke {reference}").click()
        secretariat.get_by_label("Reason").fill("The minister no longer travels; the vice-minister replaces him.")
        secretariat.get_by_role("button", name="Revoke the letter").click()
        _status(secretariat, f"Visa letter {reference} is revoked.")

        embassy.reload()
        expect(result).to_contain_text("This letter was revoked on")
        expect(result).to_contain_text("it is no longer valid.")
        expect(result).not_to_contain_text("This letter is valid")
    finally:
        embassy_context.close()

    subjects = [m.message["Subject"] for m in smtp_server.received if m.rcpt_tos == [FOCAL_POINT]]
    assert subjects == ["Visa letter issued: Yamada Taro", "Visa letter revoked: Yamada Taro"]
