"""PDF files of the printable documents, through WeasyPrint (BSD, maintained by CourtBouillon,
pure Python over Pango; no browser to run on the server). The PDF is the very page the browser
prints: the same template, laid out with the same stylesheets (app.css and print.css, print
media), so the two never drift apart.

Nothing is fetched from the network: the fetcher serves the project's own static files (the
stylesheets the page links) and refuses every other address. Chinese text needs a CJK font
installed on the machine (Debian fonts-noto-cjk; see .ci/run and the Dockerfile); print.css
names it after the Windows and macOS 宋体 fonts.
"""

import functools
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils._os import safe_join


def static_file(url: str) -> Path | None:
    """The local file behind a static URL of ours, or None (not static, unknown, or escaping)."""
    prefix = "/" + urlsplit(settings.STATIC_URL).path.strip("/") + "/"
    path = unquote(urlsplit(url).path)
    if not path.startswith(prefix):
        return None
    name = path.removeprefix(prefix)
    try:
        found = finders.find(name) or safe_join(str(settings.STATIC_ROOT), name)
    except SuspiciousFileOperation:
        return None
    found_path = Path(found)
    return found_path if found_path.is_file() else None


@functools.cache
def _fetcher_class() -> type:
    # WeasyPrint is imported on first use: loading Pango takes a second or more, which every
    # process (workers, commands) would otherwise pay at start-up.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves our static files from disk; anything else is refused (WeasyPrint logs and
        skips it)."""

        def fetch(self, url: str, headers: dict | None = None) -> Any:
            local = static_file(url)
            if local is None:
                raise ValueError(f"not one of our static files: {url}")
            kind = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=local.read_bytes(), headers={"Content-Type": kind})

    return StaticOnlyFetcher


def html_to_pdf(html: str, base_url: str) -> bytes:
    """Lay out `html` for print on A4 and return the PDF. Its cost grows with the rows of its
    tables (docs/performance.md P1)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url, url_fetcher=_fetcher_class()()).write_pdf()


def pdf_response(request: HttpRequest, template: str, context: dict, filename: str) -> HttpResponse:
    """The printable page `template` as a PDF download named `filename`."""
    html = render_to_string(template, context, request=request)
    pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
