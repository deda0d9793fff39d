import datetime as dt
from decimal import Decimal as M

import pytest
from django.contrib.auth.models import User

from accounts.services import village_user_create
from assessment.models import BonusRule, BonusTier, Scheme
from placements.models import Placement
from tests import factories
from townships.models import County, Township, Village

MARCH, APRIL = dt.date(2022, 3, 1), dt.date(2022, 4, 1)


@pytest.fixture
def scheme(cast) -> Scheme:
    """东昌府区, monthly: village 30 + township 50 + appraisal 20; below 60 withholds 30 %; two
    failures in a row propose an exit."""
    return Scheme.objects.create(
        county=County.objects.get(code="371502"),
        name="公益性岗位月度考核",
        valid_from=dt.date(2022, 1, 1),
        pass_mark=M(60),
        fail_share=M("0.30"),
        exit_after=2,
    )


@pytest.fixture
def village(cast) -> Village:
    """The village the factory's people live in and whose posts they hold."""
    village = Township.objects.get(code="371502101").villages.first()
    assert village is not None  # the seeded township has villages
    return village


@pytest.fixture
def keeper(cast, village) -> User:
    user, _ = village_user_create(actor=cast.clerk, village=village, username="cun")
    return user


@pytest.fixture
def holders(cast) -> tuple[Placement, Placement]:
    return factories.placement("371502101", name="甲"), factories.placement("371502101", name="乙")


@pytest.fixture
def bonus_rule(cast) -> BonusRule:
    """Yearly, by grade, at most half of the holders assessed: 一等 from 90 (1,000 元), 二等 from
    80 (500 元)."""
    rule = BonusRule.objects.create(
        county=County.objects.get(code="371502"), valid_from=dt.date(2022, 1, 1), share=M("0.50")
    )
    BonusTier.objects.create(rule=rule, name="一等", min_score=M(90), amount=M("1000.00"))
    BonusTier.objects.create(rule=rule, name="二等", min_score=M(80), amount=M("500.00"))
    return rule
