"""Audit entries of payroll lines when a month is computed again.

A computation replaces the run's lines of a township. The first computation of a run is one
entry on the run (who started it, which attempt, how many lines: audit.record via
payroll.finish); every later one compares the new lines with the ones it replaced, keyed by
placement, kind and corrected month, and records an entry per line added, removed or changed
(the fields before and after), on the run's 修改记录 page. On PostgreSQL this is one set-based
statement over the replaced lines kept in a temporary table; elsewhere the same comparison runs
here in Python. Lines of a locked month never change (payroll.compute refuses), so nothing is
lost between entries."""

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from audit import record as audit
from audit.models import Entry
from people.models import Person
from placements.models import Placement

from .models import PayrollLine, PayrollRun

FIELDS = ["days_on_post", "days_attended", "fraction", "pay", "province", "city", "district", "note"]
KIND_LABEL = dict(PayrollLine.Kind.choices)
LINE = PayrollLine._meta.db_table
ENTRY, PLACEMENT, PERSON = Entry._meta.db_table, Placement._meta.db_table, Person._meta.db_table
BEFORE = "payroll_lines_replaced"
NO_MONTH = dt.date(1, 1, 1)  # a regular line corrects no month: a key part that compares equal


def _key(placement_id: int, kind: str, corrects: dt.date | None) -> tuple:
    return (placement_id, kind, corrects or NO_MONTH)


def snapshot(run: PayrollRun, townships: list[int]) -> dict[tuple, dict[str, Any]]:
    """The run's lines in `townships` by key, with id, township, person's name and FIELDS."""
    lines = PayrollLine.objects.filter(run=run, township_id__in=townships)
    columns = [
        "id",
        "township_id",
        "placement__person__name",
        "placement_id",
        "kind",
        "corrects_month",
        *FIELDS,
    ]
    return {
        _key(row["placement_id"], row["kind"], row["corrects_month"]): row for row in lines.values(*columns)
    }


def record_python(run: PayrollRun, townships: list[int], before: dict[tuple, dict[str, Any]]) -> int:
    """Entries for the lines that differ from `before` (the SQLite path)."""
    if not before:
        return 0
    after = snapshot(run, townships)
    changes = []
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        row = new or old
        changes.append(audit.Change(
            row["id"], f"{row['placement__person__name']} {KIND_LABEL[row['kind']]}",
            {f: old[f] for f in FIELDS} if old else None, {f: new[f] for f in FIELDS} if new else None,
            row["township_id"], run.county_id, audit.subject(PayrollRun, run.pk),
        ))  # fmt: skip
    return audit.write(PayrollLine, changes)


def keep_replaced(run_id: int, townships: list[int]) -> int:
    """Delete the run's lines in `townships`, keeping them in a temporary table until commit
    (PostgreSQL); returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {BEFORE} (LIKE {LINE}) ON COMMIT DELETE ROWS")
        # emptied here too: townships computed inside one outer transaction share the table
        cursor.execute(f"TRUNCATE {BEFORE}")
        cursor.execute(
            f"WITH gone AS (DELETE FROM {LINE} WHERE run_id = %s AND township_id = ANY(%s) RETURNING *) "
            f"INSERT INTO {BEFORE} SELECT * FROM gone",
            [run_id, townships],
        )
        return cursor.rowcount


def _pair(name: str) -> str:
    return (
        f"'{name}', CASE WHEN (c.o).{name} IS DISTINCT FROM (c.n).{name} THEN jsonb_build_array("
        f"COALESCE((c.o).{name}::text, 'None'), COALESCE((c.n).{name}::text, 'None')) END"
    )


KIND_SQL = " ".join(f"WHEN '{k}' THEN '{label}'" for k, label in KIND_LABEL.items())
# The lines that differ first (a hash join of the replaced and the new lines, usually finding
# none), then names and entries for those only.
RECORD_SQL = f"""
WITH c AS MATERIALIZED (
    SELECT o, n, COALESCE(n.id, o.id) AS id, COALESCE(n.placement_id, o.placement_id) AS placement_id,
           COALESCE(n.kind, o.kind) AS kind, COALESCE(n.township_id, o.township_id) AS township_id,
           CASE WHEN o.id IS NULL THEN %(create)s WHEN n.id IS NULL THEN %(delete)s
                ELSE %(update)s END AS action
    FROM {BEFORE} o
    FULL JOIN (SELECT * FROM {LINE} WHERE run_id = %(run)s AND township_id = ANY(%(townships)s)) n
      ON n.placement_id = o.placement_id AND n.kind = o.kind
     AND COALESCE(n.corrects_month, %(no_month)s) = COALESCE(o.corrects_month, %(no_month)s)
    WHERE o.id IS NULL OR n.id IS NULL
       OR ({", ".join(f"o.{f}" for f in FIELDS)}) IS DISTINCT FROM ({", ".join(f"n.{f}" for f in FIELDS)})
)
INSERT INTO {ENTRY} ({", ".join(audit.COLUMNS)})
SELECT %(type)s, c.id::text, c.id, pe.name || ' ' || CASE c.kind {KIND_SQL} END, c.action,
       jsonb_strip_nulls(jsonb_build_object({", ".join(_pair(f) for f in FIELDS)})),
       '', %(county)s, c.township_id, %(subject)s, %(actor_id)s, %(remote_addr)s, %(via)s, %(cid)s, now()
FROM c
JOIN {PLACEMENT} pl ON pl.id = c.placement_id
JOIN {PERSON} pe ON pe.id = pl.person_id
"""


def record_sql(run: PayrollRun, townships: list[int]) -> int:
    """Entries for the lines that differ from the replaced ones kept by keep_replaced()."""
    params = {
        **audit.context(),
        "type": ContentType.objects.get_for_model(PayrollLine).pk,
        "create": audit.CREATE, "delete": audit.DELETE, "update": audit.UPDATE,
        "county": run.county_id, "subject": audit.subject(PayrollRun, run.pk),
        "run": run.pk, "townships": townships, "no_month": NO_MONTH,
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(RECORD_SQL, params)
        return cursor.rowcount
