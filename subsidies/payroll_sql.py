"""The month's lines as one set-based statement on PostgreSQL (docs/policy.md §8), for province scale.

The rules are those of subsidies.payroll.line_values and subsidies.money, written in SQL:
the days on post up to the stored subsidy end (Placement.subsidy_until, computed once by
placements.terms; a legacy holder's old monthly amount is all the district's) and within the
span the agreements cover (no agreement, no pay), the days on post,
the attendance, and each share rounded half-up to the fen (numeric round() rounds halves away
from zero, which for amounts ≥ 0 is half-up), the district taking the rest. The full-month
amounts per line come from the policies in Python (a handful of values), so the dated policy
rules stay in one place. tests/subsidies/test_payroll_sql.py checks this path line by line
against the Python one over the awkward cases; SQLite uses the Python path."""

import datetime as dt
from typing import Any

from django.db import connection

from placements.models import Agreement, Application, Placement
from townships.models import County

from .models import Attendance, PayrollLine, PayrollRun
from .months import month_last

LINE = PayrollLine._meta.db_table
RUN = PayrollRun._meta.db_table
PLACEMENT = Placement._meta.db_table
APPLICATION = Application._meta.db_table
AGREEMENT = Agreement._meta.db_table
ATTENDANCE = Attendance._meta.db_table
TOWNSHIP = "townships_township"
NEW = "payroll_lines_new"  # a temporary table: the lines a computation gives, before they replace the run's
NEW_COLUMNS = [
    "run_id",
    "kind",
    "corrects_month",
    "placement_id",
    "township_id",
    "line",
    "days_on_post",
    "days_attended",
    "fraction",
    "pay",
    "province",
    "city",
    "district",
    "note",
]

MONTH_SQL = f"""
WITH active AS (
    SELECT p.id, p.township_id, p.line, p.on_post_date, p.exit_date, p.subsidy_until, p.legacy_pay,
           att.days AS att_days, att.withheld AS att_withheld, att.note AS att_note,
           ag.agreed_from, ag.agreed_until
    FROM {PLACEMENT} p
    LEFT JOIN {ATTENDANCE} att ON att.placement_id = p.id AND att.month = %(first)s
    -- the span the application's agreements cover (consecutive: payroll.agreed_span), by the
    -- (application, number) unique index
    LEFT JOIN LATERAL (
        SELECT MIN(g.start_date) AS agreed_from, MAX(g.end_date) AS agreed_until
        FROM {AGREEMENT} g WHERE g.application_id = p.application_id
    ) ag ON true
    WHERE p.township_id = ANY(%(townships)s)
      AND p.on_post_date <= %(last)s AND (p.exit_date IS NULL OR p.exit_date >= %(first)s)
), spans AS (
    SELECT a.id, a.township_id, a.line, a.att_days, a.att_withheld, a.att_note, a.legacy_pay,
           GREATEST(%(first)s, a.on_post_date, a.agreed_from) AS s,
           -- a subsidy end never stored pays no day (as payroll.line_values), never an open end;
           -- no agreement, no pay (docs/policy.md §8.11): a day after the last agreement ends is unpaid
           LEAST(%(last)s, COALESCE(a.exit_date, %(last)s), COALESCE(a.subsidy_until, %(first)s::date - 1),
                 COALESCE(a.agreed_until, %(first)s::date - 1)) AS e
    FROM active a
), facts AS (
    SELECT sp.id, sp.township_id, sp.line, (sp.e - sp.s + 1) AS days_on, pol.required,
           COALESCE(sp.legacy_pay, pol.pay) AS pay,
           CASE WHEN sp.legacy_pay IS NULL THEN pol.province ELSE 0 END AS province,
           CASE WHEN sp.legacy_pay IS NULL THEN pol.city ELSE 0 END AS city,
           sp.att_days, COALESCE(sp.att_withheld, false) AS withheld, COALESCE(sp.att_note, '') AS att_note
    FROM spans sp
    JOIN unnest(%(lines)s::text[], %(required)s::int[], %(pay)s::numeric[], %(province)s::numeric[],
                %(city)s::numeric[]) AS pol(line, required, pay, province, city) ON pol.line = sp.line
    WHERE sp.e >= sp.s
), ratio AS (
    SELECT f.*,
        CASE WHEN att_days IS NOT NULL THEN att_days
             WHEN days_on = %(dim)s THEN required
             ELSE round(required * days_on::numeric / %(dim)s)::int END AS attended,
        CASE WHEN att_days < required THEN att_days ELSE days_on END AS num,
        CASE WHEN att_days < required THEN required ELSE %(dim)s END AS den
    FROM facts f
), shares AS (
    SELECT r.*,
        CASE WHEN withheld THEN 0 WHEN num >= den THEN pay ELSE round(pay * num / den, 2) END AS s_pay,
        CASE WHEN withheld THEN 0 WHEN num >= den THEN province ELSE round(province * num / den, 2) END AS s_province,
        CASE WHEN withheld THEN 0 WHEN num >= den THEN city ELSE round(city * num / den, 2) END AS s_city
    FROM ratio r
)
SELECT id AS placement_id, township_id, line, days_on, attended,
       CASE WHEN withheld THEN 0 ELSE round(LEAST(num, den)::numeric / den, 6) END AS fraction,
       s_pay, s_province, s_city, s_pay - s_province - s_city AS s_district,
       CASE WHEN withheld THEN left('暂停发放：' || att_note, 200) ELSE left(att_note, 200) END AS note
FROM shares
"""  # noqa: E501

MONTH_COLUMNS = ", ".join(
    ["placement_id", "township_id", "line", "days_on_post", "days_attended", "fraction"]
    + ["pay", "province", "city", "district", "note"]
)

ADJUST_SQL = f"""
INSERT INTO {NEW} (run_id, kind, corrects_month, days_on_post, days_attended, fraction,
                    placement_id, township_id, line, pay, province, city, district, note)
SELECT %(run)s, CASE WHEN d.pay >= 0 THEN 'back_pay' ELSE 'recovery' END, %(first)s, 0, 0, 0,
       d.placement_id, d.township_id, d.line, d.pay, d.province, d.city, d.district,
       CASE WHEN d.pay >= 0 THEN '补发' ELSE '扣回' END || %(label)s
FROM (
    SELECT COALESCE(m.placement_id, p.placement_id) AS placement_id,
           COALESCE(m.township_id, p.township_id) AS township_id, COALESCE(m.line, p.line) AS line,
           COALESCE(m.s_pay, 0) - COALESCE(p.pay, 0) AS pay,
           COALESCE(m.s_province, 0) - COALESCE(p.province, 0) AS province,
           COALESCE(m.s_city, 0) - COALESCE(p.city, 0) AS city,
           COALESCE(m.s_district, 0) - COALESCE(p.district, 0) AS district
    FROM ({MONTH_SQL}) m
    FULL JOIN (
        SELECT l.placement_id, MAX(l.township_id) AS township_id, MAX(l.line) AS line,
               SUM(l.pay) AS pay, SUM(l.province) AS province, SUM(l.city) AS city,
               SUM(l.district) AS district
        FROM {LINE} l JOIN {RUN} r ON r.id = l.run_id
        WHERE l.township_id = ANY(%(townships)s) AND r.county_id = %(county)s
          AND ((l.run_id = %(earlier)s AND l.kind = 'regular')
               OR (l.corrects_month = %(first)s AND r.state = 'locked'))
        GROUP BY l.placement_id
    ) p ON p.placement_id = m.placement_id
) d
WHERE (d.pay <> 0 OR d.province <> 0 OR d.city <> 0 OR d.district <> 0)
  AND NOT EXISTS (  -- 新老衔接 holders imported after the month was locked: the old system paid it
      SELECT 1 FROM {PLACEMENT} pl JOIN {APPLICATION} ap ON ap.id = pl.application_id
      WHERE pl.id = d.placement_id AND pl.migrated AND ap.created_at > %(locked_at)s)
ORDER BY d.placement_id
"""


def month_params(county: County, first: dt.date, townships: list[int], full: dict, required: dict) -> dict:
    """The statement's parameters: the month, the townships, and per line the required days and
    the full-month amounts (subsidies.money.Shares) the policy in force gives."""
    lines = sorted(full)
    return {
        "county": county.pk,
        "first": first,
        "last": month_last(first),
        "dim": month_last(first).day,
        "townships": townships,
        "lines": lines,
        "required": [required[line] for line in lines],
        "pay": [full[line].pay for line in lines],
        "province": [full[line].province for line in lines],
        "city": [full[line].city for line in lines],
    }


def month_rows(run_id: int, params: dict[str, Any]) -> list[tuple]:
    """The month's regular lines as value tuples (the shape of payroll.line_values)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({MONTH_SQL}) m ORDER BY placement_id", params)
        return [(run_id, pk, town, line, "regular", *rest) for pk, town, line, *rest in cursor.fetchall()]


def new_lines_start() -> None:
    """An empty temporary table for the lines a computation gives (payroll_audit.apply then
    brings the run's lines to it): no WAL, no indexes, gone at commit."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {NEW} ON COMMIT DELETE ROWS AS "
            f"SELECT {', '.join(NEW_COLUMNS)} FROM {LINE} WITH NO DATA"
        )
        # emptied here too: townships computed inside one outer transaction share the table
        cursor.execute(f"TRUNCATE {NEW}")


def month_insert(run_id: int, params: dict[str, Any]) -> int:
    """Put the month's regular lines for the run in the new lines' table; returns how many."""
    with connection.cursor() as cursor:
        # Enough memory for the month's hash joins without spilling to disk; and no wait for the
        # disk at this commit: the run's state change that follows commits synchronously and
        # so makes these lines durable before anyone is told the month is computed.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(
            f"INSERT INTO {NEW} (run_id, kind, {MONTH_COLUMNS}) "
            f"SELECT %(run)s, 'regular', m.* FROM ({MONTH_SQL}) m",
            {**params, "run": run_id},
        )
        return cursor.rowcount


def adjustments_insert(run_id: int, earlier: PayrollRun, params: dict[str, Any]) -> int:
    """Put the 补发/扣回 lines that bring the locked month `earlier` to what today's data gives
    it in the new lines' table; returns how many."""
    label = f"{earlier.month:%Y年%m月}"
    with connection.cursor() as cursor:
        cursor.execute(
            ADJUST_SQL,
            {
                **params,
                "run": run_id,
                "earlier": earlier.pk,
                "label": label,
                "locked_at": earlier.locked_at,
            },
        )
        return cursor.rowcount
