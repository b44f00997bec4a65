"""A page of the live site rewritten for the copy, on small pages written by hand."""

from __future__ import annotations

from planner.offline.rewriting import Notes, Site, rewrite_page

LIVE = "https://planner.example.org"
NOTES = Notes(
    banner=lambda live: f'<p role="note">copy of <a href="{live}">live</a></p>',
    instead_of_form=lambda label, live: f'<span>{label or "form"} <a href="{live}">live</a></span>',
)


def site() -> Site:
    return Site(
        LIVE,
        "en",
        {
            ("/forums/f/", ""): "index.html",
            ("/forums/f/timetable", "day=2018-03-03"): "timetable/2018-03-03.html",
            ("/forums/f/timetable", "day=2018-03-03&layout=print"): "timetable/2018-03-03-print.html",
            ("/sessions/7", ""): "sessions/7.html",
            ("/forums/f/statements/d%C3%A9claration", ""): "statements/déclaration.html",
        },
        static_files={"css/planner.css"},
    )


def rewrite(html: str, url: str = "/sessions/7", file: str = "sessions/7.html", on: Site | None = None) -> str:
    return rewrite_page(html, on or site(), url, file, NOTES)


def test_links_to_copied_pages_become_relative_and_the_others_go_to_the_live_site():
    page = rewrite(
        '<a href="/forums/f/">f</a> <a href="/forums/f/timetable?layout=print&amp;day=2018-03-03#t">print</a>'
        ' <a href="/forums/f/timetable?day=2018-03-03&amp;lang=en">day</a>'
        ' <a href="/forums/f/timetable?day=2018-03-03&amp;lang=ja">ja</a>'
        ' <a href="https://planner.example.org/sessions/7">self</a> <a href="/login?next=/x">in</a>'
        ' <a href="https://elsewhere.example/x">out</a> <a href="mailto:a@example.org">mail</a>'
        ' <a href="#main">skip</a> <a href="/forums/f/statements/d%C3%A9claration">fr</a>'
        ' <link rel="stylesheet" href="/static/css/planner.css"><img src="/static/missing.png">'
    )
    assert '<a href="../index.html">' in page
    assert '<a href="../timetable/2018-03-03-print.html#t">' in page  # the query's order does not matter
    assert '<a href="../timetable/2018-03-03.html">day' in page  # lang= of the copy's own language
    assert f'<a href="{LIVE}/forums/f/timetable?day=2018-03-03&amp;lang=ja">' in page
    assert '<a href="7.html">self' in page
    assert f'<a href="{LIVE}/login?next=/x">' in page
    assert '<a href="https://elsewhere.example/x">' in page
    assert '<a href="mailto:a@example.org">' in page and '<a href="#main">' in page
    assert '<a href="../statements/d%C3%A9claration.html">' in page
    assert 'href="../static/css/planner.css"' in page
    assert f'src="{LIVE}/static/missing.png"' in page


def test_forms_and_scripts_are_left_out_and_the_note_comes_after_main():
    on = site()
    page = rewrite(
        '<html lang="en"><body><main id="main"><h1>T&eacute;a &amp; &#233;</h1>'
        '<form method="post" action="/x" aria-label="Language"><button>a</button><input name="b"></form>'
        "<p>kept</p><script src=/static/js/x.js></script><!-- c --></main></body></html>",
        on=on,
    )
    assert page == (
        '<html lang="en"><body><main id="main"><p role="note">copy of <a href="https://planner.example.org/sessions/7">'
        "live</a></p><h1>T&eacute;a &amp; &#233;</h1>"
        '<span>Language <a href="https://planner.example.org/sessions/7">live</a></span>'
        "<p>kept</p><!-- c --></main></body></html>"
    )
    assert on.used_static == set()


def test_a_query_alone_is_read_against_the_page():
    page = rewrite(
        '<a href="?day=2018-03-03&amp;layout=print">print</a> <a href="?day=2018-03-04">other</a>',
        url="/forums/f/timetable?day=2018-03-03",
        file="timetable/2018-03-03.html",
    )
    assert '<a href="2018-03-03-print.html">' in page
    assert f'<a href="{LIVE}/forums/f/timetable?day=2018-03-04">' in page
