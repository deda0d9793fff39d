"""The seed documents' 2022 plans, reproduced exactly, and seed_demo's behaviour."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from posts.models import Duty, PostCategory
from townships.models import County, Membership, Plan, Quota, Role, Township, Village

# Typed from seed 000 附件1 and seed 001 附件2: code, total, urban, rural.
DONGCHANG_2022 = [
    ("371502001", 218, 173, 45),
    ("371502002", 263, 193, 70),
    ("371502003", 264, 208, 56),
    ("371502006", 244, 16, 228),
    ("371502005", 157, 19, 138),
    ("371502101", 421, 18, 403),
    ("371502103", 331, 18, 313),
    ("371502102", 217, 16, 201),
    ("371502105", 178, 16, 162),
    ("371502104", 227, 16, 211),
    ("371502100", 250, 19, 231),
    ("371502106", 156, 16, 140),
    ("371502115", 177, 16, 161),
    ("371502116", 207, 16, 191),
]
YANZHOU_2022 = [
    ("370812105", 410, 20, 390),
    ("370812001", 254, 230, 24),
    ("370812003", 215, 167, 48),
    ("370812006", 158, 110, 48),
    ("370812007", 196, 10, 186),
    ("370812103", 370, 10, 360),
    ("370812102", 238, 10, 228),
    ("370812111", 184, 10, 174),
    ("370812107", 136, 10, 126),
    ("370812101", 226, 10, 216),
]


@pytest.mark.parametrize(
    ("county", "expected", "totals"),
    [("371502", DONGCHANG_2022, (3310, 760, 2550)), ("370812", YANZHOU_2022, (2387, 587, 1800))],
)
def test_it_loads_each_2022_plan_exactly_as_the_seed(seeded, county, expected, totals) -> None:
    plan = Plan.objects.get(county__code=county, year=2022)
    rows = [(q.township.code, q.total, q.urban, q.rural) for q in plan.quotas.select_related("township")]
    assert rows == expected
    assert (sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[3] for r in rows)) == totals
    assert (plan.declared_urban, plan.declared_rural) == totals[1:]


def test_it_loads_both_counties_with_their_townships_and_cities(seeded) -> None:
    dongchang = County.objects.get(code="371502")
    yanzhou = County.objects.get(code="370812")
    assert (dongchang.name, dongchang.city.name, dongchang.city.code) == ("东昌府区", "聊城市", "3715")
    assert (yanzhou.name, yanzhou.city.name, yanzhou.city.code) == ("兖州区", "济宁市", "3708")
    assert dongchang.townships.count() == 14
    assert yanzhou.townships.count() == 10
    assert Township.objects.get(code="371502101").name == "沙镇镇"
    assert Township.objects.get(code="370812007").kind == Township.Kind.STREET
    assert dongchang.dedicated_posts_per_township == 3
    assert Village.objects.filter(township__code="371502101").count() >= 3


def test_it_loads_the_five_categories_with_their_duties_per_line(seeded) -> None:
    assert list(PostCategory.objects.values_list("name", flat=True)) == [
        "公共管理类",
        "公共服务类",
        "社会事业类",
        "设施维护类",
        "社会治理类",
    ]
    assert Duty.objects.filter(line="rural").count() == 9 + 4 + 6 + 4 + 2
    assert Duty.objects.filter(line="urban").count() == 4 + 2 + 6 + 1 + 2
    assert Duty.objects.filter(line="urban", category__name="公共服务类", name="疫情防控").exists()
    assert not Duty.objects.filter(line="urban", name="村容保洁").exists()


def test_seed_demo_is_idempotent_and_creates_every_demo_user(db, without_cast, capsys) -> None:
    call_command("seed_demo", "--password", "pw-12345678")
    first = (Quota.objects.count(), Village.objects.count(), User.objects.count(), Duty.objects.count())
    call_command("seed_demo", "--password", "pw-12345678")
    assert (
        Quota.objects.count(),
        Village.objects.count(),
        User.objects.count(),
        Duty.objects.count(),
    ) == first
    assert first[0] == 24
    # county admin; HR, finance, finance2, auditor per county; two clerks and a village user per township;
    # the staff of the demo's contracted agency (docs/policy.md §1.5); a user per city and the province (§1.4)
    assert first[2] == 1 + 2 * 4 + 3 * 24 + 1 + 2 + 1
    city = Membership.objects.get(user__username="city_3715")
    assert city.city is not None  # a city user is tied to its city
    assert (city.role, city.city.name, city.county) == (Role.CITY, "聊城市", None)
    assert Membership.objects.get(user__username="province_37").role == Role.PROVINCE
    staff = Membership.objects.get(user__username="agency_371502101")
    assert staff.agency is not None  # agency staff belong to their agency
    assert (staff.role, staff.county, staff.township) == (Role.AGENCY, None, None)
    assert list(staff.agency.contracts.get().townships.values_list("code", flat=True)) == ["371502101"]
    clerk = User.objects.get(username="clerk_371502101")
    assert clerk.check_password("pw-12345678")
    assert clerk.membership.township is not None  # a clerk is tied to a township
    assert (clerk.membership.role, clerk.membership.township.code) == (Role.CLERK, "371502101")
    finance = Membership.objects.get(user__username="finance_370812")
    assert finance.county is not None  # a finance officer is tied to a county
    assert finance.county.code == "370812"
    keeper = Membership.objects.get(user__username="village_371502101")
    assert keeper.township is not None  # a village user is tied to the village's township
    assert (keeper.role, keeper.township.code, keeper.county) == (Role.VILLAGE, "371502101", None)
    assert keeper.village == Village.objects.filter(township__code="371502101").order_by("pk").first()
    printed = capsys.readouterr().out
    assert "clerk_371502101" in printed and "city_3708" in printed and "province_37" in printed


def test_seed_demo_leaves_a_round_to_work_on_once(db) -> None:
    from assessment.models import BonusRule, Scheme
    from people.models import Person
    from posts.models import Announcement, Post

    call_command("seed_demo")
    call_command("seed_demo")
    # an example assessment scheme and bonus rule per county, labelled as such (docs/policy.md §8.14)
    assert Scheme.objects.count() == 2 and BonusRule.objects.count() == 2
    assert all("示例数据" in s.document for s in Scheme.objects.all())
    rule = BonusRule.objects.first()
    assert rule is not None  # counted just above
    assert sorted(rule.tiers.values_list("name", flat=True)) == ["优秀", "良好"]
    assert Post.objects.filter(township__code="371502101", status="vacant").count() == 3
    assert Announcement.objects.get().posts.count() == 3
    assert Person.objects.filter(township__code="371502101").count() == 3


def test_seed_demo_uses_the_default_password(db) -> None:
    call_command("seed_demo")
    assert User.objects.get(username="hr_371502").check_password("demo12345")


@override_settings(DEMO_USERS_ALLOWED=False)
def test_seed_demo_refuses_demo_users_under_production_settings_before_writing_anything(
    seeded, without_cast
) -> None:
    quota = Quota.objects.get(plan__county__code="371502", township__code="371502101")
    Quota.objects.filter(pk=quota.pk).update(rural=quota.rural + 7)  # changed in production since
    with pytest.raises(CommandError, match="生产环境不允许创建演示用户"):
        call_command("seed_demo")
    assert not User.objects.exists()
    assert Quota.objects.get(pk=quota.pk).rural == quota.rural + 7
