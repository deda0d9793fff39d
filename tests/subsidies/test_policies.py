"""A subsidy policy the payroll cannot compute is refused when it is saved (not found by a
computation's error months later), and a new minimum wage says what it does (docs/policy.md §8.4)."""

import datetime as dt
from decimal import Decimal as M

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from subsidies.models import MinimumWage, SubsidyPolicy
from subsidies.services import minimum_wage_saved_warnings, policy_check
from tests import factories
from tests.subsidies.test_locked_payees import locked_month
from townships.models import County


def policy(**changes: object) -> SubsidyPolicy:
    values: dict[str, object] = {
        "county": County.objects.get(code="371502"),
        "line": "urban",
        "valid_from": dt.date(2023, 1, 1),
        "document": "文件",
        "basis": "monthly",
        "monthly_amount": M("1700.00"),
        "required_days": 22,
        "split": "district",
    }
    values.update(changes)
    return SubsidyPolicy(**values)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"monthly_amount": None}, "monthly_amount", "按「每月固定金额」须填写月补贴（元）"),
        ({"basis": "annual"}, "annual_amount", "按「每人每年固定金额」须填写年补贴（元/人）"),
        ({"basis": "hourly", "hourly_rate": M("17")}, "hours_per_day", "须填写每日工作小时"),
        ({"basis": "minimum_hourly"}, "hours_per_day", "须填写每日工作小时"),
        ({"split": "percentages", "province_percent": M("40")}, "city_percent", "须填写市级比例"),
        (
            {"split": "percentages", "province_percent": M("60"), "city_percent": M("50")},
            "city_percent",
            "省级与市级比例合计不能超过100",
        ),
        (
            {"split": "percentages", "province_percent": M("140"), "city_percent": M("0")},
            "province_percent",
            "比例应在0至100之间",
        ),
        ({"split": "fixed_province", "city_percent": M("40")}, "province_annual", "须填写省级定额"),
        (
            {"split": "fixed_province", "city_percent": M("40"), "province_annual": M("30000")},
            "province_annual",
            "省级定额不能高于每人每年补贴20400.00元",
        ),
        ({"required_days": 0}, "required_days", "每月规定出勤天数应为1至31天"),
        ({"monthly_amount": M("-1")}, "monthly_amount", "不能为负数"),
    ],
)
def test_a_policy_missing_what_its_way_needs_is_refused_by_field(cast, changes, field, message) -> None:
    with pytest.raises(ValidationError) as refused:
        policy_check(policy(**changes))
    assert any(message in text for text in refused.value.message_dict[field])


def test_the_seeded_policies_and_a_complete_one_pass(cast) -> None:
    for seeded in SubsidyPolicy.objects.all():
        policy_check(seeded)
    policy_check(policy(split="percentages", province_percent=M("40"), city_percent=M("20")))


def test_the_admin_refuses_an_incomplete_policy_and_saves_nothing(cast) -> None:
    cast.county_admin.is_staff = cast.county_admin.is_superuser = True
    cast.county_admin.save()
    admin = cast.client(cast.county_admin)
    county = County.objects.get(code="371502")
    before = SubsidyPolicy.objects.count()
    data = {
        "county": county.pk,
        "line": "urban",
        "valid_from": "2023-01-01",
        "document": "文件",
        "basis": "monthly",
        "monthly_amount": "",
        "required_days": "22",
        "split": "district",
        "hourly_rate": "",
        "hours_per_day": "",
        "annual_amount": "",
        "province_annual": "",
        "province_percent": "",
        "city_percent": "",
        "valid_to": "",
    }
    page = admin.post(reverse("admin:subsidies_subsidypolicy_add"), data)
    assert page.status_code == 200 and "按「每月固定金额」须填写月补贴（元）" in page.content.decode()
    assert SubsidyPolicy.objects.count() == before


def test_a_new_minimum_wage_warns_of_pay_below_it_and_of_locked_months_it_reaches(cast) -> None:
    """东昌府区's rural pay is the minimum hourly wage × 2 h × 20 days: a new minimum wage over
    locked months is told as the corrections the next month will make; its urban 1,700 a month
    falls below a monthly minimum of 1,900."""
    factories.placement("371502101")
    locked_month(cast, "2022-03")
    county = County.objects.get(code="371502")
    wage = MinimumWage.objects.create(
        county=county,
        valid_from=dt.date(2022, 3, 1),
        monthly=M("1900.00"),
        hourly=M("19.00"),
        document="新文件",
    )
    warnings = minimum_wage_saved_warnings(wage)
    assert "乡村岗位按最低工资计发，该标准覆盖已锁定的1个月（2022年03月）" in "".join(warnings)
    assert "城镇岗位：月补贴1700.00元，低于月最低工资标准1900.00元（新文件）" in warnings
    cast.county_admin.is_staff = cast.county_admin.is_superuser = True
    cast.county_admin.save()
    admin = cast.client(cast.county_admin)
    data = {
        "county": county.pk,
        "valid_from": "2022-03-01",
        "monthly": "1900.00",
        "hourly": "19.00",
        "wage_class": "3",
        "document": "新文件",
    }
    page = admin.post(reverse("admin:subsidies_minimumwage_change", args=[wage.pk]), data, follow=True)
    assert "注意：城镇岗位：月补贴1700.00元，低于月最低工资标准1900.00元" in page.content.decode()
