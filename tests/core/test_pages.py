"""The base pages stand: health check, friendly errors, security headers, languages."""


def test_healthz_checks_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"


def test_unknown_page_is_plain_french_404(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page introuvable" in html
    assert '<html lang="fr" dir="ltr">' in html


def test_security_headers_on_every_answer(client):
    response = client.get("/nulle-part")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_arabic_is_right_to_left_and_remembered(client):
    response = client.get("/nulle-part?lang=ar")
    assert 'dir="rtl"' in response.get_data(as_text=True)
    assert "lang=ar" in response.headers.get("Set-Cookie", "")
    again = client.get("/nulle-part")
    assert 'lang="ar"' in again.get_data(as_text=True)
