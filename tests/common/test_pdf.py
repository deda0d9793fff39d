"""PDF plumbing: the page links the print stylesheet; the fetcher serves only our static files,
so a PDF never reaches the network or files outside static/."""

from django.urls import reverse

from common.pdf import html_to_pdf, static_file


def test_every_page_links_the_print_stylesheet_for_print_only(cast) -> None:
    page = cast.client(cast.clerk).get(reverse("home")).content.decode()
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in page


def test_the_fetcher_serves_our_static_files_and_nothing_else() -> None:
    found = static_file("http://testserver/static/css/print.css")
    assert found is not None and found.name == "print.css"
    assert static_file("http://testserver/static/css/missing.css") is None
    assert static_file("http://testserver/static/../config/settings/base.py") is None
    assert static_file("http://testserver/static/%2e%2e/manage.py") is None
    assert static_file("http://example.com/secret.css") is None
    assert static_file("file:///etc/passwd") is None


def test_a_pdf_with_an_outside_address_is_still_made_without_it() -> None:
    html = '<html lang="zh-Hans"><body><img src="http://example.com/x.png"><h1>公示</h1></body></html>'
    pdf = html_to_pdf(html, base_url="http://testserver/")
    assert pdf.startswith(b"%PDF")
