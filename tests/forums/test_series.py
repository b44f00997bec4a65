"""Forum series: administrators keep them, forum forms choose one, the forum page links the
forums of its series in order, and the demo puts ISEF2 in the ISEF series."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.forums import services
from planner.forums.models import Forum, ForumSeries
from tests.conftest import sign_in
from tests.factories import committed, current, make_admin, make_forum, make_organiser, make_series

ISEF = "International Space Exploration Forum"


@pytest.fixture
def admin(app):
    with committed(app):
        return make_admin()


def stored_series(app) -> list[tuple[str, str, dict]]:
    with app.app_context():
        return [
            (s.slug, s.name, s.translations) for s in db.session.scalars(select(ForumSeries).order_by(ForumSeries.id))
        ]


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_admin_adds_edits_and_removes_a_series(app, client, admin):
    sign_in(client, admin)
    assert 'href="/admin/series"' in client.get("/admin/").get_data(as_text=True)
    form = client.get("/admin/series/new").get_data(as_text=True)
    assert 'name="name_ja"' in form  # the site's other language
    answer = client.post("/admin/series/new", data={"slug": "isef", "name": ISEF, "name_ja": "国際宇宙探査フォーラム"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/series")
    assert stored_series(app) == [("isef", ISEF, {"ja": {"name": "国際宇宙探査フォーラム"}})]
    listing = client.get("/admin/series").get_data(as_text=True)
    assert f"The series {ISEF} is saved." in listing and "Remove International" in listing
    with app.app_context():
        series_id = db.session.scalar(select(ForumSeries.id))
    answer = client.post(f"/admin/series/{series_id}/edit", data={"slug": "isef", "name": "ISEF", "name_ja": ""})
    assert answer.status_code == 302
    assert stored_series(app) == [("isef", "ISEF", {})]
    assert client.post(f"/admin/series/{series_id}/remove").status_code == 302
    assert "The series ISEF is removed." in client.get("/admin/series").get_data(as_text=True)
    assert stored_series(app) == []
    assert actions(app) == ["series.saved", "series.saved", "series.removed"]


def test_a_series_with_forums_is_not_removed(app, client, admin):
    with committed(app):
        series = make_series(make_forum(name="ISEF1"), make_forum(name="ISEF2", first_day=dt.date(2018, 3, 3)))
    sign_in(client, admin)
    listing = client.get("/admin/series").get_data(as_text=True)
    assert "Removable once no forum belongs to it." in listing and "Remove International" not in listing
    answer = client.post(f"/admin/series/{series.id}/remove")
    assert answer.status_code == 302
    page = client.get("/admin/series").get_data(as_text=True)
    assert f"{ISEF} still has 2 forums (ISEF1 and ISEF2): take them out of the series first." in page
    assert len(stored_series(app)) == 1
    assert actions(app) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slug": "ISEF two", "name": "Other"}, "Use lower-case letters, digits and single hyphens only"),
        ({"slug": "isef--3", "name": "Other"}, "Use lower-case letters, digits and single hyphens only"),
        ({"slug": "isef", "name": "Other"}, "Another series has the address name isef."),
        ({"slug": "other", "name": "international space EXPLORATION forum"}, "Another series is called"),
        ({"slug": "other", "name": ""}, "This field is required."),
        ({"slug": "other", "name": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"slug": "other", "name": "Other", "name_ja": "x" * 201}, "Keep this to 200 characters or fewer"),
        ({"slug": "other", "name": "Bad\x07name"}, ""),
    ],
)
def test_bad_series_input_is_a_message_and_stores_nothing(app, client, admin, data, message):
    with committed(app):
        make_series()
    sign_in(client, admin)
    answer = client.post("/admin/series/new", data=data)
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert stored_series(app) == [("isef", ISEF, {})]


def test_editing_or_removing_a_missing_series_is_a_404(app, client, admin):
    sign_in(client, admin)
    assert "There is no series with the number 999." in client.get("/admin/series/999/edit").get_data(as_text=True)
    assert client.post("/admin/series/999/remove").status_code == 404


def test_new_forum_in_a_series(app, client, admin):
    with committed(app):
        series = make_series()
    sign_in(client, admin)
    form = client.get("/forums/new").get_data(as_text=True)
    assert f'<option value="{series.id}">{ISEF}</option>' in form
    assert 'name="languages"' in form  # a new forum's languages are chosen on its first form
    data = {
        "slug": "isef3",
        "name": "ISEF3",
        "title": "3rd International Space Exploration Forum",
        "host_city": "Luxembourg",
        "host_country": "LU",
        "timezone": "Europe/Luxembourg",
        "first_day": "2026-05-04",
        "last_day": "2026-05-06",
        "languages": "en, ja",
        "series": str(series.id),
    }
    refused = client.post("/forums/new", data={**data, "series": "999"})
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)
    assert client.post("/forums/new", data=data).status_code == 302
    with app.app_context():
        forum = db.session.scalar(select(Forum).where(Forum.slug == "isef3"))
        assert forum.series_id == series.id and forum.languages == ["en", "ja"]
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "forum.created"))
        assert entry.after == {"series": "isef"}


def test_organiser_puts_the_forum_in_a_series_and_takes_it_out(app, client):
    with committed(app):
        series = make_series()
        forum = make_forum(slug="isef3", name="ISEF3")
        organiser = make_organiser(forum)
    sign_in(client, organiser)
    data = {
        "name": "ISEF3",
        "title": "Third",
        "host_city": "Tokyo",
        "languages": "en",
        "age_of_majority": "18",
        "personal_data_retention_days": "90",
    }

    def series_of() -> int | None:
        with app.app_context():
            return db.session.get(Forum, forum.id).series_id

    assert client.post("/forums/isef3/manage/forum", data={**data, "series": str(series.id)}).status_code == 302
    assert series_of() == series.id
    page = client.get("/forums/isef3/manage/forum").get_data(as_text=True)
    assert f'<option selected value="{series.id}">' in page
    assert client.post("/forums/isef3/manage/forum", data={**data, "series": "abc"}).status_code == 422
    assert series_of() == series.id
    assert client.post("/forums/isef3/manage/forum", data={**data, "series": "0"}).status_code == 302
    assert series_of() is None
    with app.app_context():
        saved = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "forum.saved")).all()
        assert [(e.before, e.after) for e in saved] == [
            ({"series": None}, {"series": "isef"}),
            ({"series": "isef"}, {"series": None}),
        ]


def test_saving_a_forum_without_naming_a_series_keeps_it(app):
    with committed(app):
        forum = make_forum()
        series = make_series(forum)
        admin = make_admin()
    with app.test_request_context():
        services.save_forum(
            current(admin), current(forum), name="Renamed", title="T", host_city="Tokyo", description=""
        )
        assert current(forum).series_id == series.id


def test_forum_page_links_the_forums_of_its_series_in_order(app, client):
    with committed(app):
        isef1 = make_forum(slug="isef1", name="ISEF1", first_day=dt.date(2014, 1, 9), last_day=dt.date(2014, 1, 9))
        isef3 = make_forum(slug="isef3", name="ISEF3", first_day=dt.date(2026, 5, 4), last_day=dt.date(2026, 5, 6))
        isef2 = make_forum(slug="isef2", name="ISEF2")
        make_series(isef3, isef1, isef2, translations={"ja": {"name": "国際宇宙探査フォーラム"}})
        make_forum(slug="alone", name="Alone")
    page = client.get("/forums/isef2/").get_data(as_text=True)
    assert f'<dt>Series</dt><dd lang="en">{ISEF}</dd>' in page
    nav = page[page.index('<nav class="series-nav"') : page.index("</nav>", page.index('<nav class="series-nav"'))]
    assert nav.index("ISEF1") < nav.index("ISEF2") < nav.index("ISEF3")
    assert '<span aria-current="page">ISEF2</span>' in nav
    assert '<a rel="prev" href="/forums/isef1/">Previous forum: ISEF1</a>' in nav
    assert '<a rel="next" href="/forums/isef3/">Next forum: ISEF3</a>' in nav
    first = client.get("/forums/isef1/").get_data(as_text=True)
    assert 'rel="prev"' not in first and 'rel="next" href="/forums/isef2/"' in first
    japanese = client.get("/forums/isef2/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert '<dd lang="ja">国際宇宙探査フォーラム</dd>' in japanese
    alone = client.get("/forums/alone/").get_data(as_text=True)
    assert "series-nav" not in alone and "<dt>Series</dt>" not in alone


def test_the_demo_puts_isef2_in_the_isef_series_once(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    query = select(Forum.slug, Forum.series_id).order_by(Forum.slug)
    with app.app_context():
        series = db.session.scalar(select(ForumSeries))
        assert (series.slug, series.name, series.translations) == (
            "isef",
            ISEF,
            {"ja": {"name": "国際宇宙探査フォーラム"}},
        )
        before = db.session.execute(query).all()
        assert dict(before) == {"isef2": series.id, "open-demo": None}
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert db.session.execute(query).all() == before
        assert db.session.scalar(select(func.count()).select_from(ForumSeries)) == 1


def test_the_demo_adds_the_series_to_a_database_loaded_before_it(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        db.session.get(Forum, db.session.scalar(select(Forum.id).where(Forum.slug == "isef2"))).series_id = None
        db.session.execute(db.delete(ForumSeries))
        db.session.commit()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        forum = db.session.scalar(select(Forum).where(Forum.slug == "isef2"))
        assert forum.series is not None and forum.series.slug == "isef"
