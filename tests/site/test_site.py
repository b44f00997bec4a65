"""Health check, error pages and the page frame."""

from planner import create_app


def test_healthz_reports_a_working_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<title>Page not found · planner</title>" in page
    assert "We could not find the page you asked for." in page


def test_pages_declare_their_language_and_offer_a_skip_link(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in page
    assert '<main id="main"' in page


def test_post_to_a_read_only_page_is_refused_with_405(client):
    response = client.post("/")
    assert response.status_code == 405
    assert "Method not allowed" in response.get_data(as_text=True)


def test_ids_too_large_for_the_database_are_a_404(client):
    response = client.get(f"/sessions/{2**40}")
    assert response.status_code == 404
