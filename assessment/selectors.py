"""Reads of assessment: the published results the payroll judges, a sheet's rows, exit proposals."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F, QuerySet

from placements.models import Placement
from townships.access import scope_by_township

from .models import BonusAward, Score, Sheet, SheetEvent
from .scores import holders

# A published result the payroll judges (docs/policy.md §8.14): the total, the pass mark, the
# share of the month's pay a failure withholds.
Verdict = tuple[Decimal, Decimal, Decimal]


def verdicts(townships: list[int], months: list[dt.date]) -> dict[dt.date, dict[int, Verdict]]:
    """Per month, per placement: the published results of the periods ending in `months` whose
    scheme withholds pay on failure. One query."""
    found: dict[dt.date, dict[int, Verdict]] = {month: {} for month in months}
    published = Score.objects.filter(
        sheet__township_id__in=townships,
        sheet__last__in=months,
        sheet__state=Sheet.State.PUBLISHED,
        sheet__scheme__fail_share__gt=0,
        total__isnull=False,
    )
    rows = published.values_list(
        "sheet__last", "placement_id", "total", "sheet__scheme__pass_mark", "sheet__scheme__fail_share"
    )
    for month, placement_id, total, pass_mark, share in rows:
        found[month][placement_id] = (total, pass_mark, share)  # type: ignore[assignment]  # total__isnull=False
    return found


def bonuses(run_id: int, townships: list[int]) -> list[tuple[int, int, str, Decimal, str]]:
    """The awards a payroll run pays in `townships` (rounds it claimed, payroll.start): per award
    (placement, township, line, amount, what for). One query."""
    awards = BonusAward.objects.filter(round__paid_run_id=run_id, placement__township_id__in=townships)
    rows = awards.order_by("round__first", "pk").values_list(
        "placement_id",
        "placement__township_id",
        "placement__line",
        "amount",
        "tier",
        "round__first",
        "round__last",
    )
    return [
        (placement, township, line, amount, f"{_period(first, last)}{tier}")
        for placement, township, line, amount, tier, first, last in rows
    ]


def _period(first: dt.date, last: dt.date) -> str:
    if first.month == 1 and last.month == 12 and first.year == last.year:
        return f"{first:%Y}年度"
    return f"{first:%Y}年第{(first.month - 1) // 3 + 1}季度"


@dataclass
class Row:
    placement: Placement
    score: Score | None

    @property
    def failed(self) -> bool:
        score = self.score
        return score is not None and score.total is not None and score.total < score.sheet.scheme.pass_mark


def sheet_rows(sheet: Sheet, placements: QuerySet[Placement] | None = None) -> list[Row]:
    """The sheet's holders (or those of `placements` among them) in village and name order, with
    their scores."""
    people = holders(sheet) if placements is None else holders(sheet).filter(pk__in=placements.values("pk"))
    people = people.select_related("person", "post__village").order_by(
        "post__village__name", "person__name", "pk"
    )
    scores = {s.placement_id: s for s in Score.objects.filter(sheet=sheet).select_related("sheet__scheme")}
    return [Row(p, scores.get(p.pk)) for p in people]


@dataclass
class Proposal:
    placement: Placement
    failures: list[tuple[str, Decimal | None]]  # (period, total), latest first


def exit_proposals(user: User | AnonymousUser) -> list[Proposal]:
    """Holders on post in the user's townships whose results in their township's latest published
    sheets, as many as its latest scheme's 连续不合格 count, are all failures (docs/policy.md §8.14):
    an exit for 考核不合格 is proposed. Three queries, over the sheets (a few a month per township)
    and the failing scores of the latest ones only."""
    published = scope_by_township(user, Sheet.objects.filter(state=Sheet.State.PUBLISHED))
    latest: dict[int, list[Sheet]] = {}
    for sheet in published.select_related("scheme").order_by("township_id", "-first"):
        bucket = latest.setdefault(sheet.township_id, [])
        if len(bucket) < (bucket[0] if bucket else sheet).scheme.exit_after:
            bucket.append(sheet)
    wanted = {
        s.pk: s
        for bucket in latest.values()
        if bucket and len(bucket) == bucket[0].scheme.exit_after
        for s in bucket
    }
    failing = Score.objects.filter(
        sheet_id__in=list(wanted), placement__exit_date__isnull=True, total__lt=F("sheet__scheme__pass_mark")
    )
    history: dict[int, list[tuple[str, Decimal | None]]] = defaultdict(list)
    township_of: dict[int, int] = {}
    for placement_id, sheet_id, total in failing.order_by("placement_id", "-sheet__first").values_list(
        "placement_id", "sheet_id", "total"
    ):
        history[placement_id].append((sheet_label(wanted[sheet_id]), total))
        township_of[placement_id] = wanted[sheet_id].township_id
    proposed = {pk: f for pk, f in history.items() if len(f) == len(latest[township_of[pk]])}
    people = Placement.objects.filter(pk__in=list(proposed)).select_related("person", "township")
    return [Proposal(p, proposed[p.pk]) for p in people.order_by("township__code", "person__name")]


def sheet_label(sheet: Sheet) -> str:
    if sheet.first == sheet.last:
        return f"{sheet.first:%Y年%m月}"
    return f"{sheet.first:%Y年%m月}至{sheet.last:%Y年%m月}"


def sheets_moved_since(county_id: int, first: dt.date, last: dt.date, since: dt.datetime) -> int:
    """How many sheets of the county whose pay month lies in first … last were published or
    reopened after `since` (a computation's start): its lines may not reflect them. One query."""
    moved = SheetEvent.objects.filter(
        sheet__township__county_id=county_id, sheet__last__gte=first, sheet__last__lte=last, at__gt=since
    )
    return moved.values("sheet_id").distinct().count()
