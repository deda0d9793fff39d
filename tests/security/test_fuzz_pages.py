"""Every form field and query parameter of every page, fuzzed (hypothesis): no input answers 500.

Nothing here is hand-picked. The pages are the URL map's (tests/security/test_url_map.py), plus
the application page at every step of the procedure (each step shows its own form). Each page is
fetched as every role; what it reads is found two ways: the fields of every form it renders (its
inputs, selects, textareas and buttons, with their values as good samples, and the form's own
target, so the POST-only addresses are reached through the pages that post to them) and the
query parameters its links carry; and every name the view reads from request.GET, POST or FILES
while it answers (recorded on QueryDict), which finds the parameters no form shows (?year=,
?township=). Then each target gets bodies where every field is left out, good, or bad: NUL and
other control characters, text longer than any column, numbers beyond any column's precision,
NaN, out-of-range years and dates, junk files with over-long names.

A failing target does not stop the others: the test lists every target that answered 500, each
with hypothesis's smallest example."""

import io
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from placements import services
from placements.models import Objection
from posts.services import post_create
from tests.placements.conftest import APPROVED_ON, ON_POST, PUBLICIZED_FROM, recruiting  # noqa: F401
from tests.security.test_url_map import addresses  # noqa: F401
from workspace.jobs import LISTINGS

ROLES = ["clerk", "hr", "finance", "auditor", "county_admin", "anonymous"]  # anonymous: the login form
SKIPPED = {"logout"}  # ends the session the other targets need
IGNORED_NAMES = {"csrfmiddlewaretoken"}
SLOW = re.compile(r"/pdf/|\.pdf")  # WeasyPrint lays out each PDF: fewer examples
# The sweep tries every kind of bad value on every target; the random mixes on top are few in a usual
# run (the whole suite stays a few minutes) and as many as wanted with FUZZ_EXAMPLES=200 make test.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# The sweep gives each field every STRIDE-th NASTY value (shifted by field, so that every value
# reaches every target through one of its fields): a third of its requests, the sweep having been
# a third of the suite. FUZZ_SWEEP_STRIDE=1 make test gives every field every value.
SWEEP_STRIDE = int(os.environ.get("FUZZ_SWEEP_STRIDE", "3"))
SLOW_EXAMPLES = max(1, EXAMPLES // 4)

# --- what a page reads ------------------------------------------------------------------------


@dataclass
class Target:
    method: str  # "GET" or "POST"
    url: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name → good values seen
    files: set[str] = field(default_factory=set)  # names of file inputs

    @property
    def key(self) -> tuple:
        return (self.method, self.url, tuple(sorted(self.fields)), tuple(sorted(self.files)))


class _Forms(HTMLParser):
    """The forms of a page (target, method, fields with their values) and its links' queries."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Target] = []
        self.links: list[str] = []
        self._form: Target | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = urlsplit(a.get("action") or self.page_url)
            method = a.get("method", "get").upper()
            url = action.path or urlsplit(self.page_url).path
            if method == "POST" and action.query:  # a POST keeps its address's query as it is
                url = f"{url}?{action.query}"
            self._form = Target(method, url)
            self.forms.append(self._form)
            if method == "GET":  # a GET form's submission replaces the query: its values are fields
                for name, value in parse_qsl(action.query, keep_blank_values=True):
                    self._form.fields.setdefault(name, []).append(value)
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif self._form is not None and tag in ("input", "select", "textarea", "button") and a.get("name"):
            name = a["name"]
            if a.get("type") == "file":
                self._form.files.add(name)
                return
            values = self._form.fields.setdefault(name, [])
            if a.get("value"):
                values.append(a["value"])
            if tag == "select":
                self._select = name
        elif tag == "option" and self._form is not None and self._select:
            self._form.fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@contextmanager
def recording(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """The names views read from request.GET, POST and FILES while the block runs."""
    read: set[str] = set()
    with monkeypatch.context() as patch:
        for method in ("get", "getlist", "__getitem__", "__contains__"):
            original = getattr(MultiValueDict, method)

            def spy(self, key, *args, _original=original, **kwargs):
                if isinstance(self, QueryDict):  # not the URL resolver's own MultiValueDicts
                    read.add(key)
                return _original(self, key, *args, **kwargs)

            patch.setattr(MultiValueDict, method, spy)
        yield read


def _local(href: str) -> str | None:
    """The path of a link or form target inside the site (None for another site, a fragment or
    a skipped address)."""
    parts = urlsplit(href)
    if parts.netloc or not parts.path:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return None if match.view_name in SKIPPED else parts.path


def discover(client: Client, urls: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch) -> list[Target]:
    """The targets one user's pages offer: each GET page with its read names, forms and links;
    each form's target with its fields; each POST-only address with what an empty POST reads."""
    found: dict[tuple, Target] = {}

    def add(target: Target) -> None:
        target.fields = {k: v for k, v in target.fields.items() if k not in IGNORED_NAMES}
        known = found.setdefault(target.key, target)
        if known is not target:
            for name, values in target.fields.items():
                known.fields.setdefault(name, []).extend(values)

    for method, url in urls:
        with rolled_back(), recording(monkeypatch) as read:
            page = client.get(url) if method == "GET" else client.post(url, {})
        if page.status_code != 200 and method == "GET":
            continue
        if method == "POST":
            if page.status_code not in (403, 404, 405):
                add(Target("POST", url, {name: [] for name in read}))
            continue
        path = urlsplit(url).path  # a page asked for with a query keeps its values as good ones
        query = Target("GET", path, {name: [] for name in read} | _query_fields(url))
        if "text/html" in page.get("Content-Type", ""):
            parser = _Forms(url)
            parser.feed(page.content.decode())
            for form in parser.forms:
                if _local(form.url):
                    add(form) if form.method == "POST" else _merge(query, form)
            for href in parser.links:
                linked = _local(href)
                if linked == path:
                    _merge(query, Target("GET", path, _query_fields(href)))
                elif linked and urlsplit(href).query:  # another page's parameters (a download's)
                    add(Target("GET", linked, _query_fields(href)))
        add(query)
    return list(found.values())


def _merge(into: Target, other: Target) -> None:
    for name, values in other.fields.items():
        into.fields.setdefault(name, []).extend(values)


def _query_fields(href: str) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for name, value in parse_qsl(urlsplit(href).query, keep_blank_values=True):
        fields.setdefault(name, []).append(value)
    return fields


# --- what is thrown at it ---------------------------------------------------------------------

POSTABLE = st.characters(exclude_categories=["Cs"])
# One of each kind of trouble, thrown at every field in turn by the sweep: what PostgreSQL refuses
# (NUL, text longer than a column, digits beyond a DecimalField, integers beyond a key), what
# Python refuses (year 0, NaN compared, a date out of range) and what a tampered form sends.
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "字" * 301,
    "a" * 5001,
    "9" * 30,
    "99999999999.99",
    "12345.6789",
    "0.001",
    "-1",
    "0",
    "NaN",
    "Infinity",
    "1e400",
    "１７００",
    "2147483648",
    "9223372036854775808",
    "0000",
    "0001-01-01",
    "9999-12-31",
    "2022-13",
    "2022-02-30",
    "0000-00",
    "~nothing",
    "-name",
    "<script>",
    "²",
]
bad_values = st.one_of(
    st.sampled_from(NASTY + ["-0.01", "1.5", "1e3", "٣", "1", "10000", "99999", "1900", "2022-00", "\u202e"]),
    st.text(POSTABLE, max_size=12),
    st.builds(
        lambda piece, n: piece * n, st.sampled_from(["字", "a", "1", "😀", "\x00"]), st.integers(101, 5000)
    ),
    st.integers(-(10**20), 10**20).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
)
file_names = st.one_of(
    st.sampled_from(["a.xlsx", "a.xls", "a.pdf", "无后缀", "..", ".xlsx", "a\x00.xlsx"]),
    st.builds(
        lambda n, ext: "名" * n + ext, st.integers(90, 400), st.sampled_from([".xlsx", ".pdf", ".jpg"])
    ),
)


@st.composite
def bodies(draw: st.DrawFn, target: Target) -> dict[str, Any]:
    """A body for `target`: each field left out, one of its good values, or bad (mostly good
    with one field bad, so the bad value gets past the fields checked before it)."""
    mode = draw(st.sampled_from(["one bad field", "anything"]))
    names = sorted(target.fields)
    bad_one = draw(st.sampled_from(names)) if names and mode == "one bad field" else None
    body: dict[str, Any] = {}
    for name in names:
        good = [v for v in target.fields[name] if v] or [""]
        how = "bad" if name == bad_one else draw(st.sampled_from(["good", "good", "bad", "out"]))
        if mode == "one bad field" and name != bad_one:
            how = "good"
        if how == "good":
            body[name] = draw(st.sampled_from(good))
        elif how == "bad":
            body[name] = draw(bad_values)
    for name in sorted(target.files):
        if draw(st.booleans()):
            upload = io.BytesIO(draw(st.binary(max_size=64)))
            upload.name = draw(file_names)
            body[name] = upload
    return body


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- the world and the test -------------------------------------------------------------------


@pytest.fixture
def pages(recruiting, addresses) -> list[tuple[str, str]]:  # noqa: F811
    """(method, url) of every address of the URL map, and the application page at each step
    before placement (each shows the form of its next step)."""
    urls = [
        ("POST" if a.post else "GET", reverse(a.name, args=a.args))
        for a in addresses
        if a.name not in SKIPPED
    ]
    township, first = recruiting.township, recruiting.posts[0]
    more = [
        post_create(township=township, village=first.village, line=first.line, year=2022, duty=first.duty)
        for _ in range(3)
    ]
    recruiting.announcement.posts.add(*more)
    recruiting.posts.extend(more)
    applied, publicized, reviewed, approved, agreed = (
        recruiting.apply(1, post_index=i)[0] for i in range(1, 6)
    )
    recruiting.review([publicized, reviewed, approved, agreed])
    recruiting.publicize([publicized, approved, agreed])
    clerk = recruiting.cast.clerk
    Objection.objects.create(
        application=publicized, raised_on=PUBLICIZED_FROM, content="有人反映", recorded_by=clerk
    )
    services.approve(applications=[approved, agreed], actor=recruiting.cast.hr, on=APPROVED_ON)
    services.agreement_sign(application=agreed, start=ON_POST, signed_on=APPROVED_ON, actor=clerk)
    for application in (applied, publicized, reviewed, approved, agreed):
        urls.append(("GET", reverse("placements:application-detail", args=[application.pk])))
    # pages that show more with a query: the year the world's run is in (its download link), and
    # the background export of each list
    urls.append(("GET", reverse("subsidies:costs") + "?year=2022"))
    urls += [("GET", reverse("workspace:export-new") + f"?list={name}") for name in LISTINGS]
    return urls


def _client(cast, role: str) -> Client:
    return cast.client(None if role == "anonymous" else getattr(cast, role))


def test_every_address_of_the_url_map_is_fuzzed_for_some_role(cast, pages, addresses, monkeypatch) -> None:  # noqa: F811
    """Discovery misses no page: each address of the map (and so each new page, which
    test_url_map forces into the map) is a target for at least one role, unless it answers
    nobody (a token the map names for its shape only)."""
    reached = {t.url for role in ROLES for t in discover(_client(cast, role), pages, monkeypatch)}
    for address in addresses:
        url = reverse(address.name, args=address.args)
        if address.name in SKIPPED or url in reached:
            continue
        target = Target("POST" if address.post else "GET", url)
        answers = {_answer(_client(cast, role), target, {}) for role in ROLES}
        assert answers <= {"302", "403", "404"}, (address.name, answers)


def _answer(client: Client, target: Target, body: dict[str, Any]) -> str:
    """The status of one request, or the exception it raised (the test client re-raises)."""
    send = client.get if target.method == "GET" else client.post
    try:
        with rolled_back():
            return str(send(target.url, body).status_code)
    except Exception as exc:  # noqa: BLE001 - reported with the body that caused it
        return repr(exc)[:300]


def _upload(name: str) -> io.BytesIO:
    upload = io.BytesIO(b"PK\x03\x04 not a workbook")
    upload.name = name
    return upload


@pytest.mark.parametrize("role", ROLES)
def test_every_field_takes_every_kind_of_bad_value_without_a_500(cast, pages, role, monkeypatch) -> None:
    """The sweep: each field of each target in turn gets NASTY values (every SWEEP_STRIDE-th, all
    of them across the target's fields), the others good."""
    client = _client(cast, role)
    failures = []
    for target in discover(client, pages, monkeypatch):
        good = {name: next((v for v in values if v), "") for name, values in target.fields.items()}
        names = sorted(target.fields)
        stride = max(1, min(SWEEP_STRIDE, len(names)))  # every value still reaches every target
        bodies: list[dict[str, str | io.BytesIO]] = [
            {**good, name: value}
            for j, name in enumerate(names)
            for i, value in enumerate(NASTY)
            if (i + j) % stride == 0
        ]
        bodies += [
            {**good, name: _upload(n)} for name in target.files for n in ("名" * 300 + ".xlsx", "\x00.xls")
        ]
        for body in bodies:
            answer = _answer(client, target, body)
            if not answer.isdigit() or int(answer) >= 500:
                shown = {k: (v if isinstance(v, str) else v.name)[:40] for k, v in body.items()}
                failures.append(f"{target.method} {target.url} {shown}: {answer}")
    assert not failures, "\n".join(failures[:60])


@pytest.mark.parametrize("role", ROLES)
def test_no_form_field_or_query_parameter_answers_500(cast, pages, role, monkeypatch) -> None:
    client = _client(cast, role)
    targets = discover(client, pages, monkeypatch)
    assert targets, role
    failures: list[str] = []
    for target in targets:
        try:
            fuzz(client, target)()
        except Exception as exc:  # noqa: BLE001 - every failing target is listed, not just the first
            failures.append(f"{target.method} {target.url} {sorted(target.fields)}: {exc!r}"[:600])
    assert not failures, "\n".join(failures)


def fuzz(client: Client, target: Target) -> Callable[[], None]:
    """A hypothesis test throwing bodies at one target (fewer examples for a PDF)."""

    @settings(
        max_examples=SLOW_EXAMPLES if SLOW.search(target.url) else EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(body=bodies(target))
    def answer(body: dict[str, Any]) -> None:
        send = client.get if target.method == "GET" else client.post
        with rolled_back():
            page = send(target.url, body)
        assert page.status_code < 500, (target.method, target.url, body)

    return answer
