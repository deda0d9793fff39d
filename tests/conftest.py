"""The named cast and shared fixtures.

The real reference data (both counties, their 2022 plans, the catalogue, the policies, the
eligibility rules, the villages) and the cast's users are loaded once per session into the test
database, after the migrations, through the same code as seed_demo and the same service as a
county administrator (`django_db_setup` below): each `db` test runs in a transaction that rolls
back to them, and `cast` only reads the users (one query; making them in each test took 0.2–0.4 s
on this busy machine, each membership's constraints being checked one query each). A
transactional test (`transactional_db`, `live_server`, `django_db(transaction=True)`) empties
every table at its end, so the next test that needs the database finds them loaded again before
its fixtures run (`pytest_runtest_setup`), and `seeded` loads them when they are missing (two
queries to ask)."""

import os
from dataclasses import dataclass

import hypothesis
import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.plugin import blocking_manager_key

from demo.seed import seed_reference_data
from tests.db_template import Template
from townships.models import County, Role, Township, Village
from townships.services import user_with_membership_ensure

PASSWORD = "cast-password-1"

# CI explores the same examples on every run (a property test must not fail CI by chance); a
# developer's run explores new ones and keeps failures in .hypothesis/.
hypothesis.settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("HYPOTHESIS_PROFILE"):
    hypothesis.settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


@dataclass
class Cast:
    county_admin: User
    hr: User
    finance: User
    finance2: User  # the second finance user: approves and locks what `finance` computed
    auditor: User
    clerk: User  # 371502101 沙镇镇
    other_clerk: User  # 371502102 堂邑镇, same county
    hr_other_county: User  # 370812 兖州区
    clerk_other_county: User  # 370812001 鼓楼街道
    nobody: User  # signed in, no membership

    def client(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


# (Cast field, username, role, county code, township code); the last, `nobody`, has no membership.
CAST_USERS: tuple[tuple[str, str, str | None, str | None, str | None], ...] = (
    ("county_admin", "admin", Role.COUNTY_ADMIN, None, None),
    ("hr", "hr", Role.HR, "371502", None),
    ("finance", "finance", Role.FINANCE, "371502", None),
    ("finance2", "finance2", Role.FINANCE, "371502", None),
    ("auditor", "auditor", Role.AUDITOR, "371502", None),
    ("clerk", "clerk", Role.CLERK, "371502", "371502101"),
    ("other_clerk", "clerk2", Role.CLERK, "371502", "371502102"),
    ("hr_other_county", "hr_yz", Role.HR, "370812", None),
    ("clerk_other_county", "clerk_yz", Role.CLERK, "370812", "370812001"),
    ("nobody", "nobody", None, None, None),
)
CAST_USERNAMES = tuple(username for _, username, *_ in CAST_USERS)


def cast_users_make() -> None:
    """The cast's users and memberships, through the service (idempotent): `nobody` last."""
    for _, username, role, county, township in CAST_USERS:
        if role is None:
            if not User.objects.filter(username=username).exists():
                User.objects.create_user(username, password=PASSWORD)
            continue
        user_with_membership_ensure(
            username=username,
            password=PASSWORD,
            role=role,
            county=County.objects.get(code=county) if county else None,
            township=Township.objects.get(code=township) if township else None,
        )


def session_data_seed() -> list[County]:
    """What each test finds in the database: the reference data, then the cast's users."""
    counties = seed_reference_data()
    cast_users_make()
    return counties


def reference_data_loaded() -> bool:
    """Two small queries: the villages are what seed_reference_data writes last, `nobody` what
    the cast's users end with."""
    return (
        Village.objects.filter(township__county__code__in=REFERENCE_COUNTIES).exists()
        and User.objects.filter(username=CAST_USERNAMES[-1]).exists()
    )


def reference_counties() -> list[County]:
    return list(County.objects.filter(code__in=REFERENCE_COUNTIES).order_by("pk"))


REFERENCE_COUNTIES = ("371502", "370812")
# True when a transactional test has emptied the tables since the reference data was last loaded
_emptied = {"since_seed": False}


_template = Template()


@pytest.fixture(scope="session")
def django_db_keepdb(django_db_keepdb: bool, django_db_modify_db_settings_parallel_suffix: None):
    """On SQLite, the test database copied from the migrated template when there is one (then
    kept, so that `migrate` finds nothing to apply), and removed at the end (tests/db_template.py)."""
    if django_db_keepdb:  # --reuse-db: pytest-django's own
        yield True
        return
    yield _template.prepare()
    _template.remove()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker) -> None:
    """pytest-django's test database (created and migrated, or copied from the template), then
    the reference data and the cast's users, once."""
    from django.db import transaction

    with django_db_blocker.unblock():
        _template.save()  # when this process built the database: the template for the next
        with transaction.atomic():
            session_data_seed()
    _emptied["since_seed"] = False


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        from pytest_django.fixtures import validate_django_db

        transaction, reset_sequences, *_ = validate_django_db(marker)
        if transaction or reset_sequences:
            return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


def _uses_db(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return item.get_closest_marker("django_db") is not None or "db" in names or _is_transactional(item)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before the fixtures of a test that uses the database (so outside its transaction): load
    the reference data and the cast's users again if a transactional test emptied the tables. A
    transactional test that does not ask for `seeded` is left with what it finds (it may load the
    data itself)."""
    if not _emptied["since_seed"] or not _uses_db(item):
        return
    if _is_transactional(item) and "seeded" not in getattr(item, "fixturenames", ()):
        return
    from django.db import transaction

    with item.config.stash[blocking_manager_key].unblock(), transaction.atomic():
        session_data_seed()
    _emptied["since_seed"] = False


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After a transactional test's fixtures are torn down, its tables are empty."""
    try:
        return (yield)
    finally:
        if _is_transactional(item):
            _emptied["since_seed"] = True


@pytest.fixture
def seeded(db: None) -> list[County]:
    """The reference data and the cast's users, loaded once per session; loaded here only when
    they are missing."""
    if not reference_data_loaded():
        return session_data_seed()
    return reference_counties()


@pytest.fixture
def cast(seeded: list[County]) -> Cast:
    """The cast's users, made once per session (cast_users_make): read here in one query."""
    users = User.objects.in_bulk(CAST_USERNAMES, field_name="username")
    return Cast(**{field: users[username] for field, username, *_ in CAST_USERS})


@pytest.fixture
def without_cast(db: None) -> None:
    """For a test that counts every user from none: the cast's users (made once per session)
    deleted inside the test's transaction, which rolls back to them."""
    User.objects.filter(username__in=CAST_USERNAMES).delete()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache (the landing page keeps alert counts there), asked
    again: a failure an earlier test provoked (Redis down or hung) leaves common.cache resting."""
    from django.core.cache import cache

    from common import cache as site_cache

    site_cache._resting_until = 0.0
    cache.clear()


@pytest.fixture(scope="session")
def static(tmp_path_factory: pytest.TempPathFactory):
    """The static files collected as the image build does, for gunicorn under production settings."""
    from tests.test_gunicorn import collectstatic

    return collectstatic(tmp_path_factory.mktemp("build"))
