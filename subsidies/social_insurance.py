"""The social-insurance subsidy for urban post holders (城镇公益性岗位社会保险补贴, docs/policy.md §8.13).

- rules: the subsidy of one urban holder's month, a pure function of the payroll's regular line
  (its paid share of the month, as payroll.rules gives it) and the county's dated policy;
- facts: the policy in force on the month's first day (common.dated.in_force, as for pay);
- store: a run's rows in some townships brought to what the rules give, in the transaction that
  writes the run's lines (payroll.compute);
- reads: per township and party for the run page, per township and month for the cost report,
  and the agency's workbook (township, name, ID number, base, each insurance, total, party).

It is paid to the social-insurance agency, not to the person: never on a payroll line or a payment
sheet. A locked month's rows never change (payroll refuses to compute it); a later correction of a
locked month adjusts its pay (docs/policy.md §9.7) but not yet its subsidy (§8.13)."""

import datetime as dt
import functools
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import IO, NamedTuple

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum

from common.bulk import insert_rows
from common.dated import in_force
from common.idcard import mask_id_number
from common.xlsx import Sheet, write_workbook
from townships.access import scope_by_township
from townships.models import County, Line

from .models import Party, PayrollLine, PayrollRun, SocialInsuranceLine, SocialInsurancePolicy
from .money import ZERO, r2
from .payroll import rules

PARTIES = dict(Party.choices)
URBAN = Line.URBAN.value  # a plain str: compared once per line
INCLUDED_NOTE = "个人缴费部分已含在补贴中"  # docs/policy.md §8.13: shown, not added
# The rules store a line's paid share to six places; its numerator and denominator are at most 31
# (days in a month, or required days, 1–31: services.policy_check), and two such fractions lie
# more than 0.001 apart, so the nearest one with a denominator of at most 31 is the rules' own.
LARGEST_DENOMINATOR = 31


# --- rules ----------------------------------------------------------------------------------------


class Rates(NamedTuple):
    """A SocialInsurancePolicy's figures: the monthly base, each rate as a fraction of it (injury
    None where the county does not subsidise it) and the party that bears the subsidy."""

    base: Decimal
    pension: Decimal
    medical: Decimal
    unemployment: Decimal
    injury: Decimal | None
    party: str


class Insured(NamedTuple):
    """A SocialInsuranceLine as it is stored (its run aside)."""

    placement_id: int
    township_id: int
    base: Decimal
    pension: Decimal
    medical: Decimal
    unemployment: Decimal
    injury: Decimal
    total: Decimal
    party: str


Amounts = tuple[Decimal, Decimal, Decimal, Decimal]  # pension, medical, unemployment, injury


def full_month(rates: Rates) -> Amounts:
    """A whole month's pension, medical, unemployment and injury subsidy: base × rate, each to the fen."""
    injury = ZERO if rates.injury is None else r2(rates.base * rates.injury)
    return (
        r2(rates.base * rates.pension),
        r2(rates.base * rates.medical),
        r2(rates.base * rates.unemployment),
        injury,
    )


@functools.lru_cache(maxsize=4096)  # a month has a few hundred shares at most: worked out once each
def part_month(full: Amounts, fraction: Decimal) -> Amounts | None:
    """The full month's amounts × the share of its month a line is paid (its `fraction`, as the rules
    give it: part month, attendance, docs/policy.md §8.7), exactly, each to the fen; None for 0."""
    share = Fraction(fraction).limit_denominator(LARGEST_DENOMINATOR)
    if share <= 0:
        return None
    if share >= 1:
        return full
    n, d = share.numerator, share.denominator
    pension, medical, unemployment, injury = (r2(a * n / d) for a in full)
    return pension, medical, unemployment, injury


def subsidy(line: rules.Line, rates: Rates, full: Amounts | None = None) -> Insured | None:
    """The month's subsidy of a regular urban line: each insurance's full month × the paid share of
    the month (part_month), rounded to the fen (docs/policy.md §8.9), the total their sum; None for
    any other line, a withheld month or a share of 0 (nothing paid, nothing subsidised). `full`:
    the rates' full_month, when the caller has it already."""
    if line.kind != rules.REGULAR or line.line != URBAN or line.withheld:
        return None
    amounts = part_month(full or full_month(rates), line.fraction)
    if amounts is None:
        return None
    pension, medical, unemployment, injury = amounts
    total = pension + medical + unemployment + injury
    return Insured(line.placement_id, line.township_id, rates.base, *amounts, total, rates.party)


def month_rows(lines: list[rules.Line], rates: Rates | None) -> list[Insured]:
    """The subsidy rows of a run's lines; none when no policy is in force (docs/policy.md §8.13)."""
    if rates is None:
        return []
    full = full_month(rates)
    made = (subsidy(line, rates, full) for line in lines)
    return [row for row in made if row is not None]


# --- facts ----------------------------------------------------------------------------------------


def policy_on(county: County | int, day: dt.date) -> SocialInsurancePolicy | None:
    """The county's policy in force on `day` (the latest start), or None."""
    county_id = county if isinstance(county, int) else county.pk
    return in_force(SocialInsurancePolicy.objects.filter(county_id=county_id), day).first()


def rates_of(policy: SocialInsurancePolicy | None) -> Rates | None:
    if policy is None:
        return None
    return Rates(
        policy.base, policy.pension, policy.medical, policy.unemployment, policy.injury, policy.party
    )


# --- store ----------------------------------------------------------------------------------------

FIELDS = list(Insured._fields)


def replace(run: PayrollRun, townships: list[int], lines: list[rules.Line]) -> None:
    """Make the run's rows in `townships` what the rules give on the run's `lines` (of those
    townships). The caller holds the transaction (payroll.compute). One read; nothing written when
    they are already equal; otherwise the townships' rows are written anew (COPY on PostgreSQL)."""
    made = month_rows(lines, rates_of(policy_on(run.county_id, run.month)))
    stored = SocialInsuranceLine.objects.filter(run=run, township_id__in=townships)
    before = set(stored.values_list(*FIELDS))  # one row per placement: a set compares them
    if before == set(made):
        return
    if before:
        stored.delete()
    insert_rows(SocialInsuranceLine, ["run_id", *FIELDS], [(run.pk, *row) for row in made])


# --- reads ----------------------------------------------------------------------------------------

MONEY = ("pension", "medical", "unemployment", "injury", "total")


def run_rows(run: PayrollRun, user: User | AnonymousUser) -> QuerySet[SocialInsuranceLine]:
    """The run's rows in the townships `user` sees (townships.access)."""
    return scope_by_township(user, SocialInsuranceLine.objects.filter(run=run))


def township_party_totals(run: PayrollRun, user: User | AnonymousUser) -> list[dict]:
    """Per township and party that `user` sees: people and each insurance's sum."""
    rows = run_rows(run, user).values("township__code", "township__name", "party")
    summed = rows.annotate(people=Count("id"), **{k: Sum(k) for k in MONEY}).order_by(
        "township__code", "party"
    )
    return [row | {"party_label": PARTIES[row["party"]]} for row in summed]


def run_total(run: PayrollRun, user: User | AnonymousUser) -> Decimal | None:
    """The run's subsidy over the townships `user` sees (None: no row)."""
    return run_rows(run, user).aggregate(total=Sum("total"))["total"]


def cost_sums(county: County, year: int) -> dict[tuple[str, dt.date], dict[str, Decimal]]:
    """Per (township code, month) of the county's year: the subsidy borne by each party and its total
    (the cost report, apart from pay)."""
    rows = SocialInsuranceLine.objects.filter(run__county=county, run__month__year=year)
    summed = rows.values("township__code", "run__month", "party").annotate(amount=Sum("total"))
    found: dict[tuple[str, dt.date], dict[str, Decimal]] = {}
    for row in summed:
        key = (row["township__code"], row["run__month"])
        sums = found.setdefault(
            key, {"si_province": ZERO, "si_city": ZERO, "si_district": ZERO, "si_total": ZERO}
        )
        sums[f"si_{row['party']}"] += Decimal(row["amount"]).quantize(Decimal("0.01"))
        sums["si_total"] += Decimal(row["amount"]).quantize(Decimal("0.01"))
    return found


HEADERS = [
    "序号",
    "镇街",
    "姓名",
    "身份证号",
    "缴费基数",
    "养老保险",
    "医疗保险",
    "失业保险",
    "工伤保险",
    "合计",
    "承担方",
]


def _payee(run: PayrollRun, field: str) -> Subquery:
    """The name or ID number of the row's payee as the run's regular line gives it: frozen once the
    month is locked (payroll.lock), the person's while it is not."""
    from .payment import payee_fields

    name, id_number = payee_fields(run)[:2]
    regular = PayrollLine.objects.filter(
        run=run, placement=OuterRef("placement"), kind=PayrollLine.Kind.REGULAR
    )
    return Subquery(regular.values({"name": name, "id_number": id_number}[field])[:1])


def agency_rows(run: PayrollRun, user: User | AnonymousUser, *, full: bool) -> Iterator[list]:
    """The run's rows `user` sees, by township code and name, under HEADERS; ID numbers whole only
    when `full` (docs/policy.md §13.1)."""
    rows = run_rows(run, user).annotate(name=_payee(run, "name"), id_number=_payee(run, "id_number"))
    values = rows.order_by("township__code", "name", "id").values_list(
        "township__name", "name", "id_number", "base", *MONEY, "party"
    )
    for number, (town, name, id_number, base, *amounts, party) in enumerate(values.iterator(2000), start=1):
        shown = id_number if full else mask_id_number(id_number or "")
        yield [number, town, name, shown, base, *amounts, PARTIES[party]]


def title(run: PayrollRun) -> str:
    draft = "" if run.state == PayrollRun.State.LOCKED else "（草稿，未锁定）"
    return f"{run.county.name}{run.month:%Y年%m月}城镇公益性岗位社会保险补贴申报表{draft}"


def agency_workbook_write(
    *, run: PayrollRun, user: User | AnonymousUser, full: bool, target: str | IO[bytes]
) -> int:
    """The workbook for the social-insurance agency; returns the rows written."""
    policy = policy_on(run.county_id, run.month)
    totals = run_rows(run, user).aggregate(**{k: Sum(k) for k in MONEY})
    subtitle = subtitle_of(policy)
    sheet = Sheet(
        name="社保补贴",
        title=title(run),
        subtitle=subtitle,
        headers=HEADERS,
        rows=agency_rows(run, user, full=full),
        totals=["合计", "", "", "", "", *(totals[k] or ZERO for k in MONEY), ""],
        money_columns={4, 5, 6, 7, 8, 9},
        widths={1: 14, 3: 21},
        signatures=True,
    )
    return write_workbook(target, [sheet])


def subtitle_of(policy: SocialInsurancePolicy | None) -> str:
    """What the sheet and the page say of the policy: its document, and the person's part included."""
    if policy is None:
        return "当月没有适用的社会保险补贴标准，未计算"
    parts = [f"依据：{policy.document}", f"承担方：{policy.get_party_display()}"]
    if policy.personal_in_pay:
        parts.append(INCLUDED_NOTE)
    return "；".join(parts)


# --- reference data -----------------------------------------------------------------------------


def social_insurance_load(*, data: dict) -> int:
    """Create or update the counties' policies (keyed by county and start date) from the fixture."""
    counties = {c.code: c for c in County.objects.all()}
    fields = ("valid_to", "base", "pension", "medical", "unemployment", "injury", "document", "note")
    fallback = {"party": Party.DISTRICT, "personal_in_pay": False}
    for item in data["policies"]:
        policy, _ = SocialInsurancePolicy.objects.update_or_create(
            county=counties[item["county"]],
            valid_from=item["valid_from"],
            defaults={k: item.get(k) for k in fields} | {k: item.get(k, v) for k, v in fallback.items()},
        )
        policy.full_clean()
    return len(data["policies"])
