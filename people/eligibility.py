"""One answer to "may this person take a post of this line in this county on this date, and if
not, why". Rules are dated records (EligibilityRule, WiderScope); every reason names the rule,
roster or county setting that produced it. Three queries: rules, wider scopes, claims."""

import datetime as dt
from dataclasses import dataclass, field

from common.retirement import RetirementCategory as Category
from common.retirement import age_on, retirement_date
from townships.models import County, Line

from .models import EligibilityRule, GroupClaim, Person, WiderScope


@dataclass(frozen=True)
class Reason:
    message: str
    source: str  # the rule, roster or setting that produced this reason


@dataclass
class Verdict:
    eligible: bool = False
    reasons: list[Reason] = field(default_factory=list)  # why not
    grounds: list[Reason] = field(default_factory=list)  # why yes
    warnings: list[Reason] = field(default_factory=list)  # flags that do not refuse


def in_force(queryset, on: dt.date):  # type: ignore[no-untyped-def]
    return queryset.filter(valid_from__lte=on).exclude(valid_to__lt=on)


def _age_bounds(rule: EligibilityRule, sex: str) -> tuple[int | None, int | None]:
    if sex == "male":
        return rule.min_age_male, rule.max_age_male
    return rule.min_age_female, rule.max_age_female


def _rule_problems(rule: EligibilityRule, person: Person, age: int, on: dt.date) -> list[str]:
    label = rule.get_group_display()
    problems = []
    if rule.sex and rule.sex != person.sex:
        problems.append(f"「{label}」仅限{rule.get_sex_display()}性")
    low, high = _age_bounds(rule, person.sex)
    if low is not None and age < low:
        problems.append(f"「{label}」要求{person.get_sex_display()}性年满{low}周岁，本人{age}周岁")
    if high is not None and age > high:
        problems.append(f"「{label}」要求{person.get_sex_display()}性不超过{high}周岁，本人{age}周岁")
    if rule.up_to_retirement:
        retire = retirement_date(person.birth_date, Category(person.retirement_category))
        if on >= retire:
            problems.append(f"已达到法定退休年龄（{retire:%Y年%m月%d日}退休）")
    return problems


def _claim_problem(claim: GroupClaim) -> str | None:
    label = claim.get_group_display()
    if claim.status == GroupClaim.Status.UNVERIFIED:
        return f"「{label}」未在登记部门名单中匹配，需人工认定"
    if claim.status == GroupClaim.Status.REJECTED:
        return f"「{label}」人工认定不通过：{claim.decision_note}"
    return None


def _check_claims(
    verdict: Verdict, person: Person, claims, rules, age: int, on: dt.date, line_label: str
) -> None:  # type: ignore[no-untyped-def]
    for claim in claims:
        rule = rules.get(claim.group)
        if rule is None:
            verdict.reasons.append(
                Reason(
                    f"「{claim.get_group_display()}」不是{line_label}公益性岗位的安置对象",
                    f"{on}有效的安置对象规则",
                )
            )
            continue
        problems = _rule_problems(rule, person, age, on)
        claim_problem = _claim_problem(claim)
        if claim_problem:
            problems.append(claim_problem)
        for problem in problems:
            verdict.reasons.append(Reason(problem, str(rule)))
        if not problems:
            verdict.grounds.append(Reason(f"符合「{claim.get_group_display()}」", str(rule)))
            if claim.status == GroupClaim.Status.PENDING:
                verdict.warnings.append(
                    Reason(f"「{claim.get_group_display()}」尚未导入登记部门名单，未经名单核验", str(rule))
                )


def _check_wider_scope(
    verdict: Verdict, person: Person, county: County, line: str, age: int, on: dt.date
) -> None:
    for scope in in_force(WiderScope.objects.filter(county=county, line=line), on):
        if scope.min_age is not None and age < scope.min_age:
            continue
        if scope.max_age is not None and age > scope.max_age:
            continue
        if line == Line.URBAN and on >= retirement_date(
            person.birth_date, Category(person.retirement_category)
        ):
            continue
        verdict.grounds.append(Reason(f"经批准扩大安置对象范围：{scope.description}", str(scope)))
        return


def eligibility_check(*, person: Person, line: str, county: County, on: dt.date) -> Verdict:
    """The verdict for `person` on a post of `line` in `county` on date `on`."""
    verdict = Verdict()
    age = age_on(person.birth_date, on)
    line_label = Line(line).label
    if age < county.minimum_age:
        verdict.reasons.append(
            Reason(f"未满{county.minimum_age}周岁（本人{age}周岁）", f"{county.name}最低年龄设置")
        )
    if person.on_death_roster:
        verdict.reasons.append(Reason("在死亡人员名单中", "死亡人员名单"))
    if person.on_pension_roster:
        verdict.reasons.append(Reason("已在养老金领取人员名单中", "养老金领取人员名单"))
    blocking = list(verdict.reasons)
    rules = {r.group: r for r in in_force(EligibilityRule.objects.filter(county=county, line=line), on)}
    claims = list(person.claims.all())
    if not claims:
        verdict.reasons.append(Reason("未登记人员类别", "安置对象规则"))
    _check_claims(verdict, person, claims, rules, age, on, line_label)
    if not verdict.grounds:
        _check_wider_scope(verdict, person, county, line, age, on)
    if line == Line.RURAL and age > county.rural_flag_age:
        verdict.warnings.append(
            Reason(f"超过{county.rural_flag_age}周岁", f"{county.name}乡村岗位超龄提示设置")
        )
    verdict.eligible = bool(verdict.grounds) and not blocking
    if verdict.eligible:
        verdict.reasons = []
    return verdict
