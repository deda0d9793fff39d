"""One answer to "may this person take a post of this line in this county on this date, and if
not, why". Rules are dated records (EligibilityRule, WiderScope); every reason names the rule,
roster or county setting that produced it. Three queries: rules, wider scopes, claims; none
for rules and scopes already in a RuleBook, none for prefetched claims."""

import datetime as dt
from dataclasses import dataclass, field

from common.retirement import RetirementCategory as Category
from common.retirement import age_on, retirement_date
from townships.models import County, Line

from .models import EligibilityRule, GroupClaim, Person, Sex, TargetGroup, WiderScope

# Labels by value: Model.get_FOO_display() is too slow for a list of 50 people (docs/performance.md P2).
GROUP_LABELS = dict(TargetGroup.choices)
SEX_LABELS = dict(Sex.choices)
LINE_LABELS = dict(Line.choices)


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


def in_force(queryset, on: dt.date):
    return queryset.filter(valid_from__lte=on).exclude(valid_to__lt=on)


def _age_bounds(rule: EligibilityRule, sex: str) -> tuple[int | None, int | None]:
    if sex == "male":
        return rule.min_age_male, rule.max_age_male
    return rule.min_age_female, rule.max_age_female


def _rule_problems(rule: EligibilityRule, person: Person, age: int, on: dt.date) -> list[str]:
    label = GROUP_LABELS[rule.group]
    problems = []
    if rule.sex and rule.sex != person.sex:
        problems.append(f"「{label}」仅限{SEX_LABELS[rule.sex]}性")
    low, high = _age_bounds(rule, person.sex)
    if low is not None and age < low:
        problems.append(f"「{label}」要求{SEX_LABELS[person.sex]}性年满{low}周岁，本人{age}周岁")
    if high is not None and age > high:
        problems.append(f"「{label}」要求{SEX_LABELS[person.sex]}性不超过{high}周岁，本人{age}周岁")
    if rule.up_to_retirement:
        retire = retirement_date(person.birth_date, Category(person.retirement_category))
        if on >= retire:
            problems.append(f"已达到法定退休年龄（{retire:%Y}年退休）")  # the year only: lists show it
    return problems


def _claim_problem(claim: GroupClaim, undecided_qualify: bool) -> str | None:
    label = GROUP_LABELS[claim.group]
    if claim.status == GroupClaim.Status.UNVERIFIED and not undecided_qualify:
        return f"「{label}」未在登记部门名单中匹配，需人工认定"
    if claim.status == GroupClaim.Status.REJECTED:
        return f"「{label}」人工认定不通过：{claim.decision_note}"
    return None


def _check_claims(
    verdict: Verdict,
    person: Person,
    claims,
    rules,
    age: int,
    on: dt.date,
    line_label: str,
    undecided_qualify: bool = False,
) -> None:
    for claim in claims:
        rule = rules.get(claim.group)
        if rule is None:
            verdict.reasons.append(
                Reason(
                    f"「{GROUP_LABELS[claim.group]}」不是{line_label}公益性岗位的安置对象",
                    f"{on}有效的安置对象规则",
                )
            )
            continue
        problems = _rule_problems(rule, person, age, on)
        claim_problem = _claim_problem(claim, undecided_qualify)
        if claim_problem:
            problems.append(claim_problem)
        for problem in problems:
            verdict.reasons.append(Reason(problem, str(rule)))
        if not problems:
            verdict.grounds.append(Reason(f"符合「{GROUP_LABELS[claim.group]}」", str(rule)))
            if claim.status == GroupClaim.Status.UNVERIFIED:
                verdict.warnings.append(
                    Reason(f"「{GROUP_LABELS[claim.group]}」未在登记部门名单中匹配，待人工认定", str(rule))
                )
            if claim.status == GroupClaim.Status.PENDING:
                verdict.warnings.append(
                    Reason(f"「{GROUP_LABELS[claim.group]}」尚未导入登记部门名单，未经名单核验", str(rule))
                )


class RuleBook:
    """The rules and wider scopes in force on one date, loaded once per county and line, so
    that a list of people is checked with a few queries instead of several per person."""

    def __init__(self, on: dt.date) -> None:
        self.on = on
        self._rules: dict[tuple[int, str], dict[str, EligibilityRule]] = {}
        self._scopes: dict[tuple[int, str], list[WiderScope]] = {}

    def rules(self, county: County, line: str) -> dict[str, EligibilityRule]:
        key = (county.pk, line)
        if key not in self._rules:
            rules = in_force(EligibilityRule.objects.filter(county=county, line=line), self.on)
            self._rules[key] = {r.group: r for r in rules}
        return self._rules[key]

    def scopes(self, county: County, line: str) -> list[WiderScope]:
        key = (county.pk, line)
        if key not in self._scopes:
            self._scopes[key] = list(in_force(WiderScope.objects.filter(county=county, line=line), self.on))
        return self._scopes[key]


def _check_wider_scope(
    verdict: Verdict, person: Person, county: County, line: str, age: int, on: dt.date, book: RuleBook
) -> None:
    for scope in book.scopes(county, line):
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


def eligibility_check(
    *,
    person: Person,
    line: str,
    county: County,
    on: dt.date,
    book: RuleBook | None = None,
    undecided_qualify: bool = False,
) -> Verdict:
    """The verdict for `person` on a post of `line` in `county` on date `on`. Pass a RuleBook
    for `on` when checking many people; the person's claims may be prefetched. With
    `undecided_qualify`, a claim still waiting for its manual decision (no roster match) counts,
    with a warning: for 新老衔接, where only a real failure puts a holder on old terms."""
    book = book if book is not None and book.on == on else RuleBook(on)
    verdict = Verdict()
    age = age_on(person.birth_date, on)
    line_label = LINE_LABELS[line]
    if age < county.minimum_age:
        verdict.reasons.append(
            Reason(f"未满{county.minimum_age}周岁（本人{age}周岁）", f"{county.name}最低年龄设置")
        )
    if person.on_death_roster:
        verdict.reasons.append(Reason("在死亡人员名单中", "死亡人员名单"))
    if person.on_pension_roster:
        verdict.reasons.append(Reason("已在养老金领取人员名单中", "养老金领取人员名单"))
    blocking = list(verdict.reasons)
    rules = book.rules(county, line)
    claims = list(person.claims.all())
    if not claims:
        verdict.reasons.append(Reason("未登记人员类别", "安置对象规则"))
    _check_claims(verdict, person, claims, rules, age, on, line_label, undecided_qualify)
    if not verdict.grounds:
        _check_wider_scope(verdict, person, county, line, age, on, book)
    if line == Line.RURAL and age > county.rural_flag_age:
        verdict.warnings.append(
            Reason(f"超过{county.rural_flag_age}周岁", f"{county.name}乡村岗位超龄提示设置")
        )
    verdict.eligible = bool(verdict.grounds) and not blocking
    if verdict.eligible:
        verdict.reasons = []
    return verdict
