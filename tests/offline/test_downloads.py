"""The organisers' download of the offline copy, and ``flask export-site``."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import select

from planner.audit.models import AuditEntry
from planner.extensions import db
from tests.conftest import sign_in
from tests.factories import committed, make_plenary_and_panel, make_user

URL = "/forums/isef2/manage/offline-copy.zip"


def programme(app):  # noqa: ANN001, ANN201
    with committed(app):
        built = make_plenary_and_panel()
        stranger = make_user(email="stranger@example.org")
    return built, stranger


def test_an_organiser_downloads_the_copy_and_it_is_audited(app, client):
    built, _ = programme(app)
    sign_in(client, built.organiser)
    hub = client.get("/forums/isef2/manage/").get_data(as_text=True)
    assert 'action="/forums/isef2/manage/offline-copy.zip"' in hub
    answer = client.post(URL, data={"language": "ja"})
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="isef2-offline-ja.zip"'
    assert answer.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(answer.data)).namelist()
    assert "isef2-offline/index.html" in names
    assert "isef2-offline/timetable/2018-03-03.html" in names
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "forum.offline_copy")).one()
        assert entry.actor_id == built.organiser.id


def test_only_organisers_may_download_it(app, client):
    _, stranger = programme(app)
    assert client.post(URL).status_code == 302  # to the sign-in page
    sign_in(client, stranger)
    assert client.post(URL).status_code == 403
    with app.app_context():
        assert not db.session.scalars(select(AuditEntry).where(AuditEntry.action == "forum.offline_copy")).all()


def test_a_language_planner_does_not_offer_is_a_400_with_a_reason(app, client):
    built, _ = programme(app)
    sign_in(client, built.organiser)
    answer = client.post(URL, data={"language": "fr"})
    assert answer.status_code == 400
    assert "Choose one of the languages offered." in answer.get_data(as_text=True)


def test_the_command_writes_the_zip(app, tmp_path):
    programme(app)
    out = tmp_path / "isef2.zip"
    result = app.test_cli_runner().invoke(
        args=["export-site", "--forum", "isef2", "--out", str(out), "--live-url", "https://planner.example.org"]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output
    copy = zipfile.ZipFile(out)
    index = copy.read("isef2-offline/index.html").decode()
    assert 'href="https://planner.example.org/login"' in index


def test_the_command_says_what_is_missing(app, tmp_path):
    programme(app)
    out = str(tmp_path / "x.zip")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export-site", "--forum", "nowhere", "--out", out, "--live-url", "https://a.example"])
    assert result.exit_code == 1 and "There is no forum nowhere." in result.output
    result = runner.invoke(args=["export-site", "--forum", "isef2", "--out", out])
    assert result.exit_code == 2 and "--live-url" in result.output
    result = runner.invoke(args=["export-site", "--forum", "isef2", "--out", out, "--live-url", "a.example"])
    assert result.exit_code == 2 and "must look like" in result.output
    result = runner.invoke(
        args=["export-site", "--forum", "isef2", "--out", out, "--lang", "fr", "--live-url", "https://a.example"]
    )
    assert result.exit_code == 2 and "no language fr" in result.output
