"""The named cast and shared fixtures. Every test that needs data seeds the real reference
data (both counties, their 2022 plans, the catalogue) through the same code as seed_demo."""

import os
from dataclasses import dataclass

import hypothesis
import pytest
from django.contrib.auth.models import User
from django.test import Client

from demo.seed import seed_reference_data
from townships.models import County, Role, Township
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


@pytest.fixture
def seeded(db: None) -> list[County]:
    return seed_reference_data()


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
    """Each test starts with an empty cache (the landing page keeps alert counts there)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def static(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The static files collected as the image build does, for gunicorn under production settings."""
    from tests.test_gunicorn import collectstatic

    return collectstatic(tmp_path_factory.mktemp("build"))
