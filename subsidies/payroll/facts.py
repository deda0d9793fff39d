"""What the payroll's rules judge, read as plain values for some townships of a county: the
placements on post in the months computed (with the span their agreements cover), their
confirmed attendance records of those months and their published assessment results, in four
queries however many months (the run's month and the earlier locked months its adjustments settle
are read together); and, apart, what a locked month paid, only for the townships or placements
whose facts payroll.settled finds changed (paid_for)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain

from django.db.models import Q, QuerySet

from assessment import selectors as assessment
from placements.models import Agreement, Application, Placement

from ..models import Attendance, PayrollLine, PayrollRun
from ..months import month_last
from .rules import REGULAR, Mark, Placed, Verdict

ZEROS = (Decimal("0.00"),) * 4
# per placement: (township, line, [pay, province, city, district]) paid for a locked month
Paid = dict[int, tuple[int, str, list[Decimal]]]


def agreed_spans(placements: QuerySet) -> dict[int, tuple[dt.date, dt.date]]:
    """Per application of `placements`: the span its agreements cover (first start, last end).
    Agreements of an application are consecutive, each renewal starting the day after the last
    one ends (placements.terms.agreement_renew), so the span is what they cover. The agreements
    are read as rows and spanned here: grouping them in SQL over the join to the placements cost
    ten times reading the placements (docs/performance.md P13)."""
    spans: dict[int, tuple[dt.date, dt.date]] = {}
    # by application id, unordered: no join through the applications, no sort
    agreements = Agreement.objects.filter(application_id__in=placements.values("application_id")).order_by()
    for application_id, start, end in agreements.values_list("application_id", "start_date", "end_date"):
        known = spans.get(application_id)
        spans[application_id] = (start, end) if known is None else (min(known[0], start), max(known[1], end))
    return spans


@dataclass
class Facts:
    placed: dict[int, Placed]  # on post at some day of the months read
    marks: dict[dt.date, dict[int, Mark]]  # per month, per placement
    # per month, per placement: the published assessment result of the period ending in it
    verdicts: dict[dt.date, dict[int, Verdict]] = field(default_factory=dict)


def imported_on(placements: QuerySet) -> dict[int, dt.datetime]:
    """When each 新老衔接 holder among `placements` was imported (their application's creation),
    by application: the few imported ones only, without joining every placement to its
    application."""
    imported = Application.objects.filter(pk__in=placements.filter(migrated=True).values("application_id"))
    return dict(imported.values_list("pk", "created_at"))


def read(county_id: int, townships: list[int], month: dt.date, locked: list[PayrollRun]) -> Facts:
    """The facts of `month` and of the `locked` earlier months, in `townships`."""
    months = [month, *(run.month for run in locked)]
    first, last = min(months), month_last(max(months))
    on_post = Placement.objects.filter(township_id__in=townships, on_post_date__lte=last).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=first)
    )
    rows = on_post.values_list(
        "pk",
        "township_id",
        "line",
        "on_post_date",
        "exit_date",
        "subsidy_until",
        "legacy_pay",
        "application_id",
        "migrated",
    )
    spans = agreed_spans(on_post)
    imported = imported_on(on_post)
    placed = {}
    for pk, township, line, on, exit, until, legacy, application_id, migrated in rows:
        agreed_from, agreed_until = spans.get(application_id, (None, None))
        imported_at = imported.get(application_id) if migrated else None
        placed[pk] = Placed(
            pk, township, line, on, exit, until, legacy, agreed_from, agreed_until, imported_at
        )
    marks: dict[dt.date, dict[int, Mark]] = {m: {} for m in months}
    # only confirmed records count (docs/policy.md §9.2): a village's wait for the township
    recorded = Attendance.objects.filter(
        month__in=months, placement__township_id__in=townships, confirmed_at__isnull=False
    )
    for placement_id, on, days, withheld, note in recorded.values_list(
        "placement_id", "month", "days", "withheld", "note"
    ):
        marks[on][placement_id] = Mark(days, withheld, note)
    # only published results count (docs/policy.md §8.14), as only confirmed attendance does
    found = assessment.verdicts(townships, months)
    verdicts = {m: {pk: Verdict(*v) for pk, v in by.items()} for m, by in found.items()}
    return Facts(placed, marks, verdicts)


def bonuses(run_id: int, townships: list[int]) -> list[tuple[int, int, str, Decimal, str]]:
    """The performance-bonus awards the run pays in `townships` (docs/policy.md §9.10). One query."""
    return assessment.bonuses(run_id, townships)


def paid_for(locked: PayrollRun, basis: list[int], whole: list[int], some: dict[int, set[int]]) -> Paid:
    """What each placement was paid for the locked month: its regular line plus the adjustments
    of it in the locked runs `basis` (the county's from that month on), in the townships `whole`
    and, for the placements of `some` (per township), in those. Queries on the (run, township)
    index, unordered: one condition OR-ed over both kinds scanned every line of the table once per
    township (docs/performance.md P14)."""
    paid: Paid = {}
    if whole:
        _add(paid, _paid_lines(locked, basis, whole))
    if some:
        wanted = {pk for ids in some.values() for pk in ids}
        lines = _paid_lines(locked, basis, list(some))
        if len(wanted) <= CHUNK:  # else the townships' lines, the others dropped here
            lines = [q.filter(placement_id__in=wanted) for q in lines]
        _add(paid, lines, wanted)
    return paid


CHUNK = 500  # placement ids in one IN (…): SQLite's limit on parameters
COLUMNS = ("placement_id", "township_id", "line", "pay", "province", "city", "district")


def _paid_lines(locked: PayrollRun, basis: list[int], townships: list[int]) -> list[QuerySet]:
    mine = PayrollLine.objects.filter(township_id__in=townships).order_by()  # unordered: P14
    regular = mine.filter(run_id=locked.pk, kind=REGULAR)
    # an adjustment of a month is made in a later locked run: those of `basis`
    corrections = mine.filter(run_id__in=basis, corrects_month=locked.month)
    return [regular, corrections]


def _add(paid: Paid, lines: list[QuerySet], wanted: set[int] | None = None) -> None:
    for placement_id, township_id, kind_of_post, *money in chain(*(q.values_list(*COLUMNS) for q in lines)):
        if wanted is not None and placement_id not in wanted:
            continue
        known = paid.get(placement_id)
        sums = money if known is None else [a + b for a, b in zip(known[2], money, strict=True)]
        paid[placement_id] = (township_id, kind_of_post, sums)
