"""What each role's landing page shows, read through the scoping gate: a few grouped queries
whatever the size of the county, each a bounded index range or a read of stored figures (alerts:
placements.selectors; holders by group: placements.GroupTally; spending: the runs' stored sums).
Nothing is kept in the cache: what a page shows is what the database holds at that moment (a
death roster imported a second ago is counted), and an empty cache costs nothing."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, Sum

from people.eligibility import GROUP_LABELS
from people.models import GroupClaim, Person
from placements import selectors as placement_selectors
from placements import terms
from placements.models import GroupTally
from posts.selectors import PlanReport, plan_report
from subsidies.checks import open_blocking
from subsidies.models import PayrollRun
from townships.access import scope_by_county, scope_by_township, visible_counties, visible_townships
from townships.models import County, Line

from .spending import monthly_spending

AnyUser = User | AnonymousUser
PARTIES = (("province", "省级承担"), ("city", "市级承担"), ("district", "区级承担"))


@dataclass(frozen=True)
class Chart:
    """What static/js/dashboard.js draws: labels along the axis, one dataset per series."""

    kind: str  # "bar" or "line"
    labels: list[str]
    series: list[tuple[str, list]]
    stacked: bool = False

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "labels": self.labels,
            "series": [{"label": label, "data": [str(v) for v in data]} for label, data in self.series],
            "stacked": self.stacked,
        }


def plans(user: AnyUser) -> list[PlanReport]:
    """The latest plan of each visible county against its posts filled."""
    return _plans(user)


def _plans(user: AnyUser) -> list[PlanReport]:
    townships = visible_townships(user)
    reports = []
    for county in visible_counties(user):
        plan = county.plans.order_by("-year").first()
        if plan is not None:
            reports.append(plan_report(plan=plan, townships=townships))
    return reports


def plan_chart(report: PlanReport) -> Chart:
    """Plan against filled, per township (bars)."""
    labels = [row.name for row in report.rows]
    return Chart(
        "bar",
        labels,
        [("计划", [r.total for r in report.rows]), ("已上岗", [r.filled for r in report.rows])],
    )


def placed_by_group_chart(user: AnyUser) -> Chart:
    """People on post by the target group they claim, stacked by line (the stored tally; a person
    claiming two groups counts in both)."""
    counts = _placed_by_group(user)
    groups = [g for g in GROUP_LABELS if any(counts.get((g, line)) for line in Line.values)]
    series = [(label, [counts.get((g, line), 0) for g in groups]) for line, label in Line.choices]
    return Chart("bar", [GROUP_LABELS[g] for g in groups], series, stacked=True)


def _placed_by_group(user: AnyUser) -> dict[tuple[str, str], int]:
    """The stored tally of the scope's townships (placements.GroupTally): a few rows a township."""
    tally = (
        scope_by_township(user, GroupTally.objects.all())
        .values_list("group", "line")
        .annotate(n=Sum("holders"))
    )
    return {(group, line): n for group, line, n in tally}


def people_counts(user: AnyUser) -> dict[str, int | str]:
    """People flagged by the death or pension roster, and unverified claims, each
    counted up to LANDING_CAP: `flagged` and `unverified` for the tiles' colour, `*_shown` as
    the tiles read ("1,000以上" above the cap; the lists behind them say how many)."""
    return _people_counts(user)


def _people_counts(user: AnyUser) -> dict[str, int | str]:
    cap = placement_selectors.LANDING_CAP
    people = scope_by_township(user, Person.objects.all())
    # person_flagged_idx: the few flagged people of the scope
    flagged = people.filter(Q(on_death_roster=True) | Q(on_pension_roster=True)).order_by()[: cap + 1].count()
    claims = scope_by_township(user, GroupClaim.objects.all(), "person__township")
    unverified = claims.filter(status=GroupClaim.Status.UNVERIFIED).order_by()[: cap + 1].count()
    return {
        "flagged": flagged,
        "flagged_shown": f"{cap:,}以上" if flagged > cap else str(flagged),
        "unverified": unverified,
        "unverified_shown": f"{cap:,}以上" if unverified > cap else str(unverified),
    }


def alert_counts(user: AnyUser, today: dt.date) -> list[tuple[str, str, int, str]]:
    """(kind, label, count, as shown) of the expiry alerts in the user's scope (terms.alerts'
    rules), each kind counted up to placements.selectors.LANDING_CAP: above it the count is the
    cap and shown as "1,000以上" (the alert page lists them)."""
    cap = placement_selectors.LANDING_CAP
    counts = placement_selectors.alert_counts(user=user, today=today, cap=cap)
    return [
        (kind, label, min(n, cap), f"{cap:,}以上" if n > cap else str(n))
        for kind, label in terms.ALERT_KINDS.items()
        for n in [counts.get(kind, 0)]
    ]


def alert_chart(counts: list[tuple[str, str, int, str]]) -> Chart:
    """Alerts by kind (bars), from `alert_counts`."""
    return Chart("bar", [label for _, label, _, _ in counts], [("到期提醒", [n for _, _, n, _ in counts])])


def waiting_for_approval(user: AnyUser, today: dt.date) -> int:
    """公示期满待区级审批: publicized applications whose publicity has ended by `today`, by the
    rule approval itself applies (placements.dates.publicity_ended)."""
    return placement_selectors.awaiting_approval(user=user, today=today).count()


def runs(user: AnyUser, limit: int = 6) -> list[PayrollRun]:
    """The latest monthly runs of the user's counties, newest first, with open blocking findings."""
    latest = list(
        scope_by_county(user, PayrollRun.objects.select_related("county")).order_by("-month")[:limit]
    )
    for run in latest:
        run.blocking = open_blocking(run)  # type: ignore[attr-defined]
    return latest


def spending_chart(county: County, year: int) -> Chart | None:
    """The year's monthly amounts per funding party (stacked bars, from each run's stored sums:
    workspace.spending); None before any run."""
    months = monthly_spending(county, year)
    if not months:
        return None
    labels = [f"{m['month']:%Y-%m}" for m in months]
    return Chart("bar", labels, [(label, [m[key] for m in months]) for key, label in PARTIES], stacked=True)
