"""CSV import (all or nothing, problems by line) and export of the programme."""

import io
import time
import tracemalloc

import pytest
from sqlalchemy import func, select

from planner.audit.models import AuditEntry
from planner.extensions import db
from planner.schedule import programme_io
from planner.schedule.models import Session
from tests.conftest import sign_in
from tests.factories import Programme, committed, current, make_plenary_and_panel

HEADER = "event,title,kind,date,start,end,venue,room,public,status,chairs,speakers,description\n"


@pytest.fixture
def programme(app) -> Programme:
    """Y-ISEF's plenary in the Hall; the Annex free."""
    with committed(app):
        return make_plenary_and_panel(panel=None)


def count_sessions():
    return db.session.scalar(select(func.count()).select_from(Session))


BAD = HEADER + (
    "Y-ISEF,Fine,panel,2018-03-03,11:00,12:00,,Annex,yes,scheduled,,,\n"  # line 2
    "NOPE,Unknown event,panel,2018-03-03,11:00,12:00,,,yes,,,,\n"  # line 3
    "Y-ISEF,Clash,panel,2018-03-03,09:30,10:00,,Hall,yes,,,,\n"  # line 4
    "Y-ISEF,Backwards,panel,2018-03-03,10:00,09:00,,,yes,,,,\n"  # line 5
    "Y-ISEF,Bad time,talk,3 March,9am,10,,Attic,maybe,,,,\n"  # line 6
)


def test_dry_run_reports_every_problem_with_its_line_and_writes_nothing(app, programme):
    with app.app_context():
        forum = db.session.get(programme_io.Forum, programme.forum.id)
        with pytest.raises(programme_io.ImportRefused) as refused:
            programme_io.import_csv(None, forum, BAD.encode(), dry_run=True)
        lines = {(p.line, p.message) for p in refused.value.report.errors}
        assert {line for line, _ in lines} == {3, 4, 5, 6}
        assert (3, "This forum has no event with the code NOPE.") in lines
        assert any(line == 4 and "Hall is booked for 2 overlapping sessions" in m for line, m in lines)
        assert (5, "“Backwards” must end after it starts.") in lines
        messages_6 = [m for line, m in lines if line == 6]
        assert "Public must be yes or no." in messages_6 and "This forum has no room called Attic." in messages_6
        assert count_sessions() == 1


def test_an_import_with_one_bad_row_writes_no_row(app, programme):
    with app.app_context():
        forum = db.session.get(programme_io.Forum, programme.forum.id)
        with pytest.raises(programme_io.ImportRefused):
            programme_io.import_csv(None, forum, BAD.encode(), dry_run=False)
        db.session.rollback()
        assert count_sessions() == 1


def test_import_of_1000_rows_through_the_cli_with_the_export_round_trip(app, programme, tmp_path):
    rows = [
        f"Y-ISEF,Session {n},workshop,2018-03-0{1 + n // 500},{8 + (n % 500) // 50:02d}:{(n % 50) // 25 * 30:02d},"
        f"{8 + (n % 500) // 50:02d}:{(n % 50) // 25 * 30 + 29:02d},,,yes,scheduled,Chair {n % 7},,\n"
        for n in range(1000)
    ]
    # Each 50 rows share a half hour: without rooms nothing clashes; the 7 chairs do (warnings).
    csv_bytes = (HEADER + "".join(rows)).encode()
    runner = app.test_cli_runner()
    path = tmp_path / "programme.csv"
    path.write_bytes(csv_bytes)
    dry = runner.invoke(args=["import-programme", str(path), "--forum", "isef2", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run: 1000 rows are fine; nothing was written." in dry.output
    # Chair 0 has 3 or 4 of the 25 rows in each of the 40 half hours: one warning for each.
    assert (
        "lines 2, 9, 16, 23: warning: Chair 0 chairs or speaks in 4 overlapping sessions"
        " from 1 Mar 08:00 to 1 Mar 08:29: “Session 0”, “Session 7”, “Session 14”, “Session 21”." in dry.output
    )
    assert dry.output.count("warning: Chair 0 ") == 40
    with app.app_context():
        assert count_sessions() == 1
    result = runner.invoke(args=["import-programme", str(path), "--forum", "isef2"])
    assert result.exit_code == 0, result.output
    assert "Imported: 1000 sessions added, 0 changed." in result.output
    with app.app_context():
        assert count_sessions() == 1001
        forum = db.session.get(programme_io.Forum, programme.forum.id)
        exported = programme_io.export_csv(forum)
        assert exported.count("\n") == 1002
        # Exported rows carry ids: importing the export again changes nothing and adds nothing.
        report = programme_io.import_csv(None, forum, exported.encode(), dry_run=False)
        assert (report.created, report.updated) == (0, 1001)
        db.session.commit()
        assert count_sessions() == 1001


def test_cli_reports_lines_and_fails(app, programme, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(BAD.encode())
    result = app.test_cli_runner().invoke(args=["import-programme", str(path), "--forum", "isef2"])
    assert result.exit_code == 1
    assert "line 3: This forum has no event with the code NOPE." in result.output
    assert "Nothing was imported" in result.output


def test_organiser_upload_with_dry_run_then_for_real(app, client, programme):
    sign_in(client, programme.organiser)
    good = (HEADER + "Y-ISEF,=Imported,panel,2018-03-03,13:00,14:00,,Annex,yes,,,,\n").encode()
    dry = client.post(
        "/forums/isef2/manage/programme/import",
        data={"file": (io.BytesIO(good), "p.csv"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    assert dry.status_code == 200 and "Nothing was written: this was a dry run." in dry.get_data(as_text=True)
    bad = client.post(
        "/forums/isef2/manage/programme/import",
        data={"file": (io.BytesIO(BAD.encode()), "p.csv")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert '<th scope="row">3</th><td>This forum has no event with the code NOPE.</td>' in bad.get_data(as_text=True)
    with app.app_context():
        assert count_sessions() == 1
    real = client.post(
        "/forums/isef2/manage/programme/import",
        data={"file": (io.BytesIO(good), "p.csv")},
        content_type="multipart/form-data",
    )
    assert real.status_code == 302
    export = client.get("/forums/isef2/manage/programme.csv")
    assert export.headers["Content-Disposition"] == 'attachment; filename="isef2-programme.csv"'
    # The formula guard is added on export and taken off on import.
    assert ",'=Imported,panel,2018-03-03,13:00,14:00,Main venue,Annex,yes,scheduled," in export.get_data(as_text=True)


def test_control_characters_and_impossible_years_are_row_problems(app, programme):
    text = HEADER + (
        "Y-ISEF,Bad\x00title,panel,2018-03-03,11:00,12:00,,,yes,,,,\n"
        "Y-ISEF,Ancient,panel,0001-01-01,00:00,01:00,,,yes,,,,\n"
        'Y-ISEF,Fine,panel,2018-03-03,13:00,14:00,,,yes,,,,"two\nlines"\n'
    )
    with app.app_context():
        forum = db.session.get(programme_io.Forum, programme.forum.id)
        with pytest.raises(programme_io.ImportRefused) as refused:
            programme_io.import_csv(None, forum, text.encode())
        assert [(p.line, p.message) for p in refused.value.report.errors] == [
            (2, "Remove control characters or unreadable characters from title."),
            (3, "Write the date like 2018-03-03 and the times like 09:30."),
        ]


def parallel_rows(count: int) -> bytes:
    """``count`` rows at one time with one chair (and no room): one warning, however many rows."""
    rows = (f"Y-ISEF,Parallel {n},panel,2018-03-03,13:00,14:00,,,yes,,Hana Suzuki,,\n" for n in range(count))
    return (HEADER + "".join(rows)).encode()


def test_dry_run_of_a_thousand_parallel_rows_is_one_warning_on_a_small_page(app, client, programme):
    sign_in(client, programme.organiser)
    started = time.perf_counter()
    response = client.post(
        "/forums/isef2/manage/programme/import",
        data={"file": (io.BytesIO(parallel_rows(1000)), "p.csv"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    elapsed = time.perf_counter() - started
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and elapsed < 5.0
    assert len(response.data) < 200_000
    assert "1000 rows are fine." in page
    assert page.count("Hana Suzuki chairs or speaks in 1000 overlapping sessions") == 1
    assert "Lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 and 980 more: " in page


def test_the_import_page_lists_a_bounded_number_of_problems(app, client, programme):
    sign_in(client, programme.organiser)
    rows = "".join(f"NOPE,Row {n},panel,2018-03-03,13:00,14:00,,,yes,,,,\n" for n in range(300))
    response = client.post(
        "/forums/isef2/manage/programme/import",
        data={"file": (io.BytesIO((HEADER + rows).encode()), "p.csv"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count("This forum has no event with the code NOPE.") == 100
    assert "And 200 more problems: the command line import-programme lists them all." in page


def test_cli_dry_run_of_two_thousand_parallel_rows_is_quick_and_small(app, programme, tmp_path):
    path = tmp_path / "parallel.csv"
    path.write_bytes(parallel_rows(2000))
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = app.test_cli_runner().invoke(args=["import-programme", str(path), "--forum", "isef2", "--dry-run"])
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    assert result.output.count("warning:") == 1
    assert "chairs or speaks in 2000 overlapping sessions" in result.output
    # Pair by pair this was two million warnings: minutes and gigabytes.
    assert elapsed < 20.0 and peak < 100 * 2**20, (elapsed, peak)


# Language and interpretation --------------------------------------------------------------

LANGUAGE_HEADER = "id,event,title,date,start,end,room,language,interpretation\n"


def test_the_export_has_language_and_interpretation_columns(app, programme):
    with app.app_context():
        plenary = current(programme.plenary)
        plenary.spoken_language, plenary.interpretation = "en", ["ja", "fr"]
        db.session.commit()
        exported = programme_io.export_csv(db.session.get(programme_io.Forum, programme.forum.id))
    header, row = exported.splitlines()[:2]
    assert header.endswith(",chairs,speakers,language,interpretation,description")
    assert row.endswith(",en,ja; fr,")


def test_an_import_sets_and_changes_languages_and_the_export_round_trips(app, programme):
    with app.app_context():
        forum = db.session.get(programme_io.Forum, programme.forum.id)
        text = LANGUAGE_HEADER + (
            f"{programme.plenary.id},Y-ISEF,Plenary,2018-03-03,09:00,10:00,Hall,EN,ja; fr\n"
            ",Y-ISEF,Students,2018-03-03,11:00,12:00,Annex,ja,\n"
        )
        report = programme_io.import_csv(None, forum, text.encode())
        assert (report.created, report.updated) == (1, 1)
        db.session.commit()
        plenary = db.session.get(Session, programme.plenary.id)
        students = db.session.scalars(select(Session).where(Session.title == "Students")).one()
        assert (plenary.spoken_language, plenary.interpretation, plenary.revision) == ("en", ["ja", "fr"], 2)
        assert (students.spoken_language, students.interpretation) == ("ja", [])
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "session.changed")).one()
        assert entry.after == {"spoken_language": "en", "interpretation": ["ja", "fr"]}
        # The export imported again changes nothing.
        again = programme_io.import_csv(None, forum, programme_io.export_csv(forum).encode())
        db.session.commit()
        assert again.updated == 2 and db.session.get(Session, programme.plenary.id).revision == 2


def test_a_file_without_the_language_columns_keeps_the_languages(app, programme):
    with app.app_context():
        plenary = current(programme.plenary)
        plenary.spoken_language, plenary.interpretation = "en", ["ja"]
        db.session.commit()
        forum = db.session.get(programme_io.Forum, programme.forum.id)
        text = (
            f"id,event,title,date,start,end,room\n{programme.plenary.id},Y-ISEF,Renamed,2018-03-03,09:00,10:00,Hall\n"
        )
        programme_io.import_csv(None, forum, text.encode())
        db.session.commit()
        plenary = db.session.get(Session, programme.plenary.id)
        assert (plenary.title, plenary.spoken_language, plenary.interpretation) == ("Renamed", "en", ["ja"])


BAD_LANGUAGES = LANGUAGE_HEADER + (
    ",Y-ISEF,Fine,2018-03-03,11:00,12:00,Annex,en,ja\n"  # line 2
    ",Y-ISEF,Unknown,2018-03-03,13:00,14:00,,english,\n"  # line 3
    ",Y-ISEF,No such code,2018-03-03,14:00,15:00,,en,ja; xx\n"  # line 4
    ",Y-ISEF,Too many,2018-03-03,15:00,16:00,,en,ja;fr;es;ru;zh;ar;de\n"  # line 5
    ",Y-ISEF,From nothing,2018-03-03,16:00,17:00,,,ja\n"  # line 6
    ",Y-ISEF,Into itself,2018-03-03,17:00,18:00,,ja,ja\n"  # line 7
)


def test_bad_language_codes_are_reported_by_line_and_column_and_nothing_is_written(app, programme):
    with app.app_context():
        forum = db.session.get(programme_io.Forum, programme.forum.id)
        with pytest.raises(programme_io.ImportRefused) as refused:
            programme_io.import_csv(None, forum, BAD_LANGUAGES.encode())
        db.session.rollback()
        assert count_sessions() == 1
    assert {(p.line, p.message) for p in refused.value.report.errors} == {
        (3, "Column language: english is not a language code; use an ISO 639-1 code such as en or ja."),
        (4, "Column interpretation: xx is not a language code; use an ISO 639-1 code such as en or ja."),
        (5, "Column interpretation: Choose at most 6 languages for interpretation."),
        (6, "Column interpretation: Choose the language spoken too: interpretation is offered from it."),
        (7, "Column interpretation: Japanese is the language spoken; choose only the languages interpreted into."),
    }


def test_the_import_page_reports_bad_codes_in_japanese(app, client, programme):
    sign_in(client, programme.organiser)
    response = client.post(
        "/forums/isef2/manage/programme/import?lang=ja",
        data={"file": (io.BytesIO(BAD_LANGUAGES.encode()), "p.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        '<th scope="row">3</th><td>language列：「english」は言語コードではありません。'
        "enやjaなど、ISO 639-1の言語コードを入力してください。</td>" in page
    )
    assert "日本語は使用言語です。" in page
    with app.app_context():
        assert count_sessions() == 1
