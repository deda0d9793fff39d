"""Production serves its own static files (whitenoise): the names the pages link are the hashed
ones `collectstatic` wrote in the image build, sent compressed and cached for a year."""

import http.client
import re

from demo.seed import seed_reference_data
from tests.production import browser, production, production_user
from townships.models import County, Role

YEAR = 365 * 24 * 3600


def fetch(port: int, path: str, encoding: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Accept-Encoding": encoding, "X-Forwarded-Proto": "https"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def linked(page: str, pattern: str) -> str:
    found = re.search(pattern, page)
    assert found, f"no {pattern} in the page"
    return found.group(1)


def assert_served_for_a_year(port: int, path: str) -> None:
    for encoding, served in [("br, gzip", "br"), ("gzip", "gzip")]:
        response = fetch(port, path, encoding)
        assert response.status == 200, path
        assert response.headers["Content-Encoding"] == served
        assert f"max-age={YEAR}" in response.headers["Cache-Control"]
        assert "immutable" in response.headers["Cache-Control"]


def test_it_serves_the_stylesheet_and_chart_script_hashed_compressed_and_cached(
    transactional_db, tmp_path, static, settings
) -> None:
    seed_reference_data()
    county = County.objects.get(code="371502")
    production_user(settings, username="hr", password="hr-password-1", role=Role.HR, county=county)
    with production(tmp_path, static) as port:
        client = browser(port)
        status, login = client.request("GET", "/login/")
        assert status == 200
        stylesheet = linked(login, r'<link rel="stylesheet" href="(/static/css/app\.[0-9a-f]{12}\.css)">')
        print_sheet = linked(login, r'href="(/static/css/print\.[0-9a-f]{12}\.css)" media="print"')
        assert client.login("hr", "hr-password-1") == 302
        status, home = client.request("GET", "/")
        assert status == 200
        chart = linked(home, r'<script src="(/static/vendor/chart-4\.6\.1\.umd\.min\.[0-9a-f]{12}\.js)">')
        dashboard = linked(home, r'<script src="(/static/js/dashboard\.[0-9a-f]{12}\.js)">')
        for path in (stylesheet, print_sheet, chart, dashboard):
            assert_served_for_a_year(port, path)
        assert fetch(port, "/static/css/missing.css", "gzip").status == 404
