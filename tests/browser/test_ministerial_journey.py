"""The ministerial meeting of ISEF3, end to end: an administrator adds the forum (English and
Japanese, in Luxembourg, in the ISEF series) and appoints its organiser; the organiser puts six
delegations on the invitation list and invites Japan's focal point, who has no account; the
focal point follows the emailed link in another browser, makes an account there and nominates
three members; the organiser nominates the other heads of delegation and accredits everyone;
the public list of participants shows them in protocol order in English and in Japanese, without
the member who did not agree to be listed."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import committed, make_admin, make_kept_list, make_series, make_user

FOCAL_POINT = "sato.kenji@mext.example.jp"
NEW_PASSWORD = "a long enough passphrase"

# (given name, family name, family name first, email, role, level, function, listed publicly)
JAPAN = [
    # Nominated out of protocol order: the list puts them right.
    ("Ichiro", "Tanaka", True, "tanaka@mext.example.jp", "Adviser", "Other", "Adviser, Space Policy", False),
    ("Hanako", "Abe", True, "abe@mext.example.jp", "Member", "Vice-Minister", "Vice-Minister of Education", True),
    ("Taro", "Yamada", True, "yamada@mext.example.jp", "Head of delegation", "Minister", "Minister of Education", True),
]
HEADS = {  # the other delegations' heads, nominated by the organiser
    "France": ("Claire", "Martin", "Minister of Higher Education and Research"),
    "Italy": ("Marco", "Rossi", "Minister of Enterprises"),
    "United States": ("John", "Smith", "Deputy Administrator, NASA"),
    "European Space Agency": ("Anna", "Keller", "Director General"),
    "United Nations Office for Outer Space Affairs": ("Aarti", "Patel", "Director"),
}


@pytest.fixture
def site(mailing_app):
    with committed(mailing_app):
        make_admin(email="admin@planner.example.org", name="Site Administrator")
        make_user(email="mori@isef3.example.org", name="Haruka Mori")
        make_series()
        make_kept_list()


def _groups(page: Page) -> list[tuple[str, list[str]]]:
    """The list of participants as (delegation, [names]) in the order of its rows."""
    table = page.get_by_role("table")
    expect(table).to_have_count(1)
    groups = []
    for group in table.get_by_role("rowgroup").all()[1:]:  # after the column headers' group
        delegation, *names = group.get_by_role("rowheader").all_inner_texts()
        groups.append((delegation, names))
    return groups


def _nominate(
    page: Page,
    given: str,
    family: str,
    family_first: bool,
    email: str,
    role: str,
    level: str,
    function: str,
    listed: bool,
) -> None:
    """Fill the delegation page's nomination form and send it."""
    page.get_by_label("Given name", exact=True).fill(given)
    page.get_by_label("Family name", exact=True).fill(family)
    page.get_by_label("Their family name comes first").set_checked(family_first)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Role in the delegation").select_option(label=role)
    page.get_by_label("Level of representation").select_option(label=level)
    page.get_by_label("Function", exact=True).fill(function)
    page.get_by_label("Has agreed to appear in the public list").set_checked(listed)
    page.get_by_role("button", name="Nominate").click()
    name = f"{family} {given}" if family_first else f"{given} {family}"
    expect(page.get_by_role("status")).to_contain_text(f"{name} is nominated.")


def _invite(page: Page, source: str, choice: str, seats: str) -> None:
    """Add a delegation on the invitation list page: ``choice`` as its country or organisation list shows it."""
    page.get_by_label(source, exact=True).check()
    field = "Country" if source == "A country" else "Organisation"
    page.get_by_label(field, exact=True).select_option(label=choice)
    page.get_by_label("Seat quota").fill(seats)
    page.get_by_role("button", name="Add to the invitation list").click()
    expect(page.get_by_role("status")).to_have_text(f"{choice.split(' (')[0]} is on the invitation list.")


def test_a_ministerial_meeting_from_the_new_forum_to_the_list_of_participants(
    browser, live_server, signed_in_page, site, smtp_server
):
    # The administrator adds ISEF3 and appoints its organiser.
    admin = signed_in_page("admin@planner.example.org")
    admin.goto(live_server + "/admin/")
    admin.get_by_role("link", name="Add a forum").click()
    admin.get_by_label("Address name").fill("isef3")
    admin.get_by_label("Short name").fill("ISEF3")
    admin.get_by_label("Full title").fill("3rd International Space Exploration Forum")
    admin.get_by_label("Host city").fill("Luxembourg")
    admin.get_by_label("Host country").fill("LU")
    admin.get_by_label("Timezone").fill("Europe/Luxembourg")
    admin.get_by_label("First day").fill("2030-05-06")
    admin.get_by_label("Last day").fill("2030-05-08")
    admin.get_by_label("Languages").fill("en, ja")
    admin.get_by_label("Series").select_option(label="International Space Exploration Forum")
    admin.get_by_role("button", name="Add the forum").click()
    expect(admin.get_by_text("The forum is added.")).to_be_visible()
    admin.goto(live_server + "/forums/isef3/manage/")
    admin.get_by_label("Email address of the new organiser").fill("mori@isef3.example.org")
    admin.get_by_role("button", name="Appoint").click()
    expect(admin.get_by_role("rowheader", name="Haruka Mori")).to_be_visible()

    # The organiser draws up the invitation list: four countries, two organisations of the site's list.
    organiser = signed_in_page("mori@isef3.example.org")
    organiser.goto(live_server + "/forums/isef3/manage/")
    organiser.get_by_role("link", name="Invitation list: delegations of countries and organisations").click()
    # Japanese is one of the forum's languages: an organisation invited by name gets a Japanese name too.
    expect(organiser.get_by_label("Name of the organisation (Japanese)")).to_be_visible()
    _invite(organiser, "A country", "Japan", seats="3")
    for country in ("France", "Italy", "United States"):
        _invite(organiser, "A country", country, seats="2")
    for organisation in ("European Space Agency (ESA)", "United Nations Office for Outer Space Affairs (UNOOSA)"):
        _invite(organiser, "An organisation from the site's list", organisation, seats="1")
    japan = organiser.get_by_role("row", name=re.compile(r"^Japan \(JP\)"))
    expect(japan.get_by_role("cell").nth(2)).to_have_text("3")  # kind, space agency, seat quota

    # ...and invites Japan's focal point, who has no account yet, from the manage hub.
    organiser.get_by_role("link", name="Organise ISEF3").click()
    organiser.get_by_label("Delegation", exact=True).select_option(label="Japan")
    organiser.get_by_label("Email address of the person to invite").fill(FOCAL_POINT)
    organiser.get_by_role("button", name="Send the invitation").click()
    expect(organiser.get_by_text(f"The invitation is sent to {FOCAL_POINT}.")).to_be_visible()

    [invitation] = [m for m in smtp_server.received if m.rcpt_tos == [FOCAL_POINT]]
    text = invitation.message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://\S+/invitations/\S+", text).group(0)

    focal_context = browser.new_context()  # the focal point's own browser, never signed in
    try:
        focal = focal_context.new_page()
        focal.goto(link)
        expect(focal.get_by_role("heading", name="Invitation to be focal point of Japan")).to_be_visible()
        focal.get_by_label("Given name", exact=True).fill("Kenji")
        focal.get_by_label("Family name", exact=True).fill("Sato")
        focal.get_by_label("My family name comes first").check()
        focal.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
        focal.get_by_label("Repeat the password").fill(NEW_PASSWORD)
        focal.get_by_role("button", name="Create my account and accept").click()
        expect(focal.get_by_role("heading", name="You are now focal point of Japan")).to_be_visible()
        focal.get_by_role("link", name="Go to the page of the delegation of Japan").click()
        for member in JAPAN:
            _nominate(focal, *member)
        expect(focal.get_by_role("term").filter(has_text="Seats used").locator("+ dd")).to_have_text("3")
    finally:
        focal_context.close()

    # The organiser nominates the other heads of delegation, then accredits everyone.
    for delegation, (given, family, function) in HEADS.items():
        organiser.goto(live_server + "/forums/isef3/manage/nominations")
        organiser.get_by_role("link", name=delegation, exact=True).click()
        email = f"{given.lower()}@{family.lower()}.example.org"
        _nominate(organiser, given, family, False, email, "Head of delegation", "Minister", function, True)
    organiser.goto(live_server + "/forums/isef3/manage/nominations")
    accredit = organiser.get_by_role("button", name=re.compile(r"^Accredit "))
    expect(accredit).to_have_count(8)
    for remaining in range(8, 0, -1):
        accredit.first.click()
        expect(accredit).to_have_count(remaining - 1)
    expect(organiser.get_by_text("No nominations await accreditation.")).to_be_visible()

    organiser.goto(live_server + "/forums/isef3/manage/participants")
    assert dict(_groups(organiser))["Japan"] == ["Yamada Taro", "Abe Hanako", "Tanaka Ichiro"]

    # The public list: protocol order in English, without the adviser who did not agree to it...
    public_context = browser.new_context()
    try:
        public = public_context.new_page()
        public.goto(live_server + "/forums/isef3/participants")
        assert _groups(public) == [
            ("European Space Agency", ["Anna Keller"]),
            ("France", ["Claire Martin"]),
            ("Italy", ["Marco Rossi"]),
            ("Japan", ["Yamada Taro", "Abe Hanako"]),
            ("United Nations Office for Outer Space Affairs", ["Aarti Patel"]),
            ("United States", ["John Smith"]),
        ]
        expect(public.get_by_text("Tanaka")).to_have_count(0)

        # ...and in Japanese, in the Japanese order: the gojūon, names in kanji by their reading
        # (欧州宇宙機関 おうしゅう, 国際連合宇宙部 こくさい, 日本 にほん).
        public.get_by_role("button", name="日本語").click()
        expect(public.locator("html")).to_have_attribute("lang", "ja")
        assert _groups(public) == [
            ("アメリカ合衆国", ["John Smith"]),
            ("イタリア", ["Marco Rossi"]),
            ("欧州宇宙機関", ["Anna Keller"]),
            ("国際連合宇宙部", ["Aarti Patel"]),
            ("日本", ["Yamada Taro", "Abe Hanako"]),
            ("フランス", ["Claire Martin"]),
        ]
        pdf = public.get_by_role("link", name="PDF")
        expect(pdf).to_have_attribute("href", re.compile(r"lang=ja"))
        answer = public_context.request.get(live_server + pdf.get_attribute("href"))
        assert answer.ok and answer.headers["content-type"] == "application/pdf"
        assert answer.body().startswith(b"%PDF")
    finally:
        public_context.close()
