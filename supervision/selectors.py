"""What the city and province users read (docs/policy.md §1.4, §9.12): plan progress, people on
post, spending per party and the funds due from their level, per county and month. Counties come
from the gate (townships.access.supervised_counties); figures from what locked months store,
never from payroll lines or posts: on the area pages each locked run's sums per party (a row a
county and month) and the aggregates of each county's latest locked month (people paid, posts
filled, by line); on a county's page its aggregates per township (subsidies.MonthAggregate). An
area page costs the same few queries whatever its number of counties."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Max, QuerySet, Sum

from placements.models import GroupTally
from subsidies.models import MonthAggregate, PayrollRun
from townships.access import membership_of, supervised_counties
from townships.models import City, County, Line, PlanVersion, Role

AnyUser = User | AnonymousUser
ZERO = Decimal("0.00")
MONEY = ("pay", "province", "city", "district")
PARTIES = ("province", "city", "district")
LINES = tuple(Line.values)  # read once: an enum's .values is computed on each access
PARTY_LABELS = {"province": "省级", "city": "市级", "district": "区级"}


def party_of(user: AnyUser) -> str:
    """The funding party whose funds are due from the user's level: a city user's city, the
    province's; "" for anyone else."""
    membership = membership_of(user)
    if membership is not None and membership.role == Role.CITY:
        return "city"
    if membership is not None and membership.role == Role.PROVINCE:
        return "province"
    return ""


@dataclass
class CountyFigures:
    """One county's row of an area page: the year's plan (as last adjusted) against its regular
    posts filled and the people paid by line, both as at the lock of its latest locked month of the
    year, the year's locked spending per party, and the party's share due per month."""

    county: County
    planned: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LINES, 0))
    filled: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LINES, 0))
    latest_month: dt.date | None = None
    people: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LINES, 0))
    spent: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(MONEY, ZERO))
    due: dict[dt.date, Decimal] = field(default_factory=dict)

    @property
    def planned_total(self) -> int:
        return sum(self.planned.values())

    @property
    def filled_total(self) -> int:
        return sum(self.filled.values())

    @property
    def people_total(self) -> int:
        return sum(self.people.values())

    @property
    def due_total(self) -> Decimal:
        return sum(self.due.values(), ZERO)


@dataclass
class Area:
    """An area page: a city's counties, or the province's grouped by city."""

    title: str
    year: int
    party: str
    months: list[dt.date]
    counties: list[CountyFigures]
    groups: list[tuple[str, dict[str, int]]]  # (group label, holders per line), now

    @cached_property
    def by_city(self) -> list[tuple[City, list[CountyFigures], CountyFigures]]:
        """The counties under their city, each city with its subtotal row."""
        cities: dict[int, list[CountyFigures]] = defaultdict(list)
        for row in self.counties:
            cities[row.county.city_id].append(row)
        return [(rows[0].county.city, rows, totals(rows, rows[0].county)) for rows in cities.values()]

    @cached_property
    def totals(self) -> CountyFigures | None:
        return totals(self.counties, self.counties[0].county) if self.counties else None

    def due_cells(self, row: CountyFigures) -> list[Decimal | None]:
        return [row.due.get(month) for month in self.months]

    @property
    def due_rows(self) -> list[tuple[CountyFigures, list[Decimal | None]]]:
        """Each county with its party's share per month of the page (None: not locked)."""
        return [(row, self.due_cells(row)) for row in self.counties]

    @property
    def city_due_rows(self) -> list[tuple[City, CountyFigures, list[Decimal | None]]]:
        """Each city's subtotal with its party's share per month (the province page's rows)."""
        return [(city, subtotal, self.due_cells(subtotal)) for city, _, subtotal in self.by_city]

    @property
    def due_totals(self) -> list[Decimal | None]:
        total = self.totals
        return self.due_cells(total) if total else []


def totals(rows: list[CountyFigures], county: County) -> CountyFigures:
    """The sum of some counties' rows (a city's subtotal, the page's total)."""
    summed = CountyFigures(county=county)
    for row in rows:
        for line in LINES:
            summed.planned[line] += row.planned[line]
            summed.filled[line] += row.filled[line]
            summed.people[line] += row.people[line]
        for key in MONEY:
            summed.spent[key] += row.spent[key]
        for month, amount in row.due.items():
            summed.due[month] = summed.due.get(month, ZERO) + amount
    return summed


def area_counties(user: AnyUser, city_code: str = "") -> QuerySet[County]:
    """The user's counties (of one city, when named), with their cities, in code order."""
    counties = supervised_counties(user).select_related("city").order_by("city__code", "code")
    return counties.filter(city__code=city_code) if city_code else counties


def default_year(counties: QuerySet[County], today: dt.date) -> int:
    """The year of the latest locked month of these counties, else today's."""
    locked = PayrollRun.objects.filter(county__in=counties, state=PayrollRun.State.LOCKED)
    latest = locked.aggregate(m=Max("month"))["m"]
    return latest.year if latest else today.year


def area(*, user: AnyUser, counties: QuerySet[County], year: int, title: str) -> Area:
    """The area page's figures: four queries whatever the number of counties (plans, locked runs,
    the latest months' aggregates, group tally), each of a few thousand rows at most; no post and
    no payroll line is read."""
    rows = {county.pk: CountyFigures(county=county) for county in counties}
    ids = list(rows)
    _plan_progress(rows, ids, year)
    party = party_of(user)
    months = _spending(rows, ids, year, party)
    _latest(rows, ids)
    return Area(title, year, party, months, list(rows.values()), _groups(ids))


def _plan_progress(rows: dict[int, CountyFigures], ids: list[int], year: int) -> None:
    """Each county's plan of the year as last adjusted (its latest version's totals, as
    townships.plans.planned_totals reads them), by line. One query."""
    versions = PlanVersion.objects.filter(plan__county_id__in=ids, plan__year=year).order_by("number")
    for county_id, urban, rural in versions.values_list(
        "plan__county_id", "declared_urban", "declared_rural"
    ):
        rows[county_id].planned = {Line.URBAN: urban, Line.RURAL: rural}  # the last version wins


def _spending(rows: dict[int, CountyFigures], ids: list[int], year: int, party: str) -> list[dt.date]:
    """The year's locked months per county (one query of a row a month): the spending per party
    and the party's share due, from each locked run's stored sums of its lines (payroll.run_totals,
    written when computed and frozen by the lock; equal to its aggregates' sums, docs/policy.md
    §9.12). The months found."""
    runs = PayrollRun.objects.filter(
        county_id__in=ids,
        state=PayrollRun.State.LOCKED,
        month__gte=dt.date(year, 1, 1),
        month__lte=dt.date(year, 12, 1),
    ).order_by()
    months: set[dt.date] = set()
    share = PARTIES.index(party) if party else -1
    for county_id, month, *parts in runs.values_list("county_id", "month", *(f"{p}_total" for p in PARTIES)):
        row, amounts = rows[county_id], [amount or ZERO for amount in parts]
        months.add(month)
        spent = row.spent
        spent["pay"] += amounts[0] + amounts[1] + amounts[2]
        spent["province"] += amounts[0]
        spent["city"] += amounts[1]
        spent["district"] += amounts[2]
        if share >= 0:
            row.due[month] = amounts[share]
        if row.latest_month is None or month > row.latest_month:
            row.latest_month = month
    return sorted(months)


def _latest(rows: dict[int, CountyFigures], ids: list[int]) -> None:
    """People paid and regular posts filled by line in each county's latest locked month, as at
    its lock (the stored aggregates, docs/policy.md §9.12). One query of those months' rows."""
    latest = {row.county.pk: row.latest_month for row in rows.values() if row.latest_month}
    stored = (
        MonthAggregate.objects.filter(county_id__in=ids, month__in=set(latest.values()))
        .order_by()
        .values_list("county_id", "month", "line")
        .annotate(people=Sum("people"), posts=Sum("posts_filled"))
    )
    for county_id, month, line, people, posts in stored:
        if latest.get(county_id) == month:
            rows[county_id].people[line] += people
            rows[county_id].filled[line] += posts


def _groups(ids: list[int]) -> list[tuple[str, dict[str, int]]]:
    """Holders on post now by the group they claim and line (the stored tally, placements.GroupTally;
    a person claiming two groups counts in both). One query."""
    from people.eligibility import GROUP_LABELS

    tally = (
        GroupTally.objects.filter(township__county_id__in=ids)
        .order_by()
        .values_list("group", "line")
        .annotate(n=Sum("holders"))
    )
    counts: dict[str, dict[str, int]] = {}
    for group, line, n in tally:
        counts.setdefault(group, dict.fromkeys(LINES, 0))[line] = n
    return [(GROUP_LABELS.get(g, g), counts[g]) for g in GROUP_LABELS if g in counts]


# ---- a county's page ------------------------------------------------------------------------


MONTH_KEYS = (
    "people",
    *MONEY,
    "adjustment_pay",
    "bonus",
    "social_total",
    "social_province",
    "social_city",
    "social_district",
)


def _year(county: County, year: int) -> QuerySet[MonthAggregate]:
    return MonthAggregate.objects.filter(
        county=county, month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1)
    ).order_by()


def county_months(county: County, year: int, month: dt.date | None = None) -> list[MonthAggregate]:
    """The county's locked months of the year (or one month) per township and line (the stored
    rows), in township order."""
    rows = _year(county, year)
    if month is not None:
        rows = rows.filter(month=month)
    return list(rows.select_related("township").order_by("township__code", "month", "line"))


def month_totals(county: County, year: int) -> list[dict]:
    """Per locked month of the year, summed over townships and lines (one grouped query)."""
    summed = _year(county, year).values("month").annotate(**{f"v_{k}": Sum(k) for k in MONTH_KEYS})
    return [
        {"month": r["month"], **{k: r[f"v_{k}"] if k == "people" else _fen(r[f"v_{k}"]) for k in MONTH_KEYS}}
        for r in summed.order_by("month")
    ]


def _fen(amount: Decimal | None) -> Decimal:
    """A database sum as yuan to the fen (SQLite's sum drops trailing zeros)."""
    return Decimal(amount or 0).quantize(Decimal("0.01"))
