"""The named cast and shared fixtures.

The real reference data (both counties, their 2022 plans, the catalogue, the policies, the
eligibility rules, the villages) is loaded once per session into the test database, after the
migrations, through the same code as seed_demo (`django_db_setup` below): each `db` test runs in a
transaction that rolls back to it. A transactional test (`transactional_db`, `live_server`,
`django_db(transaction=True)`) empties every table at its end, so the next test that needs the
database finds the reference data loaded again before its fixtures run (`pytest_runtest_setup`),
and `seeded` loads it when it is missing (one query to ask)."""

import os
from dataclasses import dataclass

import hypothesis
import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.plugin import blocking_manager_key

from demo.seed import seed_reference_data
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


def reference_data_loaded() -> bool:
    """One query: the villages are what seed_reference_data writes last."""
    return Village.objects.filter(township__county__code__in=REFERENCE_COUNTIES).exists()


def reference_counties() -> list[County]:
    return list(County.objects.filter(code__in=REFERENCE_COUNTIES).order_by("pk"))


REFERENCE_COUNTIES = ("371502", "370812")
# True when a transactional test has emptied the tables since the reference data was last loaded
_emptied = {"since_seed": False}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    """pytest-django's test database (created and migrated), then the reference data, once."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        seed_reference_data()
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
    the reference data again if a transactional test emptied the tables. A transactional test
    that does not ask for `seeded` is left with what it finds (it may load the data itself)."""
    if not _emptied["since_seed"] or not _uses_db(item):
        return
    if _is_transactional(item) and "seeded" not in getattr(item, "fixturenames", ()):
        return
    from django.db import transaction

    with item.config.stash[blocking_manager_key].unblock(), transaction.atomic():
        seed_reference_data()
    _emptied["since_seed"] = False


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):  # type: ignore[no-untyped-def]
    """After a transactional test's fixtures are torn down, its tables are empty."""
    try:
        return (yield)
    finally:
        if _is_transactional(item):
            _emptied["since_seed"] = True


@pytest.fixture
def seeded(db: None) -> list[County]:
    """The reference data, loaded once per session; loaded here only when it is missing."""
    if not reference_data_loaded():
        return seed_reference_data()
    return reference_counties()


@pytest.fixture
def cast(seeded: list[County]) -> Cast:
    dongchang = County.objects.get(code="371502")
    yanzhou = County.objects.get(code="370812")

    def make(username: str, role: str, county: County | None = None, township: str | None = None) -> User:
        town = Township.objects.get(code=township) if township else None
        return user_with_membership_ensure(
            username=username, password=PASSWORD, role=role, county=county, township=town
        )

    return Cast(
        county_admin=make("admin", Role.COUNTY_ADMIN),
        hr=make("hr", Role.HR, dongchang),
        finance=make("finance", Role.FINANCE, dongchang),
        finance2=make("finance2", Role.FINANCE, dongchang),
        auditor=make("auditor", Role.AUDITOR, dongchang),
        clerk=make("clerk", Role.CLERK, dongchang, "371502101"),
        other_clerk=make("clerk2", Role.CLERK, dongchang, "371502102"),
        hr_other_county=make("hr_yz", Role.HR, yanzhou),
        clerk_other_county=make("clerk_yz", Role.CLERK, yanzhou, "370812001"),
        nobody=User.objects.create_user("nobody", password=PASSWORD),
    )


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache (the landing page keeps alert counts there), asked
    again: a failure an earlier test provoked (Redis down or hung) leaves common.cache resting."""
    from django.core.cache import cache

    from common import cache as site_cache

    site_cache._resting_until = 0.0
    cache.clear()


@pytest.fixture(scope="session")
def static(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The static files collected as the image build does, for gunicorn under production settings."""
    from tests.test_gunicorn import collectstatic

    return collectstatic(tmp_path_factory.mktemp("build"))
