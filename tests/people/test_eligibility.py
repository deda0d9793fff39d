"""Eligibility as dated data: every reason in Chinese, tied to the rule that produced it."""

import datetime as dt

from people.eligibility import eligibility_check
from people.models import EligibilityRule, GroupClaim, WiderScope
from people.services import claim_decide, roster_import
from tests import factories
from townships.models import County

D = dt.date


def check(person, line: str, on: dt.date):
    county = person.township.county
    return eligibility_check(person=person, line=line, county=county, on=on)


def test_a_poverty_household_member_may_take_a_rural_post(seeded) -> None:
    person = factories.person(groups=["poverty"], birth="19800101")
    verdict = check(person, "rural", D(2022, 3, 1))
    assert verdict.eligible
    assert verdict.grounds[0].message == "符合「脱贫享受政策人口（含监测对象）」"
    assert "鲁人社规〔2021〕5号" in verdict.grounds[0].source
    assert any("尚未导入登记部门名单" in w.message for w in verdict.warnings)


def test_the_rule_in_force_on_the_date_is_cited(seeded) -> None:
    person = factories.person(groups=["poverty"], birth="19800101")
    assert "鲁人社规〔2024〕1号" in check(person, "rural", D(2024, 2, 1)).grounds[0].source
    assert "鲁人社规〔2021〕5号" in check(person, "rural", D(2024, 1, 31)).grounds[0].source


def test_rural_older_people_must_be_45_to_65(seeded) -> None:
    young = factories.person(groups=["rural_older"], birth="19800302")
    verdict = check(young, "rural", D(2022, 3, 1))
    assert not verdict.eligible
    assert verdict.reasons[0].message == "「农村大龄人员」要求男性年满45周岁，本人41周岁"
    assert "农村大龄人员" in verdict.reasons[0].source
    old = factories.person(groups=["rural_older"], birth="19560301")
    assert not check(old, "rural", D(2022, 3, 1)).eligible
    ok = factories.person(groups=["rural_older"], birth="19570301")
    assert check(ok, "rural", D(2022, 3, 1)).eligible


def test_ages_are_completed_years_on_the_application_date(seeded) -> None:
    person = factories.person(groups=["rural_older"], birth="19770302")
    assert not check(person, "rural", D(2022, 3, 1)).eligible  # 44 the day before the birthday
    assert check(person, "rural", D(2022, 3, 2)).eligible  # 45 on the birthday


def test_urban_older_unemployed_women_from_45_men_from_55(seeded) -> None:
    woman = factories.person(groups=["urban_older"], birth="19770101", sex="female")
    man = factories.person(groups=["urban_older"], birth="19770101", sex="male")
    assert check(woman, "urban", D(2022, 6, 1)).eligible
    verdict = check(man, "urban", D(2022, 6, 1))
    assert not verdict.eligible
    assert verdict.reasons[0].message == "「城镇大龄失业人员」要求男性年满55周岁，本人45周岁"


def test_urban_posts_stop_at_statutory_retirement(seeded) -> None:
    man = factories.person(groups=["urban_older"], birth="19650115")  # retires 2025-02-15 (60y1m)
    assert check(man, "urban", D(2025, 2, 14)).eligible
    verdict = check(man, "urban", D(2025, 2, 15))
    assert not verdict.eligible
    assert verdict.reasons[0].message == "已达到法定退休年龄（2025年退休）"


def test_rural_groups_cannot_take_urban_posts(seeded) -> None:
    person = factories.person(groups=["rural_disabled"], birth="19800101")
    verdict = check(person, "urban", D(2022, 6, 1))
    assert not verdict.eligible
    assert verdict.reasons[0].message == "「农村残疾人」不是城镇公益性岗位的安置对象"


def test_nobody_under_16(seeded) -> None:
    person = factories.person(groups=["poverty"], birth="20080601")
    verdict = check(person, "rural", D(2024, 5, 31))
    assert not verdict.eligible
    assert verdict.reasons[0].message == "未满16周岁（本人15周岁）"
    assert check(person, "rural", D(2024, 6, 1)).eligible


def test_rural_holders_over_65_are_flagged_not_refused(seeded) -> None:
    person = factories.person(groups=["poverty"], birth="19500101")
    verdict = check(person, "rural", D(2022, 6, 1))
    assert verdict.eligible
    assert any(w.message == "超过65周岁" for w in verdict.warnings)


def test_yanzhou_2024_additions_apply_only_from_2024_and_only_in_yanzhou(seeded) -> None:
    """docs/policy.md §4.9: rural-post groups of 兖州区's 2024 rural recruitment."""
    youth = factories.person("370812101", groups=["youth_unemployed"], birth="20020101")
    assert not check(youth, "urban", D(2024, 6, 1)).eligible  # not an urban group
    assert not check(youth, "rural", D(2023, 6, 1)).eligible
    assert check(youth, "rural", D(2024, 6, 1)).eligible
    older_youth = factories.person("370812101", groups=["youth_unemployed"], birth="19990101")
    assert not check(older_youth, "rural", D(2024, 6, 1)).eligible
    dongchang = factories.person(groups=["youth_unemployed"], birth="20020101")
    assert not check(dongchang, "rural", D(2024, 6, 1)).eligible
    father = factories.person("370812101", groups=["mother_of_minors"], birth="19900101", sex="male")
    assert (
        check(father, "rural", D(2024, 6, 1)).reasons[0].message
        == "「抚育两个以上未成年子女的登记失业妇女」仅限女性"
    )


def test_a_rule_edited_as_data_changes_the_verdict(seeded) -> None:
    person = factories.person(groups=["rural_older"], birth="19800101")
    assert not check(person, "rural", D(2022, 6, 1)).eligible
    EligibilityRule.objects.filter(county__code="371502", group="rural_older").update(min_age_male=40)
    assert check(person, "rural", D(2022, 6, 1)).eligible


def test_an_unmatched_claim_needs_a_manual_decision_and_the_decision_counts(seeded, cast) -> None:
    county = County.objects.get(code="371502")
    person = factories.person(groups=["low_income"], birth="19800101")
    roster_import(
        county=county, kind="civil_affairs", roster_date=D(2022, 2, 1), entries=[], file_name="x", actor=None
    )
    claim = person.claims.get()
    claim.refresh_from_db()
    assert claim.status == GroupClaim.Status.UNVERIFIED
    verdict = check(person, "rural", D(2022, 3, 1))
    assert not verdict.eligible
    assert verdict.reasons[0].message == "「农村低收入人口」未在登记部门名单中匹配，需人工认定"
    claim_decide(claim=claim, accepted=True, note="民政局出具证明", actor=cast.hr)
    assert check(person, "rural", D(2022, 3, 1)).eligible


def test_people_on_the_death_or_pension_roster_are_refused(seeded) -> None:
    county = County.objects.get(code="371502")
    person = factories.person(groups=["poverty"], birth="19800101")
    roster_import(
        county=county,
        kind="pensions",
        roster_date=D(2022, 2, 1),
        entries=[(person.id_number, "")],
        file_name="x",
        actor=None,
    )
    person.refresh_from_db()
    verdict = check(person, "rural", D(2022, 3, 1))
    assert not verdict.eligible
    assert verdict.reasons[0].message == "已在养老金领取人员名单中"


def test_a_wider_scope_approved_by_the_county_is_honoured_and_cited(seeded) -> None:
    county = County.objects.get(code="371502")
    person = factories.person(groups=["rural_older"], birth="19900101")
    assert not check(person, "rural", D(2022, 6, 1)).eligible
    WiderScope.objects.create(
        county=county,
        line="rural",
        description="本村其他就业困难人员（18-60周岁）",
        min_age=18,
        max_age=60,
        valid_from=D(2022, 5, 1),
        valid_to=D(2022, 12, 31),
        document="东昌府区政府批复〔2022〕12号",
    )
    verdict = check(person, "rural", D(2022, 6, 1))
    assert verdict.eligible
    assert verdict.grounds == [verdict.grounds[0]]
    assert verdict.grounds[0].message == "经批准扩大安置对象范围：本村其他就业困难人员（18-60周岁）"
    assert "东昌府区政府批复〔2022〕12号" in verdict.grounds[0].source
    assert not check(person, "rural", D(2023, 1, 1)).eligible
