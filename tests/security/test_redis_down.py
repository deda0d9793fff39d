"""With Redis down the pages still work: the cache is an accelerator, never a dependency."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from subsidies import payroll
from tests import factories
from townships.models import County

DEAD = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/1"}
}


def test_landing_pages_alerts_and_the_run_page_answer_with_the_cache_unreachable(cast, settings) -> None:
    factories.placement("371502101", on_post=dt.date(2019, 1, 1))
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), dt.date(2022, 2, 1)))
    settings.CACHES = DEAD  # Django's test signals reset the cache handler
    with pytest.raises(Exception, match="(?i)connect"):
        cache.get("anything")
    pages = [(cast.clerk, reverse("home")), (cast.hr, reverse("home")), (cast.finance, reverse("home"))]
    pages += [(cast.clerk, reverse("placements:alerts"))]
    pages += [(cast.finance, reverse("subsidies:run-detail", args=[run.pk]))]
    for user, url in pages:
        assert cast.client(user).get(url).status_code == 200, url
    assert "补贴期限届满" in cast.client(cast.clerk).get(reverse("placements:alerts")).content.decode()
