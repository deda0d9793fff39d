"""A locked month's sums per township and line, stored (docs/policy.md §9.12): what the city and
province pages read (supervision.selectors) instead of a province's millions of payroll lines.

aggregates_write is the one writer: the lock calls it in its transaction (payroll.lock), the
command aggregates_rebuild for months locked before. It replaces the run's rows with one
INSERT … SELECT grouped over the run's lines (the database sums, no Python loop over lines) and
one UPDATE that adds the social-insurance subsidy of each urban row; then the rows of townships
and lines with filled posts but nobody paid (one INSERT … SELECT) and each row's regular posts
filled at the lock (one UPDATE), for the province page's plan progress."""

from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from posts.models import Post
from townships.models import Line

from .models import MonthAggregate, PayrollLine, PayrollRun, SocialInsuranceLine, people_paid

ZERO = Decimal("0.00")
PARTIES = ("province", "city", "district")
ADJUSTMENT = Q(kind__in=[PayrollLine.Kind.BACK_PAY, PayrollLine.Kind.RECOVERY])


MONEY: DecimalField = DecimalField(max_digits=16, decimal_places=2)


# the money columns a row of posts alone writes as 0 (the social ones have a database default)
MONEY_COLUMNS = (
    "pay",
    *PARTIES,
    "adjustment_pay",
    *(f"adjustment_{party}" for party in PARTIES),
    "bonus",
)


def _sum(field: str, condition: Q | None = None) -> Sum:
    return Sum(field, filter=condition, default=ZERO, output_field=MONEY)


def _grouped(run: PayrollRun) -> tuple[list[str], str, tuple]:
    """The columns and the SELECT (with its parameters) of the run's sums per township and line."""
    sums = {
        "people": people_paid(),
        "pay": _sum("pay"),
        **{party: _sum(party) for party in PARTIES},
        "adjustment_pay": _sum("pay", ADJUSTMENT),
        **{f"adjustment_{party}": _sum(party, ADJUSTMENT) for party in PARTIES},
        "bonus": _sum("pay", Q(kind=PayrollLine.Kind.BONUS)),
    }
    constants = {
        "run_id": Value(run.pk, output_field=IntegerField()),
        "county_id": Value(run.county_id, output_field=IntegerField()),
        "month": Value(run.month),
    }
    # annotations may not take a field's name: prefixed here, the columns named in the INSERT
    select = (
        PayrollLine.objects.filter(run_id=run.pk)
        .order_by()
        .values("township_id", "line")
        .annotate(**{f"v_{name}": value for name, value in (constants | sums).items()})
    )
    sql, params = select.query.sql_with_params()
    return ["township_id", "line", *constants, *sums], sql, params


@transaction.atomic
def aggregates_write(run: PayrollRun) -> int:
    """Replace the run's aggregates with its lines' sums (docs/policy.md §9.12); the number of rows.
    Three statements whatever the size of the month."""
    MonthAggregate.objects.filter(run_id=run.pk).delete()
    columns, select, params = _grouped(run)
    table = connection.ops.quote_name(MonthAggregate._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {select}", params)
        written = cursor.rowcount
        columns, select, params = _posts_only(run)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        cursor.execute(f"INSERT INTO {table} ({names}) {select}", params)
        written += cursor.rowcount
    _social_add(run)
    _posts_add(run)
    return written


def _filled_posts(run: PayrollRun) -> QuerySet[Post]:
    """The county's regular posts of the month's year filled now (posts.selectors.plan_report's count)."""
    return Post.objects.filter(
        township__county_id=run.county_id,
        year=run.month.year,
        kind=Post.Kind.REGULAR,
        status=Post.Status.FILLED,
    ).order_by()


def _posts_only(run: PayrollRun) -> tuple[list[str], str, tuple]:
    """The rows of townships and lines with filled posts but no line this month: nobody paid, no
    money, their posts counted (by _posts_add)."""
    written = MonthAggregate.objects.filter(
        run_id=run.pk, township_id=OuterRef("township_id"), line=OuterRef("line")
    )
    constants = {
        "run_id": Value(run.pk, output_field=IntegerField()),
        "county_id": Value(run.county_id, output_field=IntegerField()),
        "month": Value(run.month),
        "people": Value(0, output_field=IntegerField()),
        **{name: Value(ZERO, output_field=MONEY) for name in MONEY_COLUMNS},
    }
    select = (
        _filled_posts(run)
        .exclude(Exists(written))
        .values("township_id", "line")
        .annotate(**{f"v_{name}": value for name, value in constants.items()})
        .distinct()
    )
    sql, params = select.query.sql_with_params()
    return ["township_id", "line", *constants], sql, params


def _posts_add(run: PayrollRun) -> None:
    """Each row's filled posts (one UPDATE, an index range of the township's posts per row)."""
    posts = _filled_posts(run).filter(township_id=OuterRef("township_id"), line=OuterRef("line"))
    counted = posts.values("township_id").annotate(n=Count("id")).values("n")
    MonthAggregate.objects.filter(run_id=run.pk).update(
        posts_filled=Coalesce(Subquery(counted), 0, output_field=IntegerField())
    )


def _social_add(run: PayrollRun) -> None:
    """Each urban row's social-insurance subsidy, in total and per party (one UPDATE)."""
    social = SocialInsuranceLine.objects.filter(run_id=run.pk, township_id=OuterRef("township_id")).order_by()

    def summed(condition: Q | None = None) -> Coalesce:
        rows = social.filter(condition) if condition is not None else social
        total = rows.values("run_id").annotate(s=Sum("total")).values("s")
        return Coalesce(Subquery(total), ZERO, output_field=MONEY)

    MonthAggregate.objects.filter(run_id=run.pk, line=Line.URBAN).update(
        social_total=summed(), **{f"social_{party}": summed(Q(party=party)) for party in PARTIES}
    )


def aggregates_rebuild(*, county_code: str = "", month: str = "") -> tuple[int, int]:
    """Write the aggregates of every locked month (of one county, of one month "2022-03"): the
    months locked before the aggregates existed. (months, rows)."""
    runs = PayrollRun.objects.filter(state=PayrollRun.State.LOCKED).order_by("county__code", "month")
    if county_code:
        runs = runs.filter(county__code=county_code)
    if month:
        from .payroll import month_start

        runs = runs.filter(month=month_start(month))
    months = rows = 0
    for run in runs:
        rows += aggregates_write(run)
        months += 1
    return months, rows
