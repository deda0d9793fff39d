"""The expiry alerts of placements.terms, found by the database: how many of each kind, and one
page of them in order, without reading every placement of a county into Python.

terms.alerts states the rules and stays their reference (tests/placements/test_alert_sql.py
compares both on every kind, edge and order); this module answers the same in SQL, as
subsidies.payroll_sql does for the payroll: a county's tens of thousands of alerts are not
built as objects when the landing pages need their counts and the alert page a hundred rows
(bench/cold_pages.py times both). PostgreSQL only: elsewhere the selectors ask terms.alerts.
Each alert is (kind, due, placement, age):

- subsidy: the stored subsidy end (Placement.subsidy_until), on or before the horizon;
- agreement: the end of the placement's last agreement (highest number), on or before it;
- age (rural holders): the day before the birthday at rural_flag_age + 1, in a year up to the
  horizon's; dated the 31st of December of that year (terms.BIRTH_KINDS);
- retirement (urban holders): the statutory retirement day (common.retirement, the 2025 reform
  written as month arithmetic), likewise by year.

The horizon is the business date plus the county's alert_days. Order: due date, placement,
then the order terms._due lists a placement's alerts in."""

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection
from django.db.models import F, QuerySet

from common.retirement import _RULES, REFORM_START

from .models import Placement

# A holder's person, looked up by key for each placement (LIMIT keeps it a lookup: joined, the
# planner may read the whole people table to merge with a township's few thousand placements).
PERSON = "SELECT birth_date, retirement_category FROM people_person WHERE id = p.person_id LIMIT 1"
KIND_RANK = {"subsidy": 0, "retirement": 1, "agreement": 2, "age": 3}


class Row(NamedTuple):
    kind: str
    due: dt.date
    age: int | None
    name: str
    township: str
    post: str
    application_id: int


def _retirement_sql(birth: str, category: str) -> str:
    """common.retirement.retirement_date in SQL: the original age in months plus the delay
    (one month per `step` months from 2025-01 to the month the original age is reached, the
    first counting, at most `cap`); PostgreSQL's month arithmetic clamps the day as add_months."""
    start = REFORM_START.year * 12 + REFORM_START.month - 1

    def case(attribute: str) -> str:
        whens = " ".join(f"WHEN '{c.value}' THEN {getattr(r, attribute)}" for c, r in _RULES.items())
        return f"(CASE {category} {whens} END)"

    age, step, cap = case("original_age"), case("step"), case("cap")
    reached = (
        f"((EXTRACT(YEAR FROM {birth})::int + {age}) * 12 + EXTRACT(MONTH FROM {birth})::int - 1 - {start})"
    )
    delay = f"(CASE WHEN {reached} < 0 THEN 0 ELSE LEAST({cap}, {reached} / {step} + 1) END)"
    return f"({birth} + make_interval(months => {age} * 12 + {delay}))::date"


def _age_on(birth: str, day: str) -> str:
    """common.retirement.age_on: completed years on `day`, the birthday itself counting."""
    return (
        f"(EXTRACT(YEAR FROM {day})::int - EXTRACT(YEAR FROM {birth})::int - "
        f"CASE WHEN (EXTRACT(MONTH FROM {day}), EXTRACT(DAY FROM {day})) < "
        f"(EXTRACT(MONTH FROM {birth}), EXTRACT(DAY FROM {birth})) THEN 1 ELSE 0 END)"
    )


def _alerts_sql(
    active: QuerySet[Placement], today: dt.date, kinds: Iterable[str] = KIND_RANK, cap: int | None = None
) -> tuple[str, list]:
    """One row per alert of `kinds` of the active placements `active` (a scoped queryset):
    placement, kind, rank, due, age; at most `cap` + 1 rows of each kind when `cap` is given
    (each kind's part then stops at that many, along its own join)."""
    # the scoped queryset itself, its columns named: no subquery on the placements again
    columns = active.order_by().values(
        "id", "application_id", "person_id", "line", "subsidy_until",
        alert_days=F("township__county__alert_days"), flag=F("township__county__rural_flag_age"),
    )  # fmt: skip
    scope, scope_params = columns.query.sql_with_params()
    retire = _retirement_sql("pe.birth_date", "pe.retirement_category")
    age_due = "((pe.birth_date + make_interval(years => p.flag + 1))::date - 1)"
    parts = {
        "subsidy": """SELECT p.id, 'subsidy' AS kind, 0 AS rank, p.subsidy_until AS due, NULL::int AS age
            FROM p WHERE p.subsidy_until <= p.horizon""",
        "agreement": """SELECT p.id, 'agreement' AS kind, 2 AS rank, a.end_date AS due, NULL::int AS age
            FROM p JOIN LATERAL (
                SELECT end_date FROM placements_agreement a
                WHERE a.application_id = p.application_id ORDER BY a.number DESC LIMIT 1
            ) a ON true
            WHERE a.end_date <= p.horizon""",
        "age": f"""SELECT p.id, 'age' AS kind, 3 AS rank,
                make_date(EXTRACT(YEAR FROM d.day)::int, 12, 31) AS due,
                {_age_on("pe.birth_date", "d.day")} AS age
            FROM p CROSS JOIN LATERAL ({PERSON}) pe
            CROSS JOIN LATERAL (SELECT {age_due} AS day) d
            WHERE p.line = 'rural' AND EXTRACT(YEAR FROM d.day) <= EXTRACT(YEAR FROM p.horizon)""",
        "retirement": f"""SELECT p.id, 'retirement' AS kind, 1 AS rank,
                make_date(EXTRACT(YEAR FROM d.day)::int, 12, 31) AS due,
                {_age_on("pe.birth_date", "d.day")} AS age
            FROM p CROSS JOIN LATERAL ({PERSON}) pe
            CROSS JOIN LATERAL (SELECT {retire} AS day) d
            WHERE p.line = 'urban' AND EXTRACT(YEAR FROM d.day) <= EXTRACT(YEAR FROM p.horizon)""",
    }
    chosen = [f"({parts[kind]}{'' if cap is None else f' LIMIT {int(cap) + 1}'})" for kind in kinds]
    # read once for several kinds; inlined for one, so that its part stops at the cap
    materialized = "MATERIALIZED" if len(chosen) > 1 else "NOT MATERIALIZED"
    statement = f"""
        WITH p AS {materialized} (
            SELECT s.*, %s::date + s.alert_days AS horizon FROM ({scope}) s
        )
        {" UNION ALL ".join(chosen)}
    """
    return statement, [today, *scope_params]


def available() -> bool:
    """This SQL is PostgreSQL's; elsewhere (the embedded SQLite default) terms.alerts answers."""
    return connection.vendor == "postgresql"


def counts(*, active: QuerySet[Placement], today: dt.date, cap: int | None = None) -> dict[str, int]:
    """How many alerts of each kind: one query, or with `cap` one query a kind, each counting
    at most cap + 1 (more than `cap`: at least that many; a county's tens of thousands are not
    counted one by one for a landing page)."""
    found: dict[str, int] = {}
    for kinds in [list(KIND_RANK)] if cap is None else [[kind] for kind in KIND_RANK]:
        statement, params = _alerts_sql(active, today, kinds, cap)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT kind, count(*) FROM ({statement}) alerts GROUP BY kind", params)
            found.update(cursor.fetchall())
    return found


def page(*, active: QuerySet[Placement], today: dt.date, kind: str, offset: int, limit: int) -> list[Row]:
    """The alerts (of `kind`, or every kind when empty) from `offset`, soonest first (one query)."""
    statement, params = _alerts_sql(active, today, [kind] if kind else KIND_RANK)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT alerts.kind, alerts.due, alerts.age, pe.name, t.name, po.code, pl.application_id
                FROM ({statement}) alerts
                JOIN placements_placement pl ON pl.id = alerts.id
                JOIN people_person pe ON pe.id = pl.person_id
                JOIN townships_township t ON t.id = pl.township_id
                JOIN posts_post po ON po.id = pl.post_id
                ORDER BY alerts.due, alerts.id, alerts.rank
                LIMIT %s OFFSET %s""",
            [*params, limit, offset],
        )
        return [Row._make(row) for row in cursor.fetchall()]
