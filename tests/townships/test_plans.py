"""Plans across years through the services (issue 22; docs/policy.md §2.1, §2.2, §2.5, §2.6): the
five-year target and its split, a year's plan and its row checks, adjustments as dated versions,
and the quota in force on the date of the event through the approval and post-opening services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from placements import services
from placements.models import Application, Step
from posts.models import Post
from posts.services import post_create
from tests import factories
from tests.placements.conftest import recruiting  # noqa: F401
from townships import plans
from townships.models import County, FiveYearPlan, Plan, PlanVersion, Quota, Township
from townships.plans import YearSplit
from townships.services import PlanRow

pytestmark = pytest.mark.django_db
D = dt.date


def rows_of(plan: Plan, **changes: tuple[int, int]) -> list[PlanRow]:
    """The plan's rows as last adjusted, with some townships' (urban, rural) changed by code."""
    version = plans.latest_version(plan)
    assert version is not None
    rows = []
    for quota in version.quotas.select_related("township"):
        urban, rural = changes.get(f"t{quota.township.code}", (quota.urban, quota.rural))
        rows.append(PlanRow(township_code=quota.township.code, urban=urban, rural=rural))
    return rows


def dongchang_2022() -> Plan:
    return Plan.objects.get(county__code="371502", year=2022)


def adjust(plan: Plan, on: dt.date, rows: list[PlanRow], **extra: object) -> PlanVersion:
    fields: dict = {
        "effective_from": on,
        "document": "东昌人社字〔2022〕9号",
        "reason": "沙镇镇乡村岗位需求减少",
        "declared_urban": sum(r.urban for r in rows),
        "declared_rural": sum(r.rural for r in rows),
    }
    return plans.plan_adjust(plan=plan, rows=rows, actor=None, **(fields | extra))


# Five-year targets (§2.5).


def test_yanzhou_s_five_year_target_is_seeded_with_its_yearly_split(seeded) -> None:
    five = FiveYearPlan.objects.get(county__code="370812")
    assert (five.first_year, five.last_year) == (2021, 2025)
    assert (five.target, five.target_rural, five.target_urban) == (7162, 5400, 1762)
    assert five.rural_share == Decimal("75.00")
    split = [(y.year, y.total, y.urban, y.rural) for y in five.years.all()]
    assert split == [
        (2021, 0, None, None),
        (2022, 2387, 587, 1800),
        (2023, 2387, None, None),
        (2024, 1194, None, None),
        (2025, 1194, None, None),
    ]


def split(*totals: int) -> list[YearSplit]:
    return [YearSplit(2026 + i, total) for i, total in enumerate(totals)]


@pytest.mark.parametrize(
    ("years", "urban", "rural", "message"),
    [
        (split(100, 100, 100, 100, 99), 100, 400, "各年度合计499个，与五年目标500个不一致"),
        (split(100, 100, 100, 100), 100, 300, "年度分解须为2026至2030年每年一行"),
        (
            [YearSplit(2026, 100, 30, 60), *split(0, 100, 100, 100, 100)[1:]],
            100,
            400,
            "2026年城镇30个加乡村60个不等于该年合计100个",
        ),
        (split(100, 100, 100, 100, -100), 0, 300, "2030年的岗位数不能为负数"),
        (
            [YearSplit(2026 + i, 100, 20, 80) for i in range(5)],
            150,
            350,
            "各年度城镇合计100个，与五年城镇目标150个不一致",
        ),
    ],
)
def test_a_five_year_split_not_adding_up_is_refused_and_nothing_written(
    seeded, years, urban, rural, message
) -> None:
    county = County.objects.get(code="371502")
    with pytest.raises(ValidationError) as refused:
        plans.five_year_plan_save(
            county=county,
            first_year=2026,
            title="“十五五”目标",
            document="",
            target_urban=urban,
            target_rural=rural,
            years=years,
        )
    assert message in refused.value.messages
    assert not FiveYearPlan.objects.filter(county=county).exists()


def test_five_year_targets_of_a_county_do_not_overlap(seeded) -> None:
    county = County.objects.get(code="370812")
    with pytest.raises(ValidationError, match="2021—2025年）的年度重叠"):
        plans.five_year_plan_save(
            county=county,
            first_year=2024,
            title="另一个目标",
            document="",
            target_urban=0,
            target_rural=500,
            years=[YearSplit(2024 + i, 100) for i in range(5)],
        )
    assert county.five_year_plans.count() == 1


# A year's plan (§2.1, §2.2).


def new_rows(county: County, urban: int = 1, rural: int = 2) -> list[PlanRow]:
    return [PlanRow(t.code, urban, rural) for t in county.townships.order_by("code")]


def enter(county: County, rows: list[PlanRow], **extra: object) -> Plan:
    fields: dict = {
        "year": 2023,
        "title": "2023年计划",
        "document": "兖政办字〔2023〕1号",
        "declared_urban": sum(r.urban for r in rows),
        "declared_rural": sum(r.rural for r in rows),
    }
    return plans.plan_enter(county=county, rows=rows, actor=None, **(fields | extra))


def test_hr_enters_a_new_year_s_plan_as_its_version_1_from_january(seeded) -> None:
    county = County.objects.get(code="370812")
    plan = enter(county, new_rows(county))
    (version,) = plan.versions.all()
    assert (version.number, version.effective_from, version.declared_total) == (1, D(2023, 1, 1), 30)
    assert version.quotas.count() == 10
    assert Quota.objects.get(version=version, township__code="370812101").for_line("rural") == 2


def refused_plan(county: County, rows: list[PlanRow], **extra: object) -> list[str]:
    before = (Plan.objects.count(), PlanVersion.objects.count(), Quota.objects.count())
    with pytest.raises(ValidationError) as refused:
        enter(county, rows, **extra)
    assert (Plan.objects.count(), PlanVersion.objects.count(), Quota.objects.count()) == before
    return refused.value.messages


def test_a_plan_whose_rows_do_not_add_up_is_refused(seeded) -> None:
    county = County.objects.get(code="370812")
    messages = refused_plan(county, new_rows(county), declared_urban=11, declared_rural=19)
    assert "各乡镇（街道）城镇岗位合计10个，与所列城镇合计11个不一致" in messages
    assert "各乡镇（街道）乡村岗位合计20个，与所列乡村合计19个不一致" in messages


def test_a_township_of_another_county_is_refused_naming_it(seeded) -> None:
    county = County.objects.get(code="370812")
    rows = [*new_rows(county), PlanRow("371502101", 0, 0)]
    assert "371502101是东昌府区的沙镇镇，不属于兖州区" in refused_plan(county, rows)


def test_a_township_twice_a_negative_number_or_a_missing_township_is_refused(seeded) -> None:
    county = County.objects.get(code="370812")
    rows = new_rows(county)
    twice = [*rows, rows[0]]
    assert "乡镇（街道）370812001填了2行，每个乡镇（街道）只填一行" in refused_plan(county, twice)
    negative = [PlanRow(rows[0].township_code, -1, 3), *rows[1:]]
    assert "鼓楼街道的岗位数不能为负数" in refused_plan(county, negative)
    assert "缺少兖州区的乡镇（街道）：小孟镇（没有岗位的填0）" in refused_plan(county, rows[:-1])


def test_a_second_plan_for_a_year_is_refused_it_is_adjusted_instead(seeded) -> None:
    county = County.objects.get(code="370812")
    messages = refused_plan(county, new_rows(county), year=2022)
    assert "兖州区2022年已有开发计划；年度中的变动请录入计划调整" in messages


# Adjustments (§2.6).


def test_an_adjustment_is_a_new_dated_version_and_the_first_stays(seeded) -> None:
    plan = dongchang_2022()
    version = adjust(plan, D(2022, 7, 1), rows_of(plan, t371502101=(18, 400)))
    assert (version.number, version.effective_from, version.declared_rural) == (2, D(2022, 7, 1), 2547)
    assert [v.number for v in plan.versions.all()] == [1, 2]
    first = plan.versions.get(number=1).quotas.get(township__code="371502101")
    assert (first.urban, first.rural) == (18, 403)


@pytest.mark.parametrize(
    ("on", "extra", "message"),
    [
        (D(2022, 7, 1), {"document": " "}, "请填写调整文件的文号"),
        (D(2022, 7, 1), {"reason": ""}, "请填写调整原因"),
        (D(2023, 1, 1), {}, "生效日期（2023-01-01）须在2022年内"),
        (D(2022, 1, 1), {}, "生效日期（2022-01-01）须晚于第1版的生效日期（2022-01-01）"),
    ],
)
def test_an_adjustment_without_document_reason_or_a_date_in_order_is_refused(
    seeded, on, extra, message
) -> None:
    plan = dongchang_2022()
    with pytest.raises(ValidationError) as refused:
        adjust(plan, on, rows_of(plan), **extra)
    assert message in refused.value.messages
    assert plan.versions.count() == 1


def test_an_adjustment_checks_its_rows_like_a_plan(seeded) -> None:
    plan = dongchang_2022()
    with pytest.raises(ValidationError) as refused:
        adjust(plan, D(2022, 7, 1), rows_of(plan), declared_rural=1)
    assert "各乡镇（街道）乡村岗位合计2550个，与所列乡村合计1个不一致" in refused.value.messages
    assert plan.versions.count() == 1


def test_an_adjustment_below_the_places_taken_is_refused_naming_the_township(recruiting) -> None:  # noqa: F811
    recruiting.to_approved(2)
    plan = dongchang_2022()
    with pytest.raises(ValidationError) as refused:
        adjust(plan, D(2022, 7, 1), rows_of(plan, t371502101=(18, 1)))
    assert refused.value.messages == ["沙镇镇乡村岗位调整为1个，低于2022年已审批上岗的2人"]
    assert plan.versions.count() == 1
    assert adjust(plan, D(2022, 7, 1), rows_of(plan, t371502101=(18, 2))).number == 2  # down to 2 is allowed


# The quota in force on the date of the event (§2.2, §2.6).


def ready(recruiting, n: int) -> list[Application]:  # noqa: F811
    apps = recruiting.apply(n)
    recruiting.review(apps)
    recruiting.publicize(apps)
    return apps


def test_an_approval_reads_the_quota_in_force_on_its_date(recruiting) -> None:  # noqa: F811
    plan = dongchang_2022()
    adjust(plan, D(2022, 3, 15), rows_of(plan, t371502101=(18, 1)))
    first, second = ready(recruiting, 2)
    before = services.approve(applications=[first], actor=recruiting.cast.hr, on=D(2022, 3, 14))
    assert before.approved == [first]  # version 1 (403) is in force on 14 March
    after = services.approve(applications=[second], actor=recruiting.cast.hr, on=D(2022, 3, 15))
    assert after.refused[0][1] == "沙镇镇2022年乡村岗位计划1个已全部审批，申请人乙未获审批"
    assert Application.objects.get(pk=second.pk).step == Step.PUBLICIZED


def test_an_approval_dated_before_a_raise_is_judged_by_the_lower_quota(recruiting) -> None:  # noqa: F811
    plan = dongchang_2022()
    Quota.objects.filter(version__number=1, township__code="371502101").update(rural=1)
    rows = rows_of(plan, t371502101=(18, 3))
    adjust(plan, D(2022, 3, 16), rows)
    first, second, third = ready(recruiting, 3)
    assert services.approve(applications=[first, second], actor=recruiting.cast.hr, on=D(2022, 3, 15)).refused
    result = services.approve(applications=[second, third], actor=recruiting.cast.hr, on=D(2022, 3, 16))
    assert result.approved == [second, third]


def test_opening_a_post_reads_the_quota_in_force_on_that_day(recruiting) -> None:  # noqa: F811
    plan = dongchang_2022()  # recruiting opened 3 rural posts in 沙镇镇
    adjust(plan, D(2022, 6, 1), rows_of(plan, t371502101=(18, 3)))
    township = Township.objects.get(code="371502101")

    def opening(on: dt.date) -> Post:
        village, duty = factories.village_of(township), factories.duty_for("rural")
        return post_create(township=township, village=village, line="rural", year=2022, duty=duty, on=on)

    with pytest.raises(ValidationError, match="沙镇镇2022年乡村岗位计划为3个，已全部开设"):
        opening(D(2022, 6, 1))
    assert opening(D(2022, 5, 31)).status == Post.Status.VACANT  # version 1: 403


def test_quota_in_force_before_the_year_is_version_1_and_none_without_a_plan(seeded) -> None:
    plan = dongchang_2022()
    adjust(plan, D(2022, 6, 1), rows_of(plan, t371502101=(18, 300)))
    township = Township.objects.get(code="371502101")
    pick = plans.quota_in_force
    assert pick(township_id=township.pk, year=2022, day=D(2021, 12, 1)).rural == 403  # type: ignore[union-attr]
    assert pick(township_id=township.pk, year=2022, day=D(2022, 5, 31)).rural == 403  # type: ignore[union-attr]
    assert pick(township_id=township.pk, year=2022, day=D(2022, 6, 1)).rural == 300  # type: ignore[union-attr]
    assert pick(township_id=township.pk, year=2022, day=D(2023, 2, 1)).rural == 300  # type: ignore[union-attr]
    assert pick(township_id=township.pk, year=2023, day=D(2023, 2, 1)) is None


# Against the five-year target (§2.5).


def test_a_year_is_shown_against_the_five_year_target_with_warnings_not_refusals(seeded) -> None:
    county = County.objects.get(code="370812")
    shown = plans.against_target(county=county, year=2023, urban=987, rural=1400)
    assert shown is not None
    assert (shown.split.total, shown.planned, shown.so_far) == (2387, 2387, 4774)  # type: ignore[union-attr]
    assert shown.so_far_share == Decimal("66.7")
    assert shown.rural_share == Decimal("58.65")
    target = "兖州区“十四五”城乡公益性岗位开发目标"
    assert shown.warnings == [f"乡村岗位占58.65%，与{target}约占75%的要求相差超过5个百分点"]
    over = plans.against_target(county=county, year=2023, urban=1000, rural=5000)
    assert over is not None
    assert over.warnings[:2] == [
        "2023年计划6000个，与五年目标的年度分解2387个不同",
        "2021年至2023年计划合计8387个，超过五年目标7162个",
    ]
    assert plans.against_target(county=County.objects.get(code="371502"), year=2023, urban=1, rural=1) is None
