"""The rural-share tolerance is the five-year plan's own (docs/policy.md §2.5): 5 percentage points
unless the county enters another on the five-year page; the check of a year's plan warns beyond it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.townships.test_plans_pages import five_year_post
from townships import plans
from townships.models import County, FiveYearPlan

TARGET = "兖州区“十四五”城乡公益性岗位开发目标"


def test_the_check_warns_beyond_the_plans_own_tolerance(seeded) -> None:
    county = County.objects.get(code="370812")
    five = FiveYearPlan.objects.get(county=county, first_year=2021)
    assert five.share_tolerance == Decimal("5")  # the default
    # 58.65 % rural against “约占75%”: 16.35 points away
    for tolerance, warned in ((Decimal("20"), False), (Decimal("16.35"), False), (Decimal("16.3"), True)):
        FiveYearPlan.objects.filter(pk=five.pk).update(share_tolerance=tolerance)
        shown = plans.against_target(county=county, year=2023, urban=987, rural=1400)
        assert shown is not None
        message = f"乡村岗位占58.65%，与{TARGET}约占75%的要求相差超过{plans.percent(tolerance)}个百分点"
        assert shown.warnings == ([message] if warned else []), tolerance


def test_the_service_stores_the_tolerance_and_refuses_one_outside_0_to_100(seeded) -> None:
    county = County.objects.get(code="371502")
    years = [plans.YearSplit(2026 + i, 800, None, None) for i in range(5)]
    kwargs: dict = {"county": county, "first_year": 2026, "title": "十五五", "document": ""}
    kwargs |= {"target_urban": 1000, "target_rural": 3000, "years": years, "rural_share": Decimal("75")}
    with pytest.raises(ValidationError, match="乡村比例允许偏差须在0到100个百分点之间"):
        plans.five_year_plan_save(**kwargs, share_tolerance=Decimal("101"))
    assert not FiveYearPlan.objects.filter(county=county).exists()
    assert plans.five_year_plan_save(**kwargs).share_tolerance == Decimal("5")
    saved = plans.five_year_plan_save(**kwargs, share_tolerance=Decimal("8.5"))
    assert FiveYearPlan.objects.get(pk=saved.pk).share_tolerance == Decimal("8.50")


def test_hr_enters_the_tolerance_on_the_five_year_page(cast) -> None:
    client = cast.client(cast.hr)
    url = reverse("townships:five-year-new", args=["371502"])
    form = client.get(url).content.decode()
    assert "乡村比例允许偏差" in form and 'name="share_tolerance" value="5"' in form
    refused = client.post(url, five_year_post(share_tolerance="150"))
    assert refused.status_code == 200 and not FiveYearPlan.objects.filter(county__code="371502").exists()
    assert client.post(url, five_year_post(share_tolerance="12.5")).status_code == 302
    assert FiveYearPlan.objects.get(county__code="371502").share_tolerance == Decimal("12.50")
    assert client.post(url, five_year_post()).status_code == 302  # left empty: 5
    assert FiveYearPlan.objects.get(county__code="371502").share_tolerance == Decimal("5.00")
