"""Bringing a run's payroll lines to a new computation, with an audit entry for each line changed.

A computation replaces the run's lines of a township. The first computation of a run is one
entry on the run (who started it, which attempt, how many lines: audit.record via
payroll.finish); every later one compares the new lines with the run's, keyed by placement,
kind and corrected month, and records an entry per line added, removed or changed (the fields
before and after), on the run's 修改记录 page. On PostgreSQL the new lines wait in a temporary
table (payroll_sql) and one statement changes only the lines that differ and records them, so
that recomputing an unchanged month writes nothing; elsewhere the run's lines are replaced and
the same comparison runs here in Python. Lines of a locked month never change (payroll.compute
refuses), so nothing is lost between entries."""

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from audit import record as audit
from audit.models import Entry
from people.models import Person
from placements.models import Placement

from .models import PayrollLine, PayrollRun
from .payroll_sql import NEW, NEW_COLUMNS

FIELDS = ["days_on_post", "days_attended", "fraction", "pay", "province", "city", "district", "note"]
KIND_LABEL = dict(PayrollLine.Kind.choices)
LINE = PayrollLine._meta.db_table
ENTRY, PLACEMENT, PERSON = Entry._meta.db_table, Placement._meta.db_table, Person._meta.db_table
NO_MONTH = dt.date(1, 1, 1)  # a regular line corrects no month: a key part that compares equal
SAME = ["township_id", "line", *FIELDS]  # a line whose values all stay is left as it is
WRITTEN = [c for c in NEW_COLUMNS if c not in ("run_id", "kind", "corrects_month", "placement_id")]


def _key(placement_id: int, kind: str, corrects: dt.date | None) -> tuple:
    return (placement_id, kind, corrects or NO_MONTH)


def apply_python(run: PayrollRun, townships: list[int], rows: list[dict[str, Any]]) -> None:
    """Bring the run's lines in `townships` to `rows` (values by NEW_COLUMNS), as apply() does on
    PostgreSQL: changed lines in place, entries for each change after a first computation."""
    lines = PayrollLine.objects.filter(run=run, township_id__in=townships)
    columns = ["id", "placement__person__name", "placement_id", "kind", "corrects_month", *SAME]
    before = {_key(r["placement_id"], r["kind"], r["corrects_month"]): r for r in lines.values(*columns)}
    if not before:
        PayrollLine.objects.bulk_create(PayrollLine(**row) for row in rows)
        return
    after = {_key(r["placement_id"], r["kind"], r.get("corrects_month")): r for r in rows}
    changes = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old and new and all(old[f] == new[f] for f in SAME):
            continue
        if old and new:
            PayrollLine.objects.filter(pk=old["id"]).update(**{f: new[f] for f in WRITTEN})
        elif old:
            PayrollLine.objects.filter(pk=old["id"]).delete()
        pk = old["id"] if old else PayrollLine.objects.create(**new).pk  # type: ignore[arg-type]  # a key in neither before nor after cannot occur
        name = old["placement__person__name"] if old else Person.objects.get(placements__pk=key[0]).name
        changes.append(
            audit.Change(
                pk,
                f"{name} {KIND_LABEL[key[1]]}",
                {f: old[f] for f in FIELDS} if old else None,
                {f: new[f] for f in FIELDS} if new else None,
                (new or old)["township_id"],  # type: ignore[index]  # a key in neither before nor after cannot occur
                run.county_id,
                audit.subject(PayrollRun, run.pk),
            )
        )
    audit.write(PayrollLine, changes)


def _pair(name: str) -> str:
    return (
        f"'{name}', CASE WHEN (c.o).{name} IS DISTINCT FROM (c.n).{name} THEN jsonb_build_array("
        f"COALESCE((c.o).{name}::text, 'None'), COALESCE((c.n).{name}::text, 'None')) END"
    )


KIND_SQL = " ".join(f"WHEN '{k}' THEN '{label}'" for k, label in KIND_LABEL.items())
KEY_SQL = (
    "n.placement_id = o.placement_id AND n.kind = o.kind "
    "AND COALESCE(n.corrects_month, %(no_month)s) = COALESCE(o.corrects_month, %(no_month)s)"
)
# The lines that differ (a hash join of the run's lines and the new ones, usually finding few),
# each changed in place (keeping its id), removed or added; then an entry for each of those.
# Data-modifying CTEs all run once, on the statement's snapshot.
APPLY_SQL = f"""
WITH o AS (
    SELECT * FROM {LINE} WHERE run_id = %(run)s AND township_id = ANY(%(townships)s)
), c AS MATERIALIZED (
    SELECT o, n, o.id AS old_id, COALESCE(n.placement_id, o.placement_id) AS placement_id,
           COALESCE(n.kind, o.kind) AS kind, COALESCE(n.corrects_month, o.corrects_month) AS corrects_month,
           COALESCE(n.township_id, o.township_id) AS township_id,
           CASE WHEN o.id IS NULL THEN %(create)s WHEN n.placement_id IS NULL THEN %(delete)s
                ELSE %(update)s END AS action
    FROM o FULL JOIN {NEW} n ON {KEY_SQL}
    WHERE o.id IS NULL OR n.placement_id IS NULL
       OR ({", ".join(f"o.{f}" for f in SAME)}) IS DISTINCT FROM ({", ".join(f"n.{f}" for f in SAME)})
), updated AS (
    UPDATE {LINE} l SET {", ".join(f"{f} = (c.n).{f}" for f in WRITTEN)}
    FROM c WHERE c.action = %(update)s AND l.id = c.old_id
), deleted AS (
    DELETE FROM {LINE} l USING c WHERE c.action = %(delete)s AND l.id = c.old_id
), inserted AS (
    INSERT INTO {LINE} ({", ".join(NEW_COLUMNS)})
    SELECT {", ".join(f"(c.n).{f}" for f in NEW_COLUMNS)} FROM c WHERE c.action = %(create)s
    RETURNING id, placement_id, kind, corrects_month
)
INSERT INTO {ENTRY} ({", ".join(audit.COLUMNS)})
SELECT %(type)s, COALESCE(c.old_id, i.id)::text, COALESCE(c.old_id, i.id),
       pe.name || ' ' || CASE c.kind {KIND_SQL} END, c.action,
       jsonb_strip_nulls(jsonb_build_object({", ".join(_pair(f) for f in FIELDS)})),
       '', %(county)s, c.township_id, %(subject)s, %(actor_id)s, %(remote_addr)s, %(via)s, %(cid)s, now()
FROM c
LEFT JOIN inserted i ON c.action = %(create)s AND i.placement_id = c.placement_id AND i.kind = c.kind
     AND COALESCE(i.corrects_month, %(no_month)s) = COALESCE(c.corrects_month, %(no_month)s)
JOIN {PLACEMENT} pl ON pl.id = c.placement_id
JOIN {PERSON} pe ON pe.id = pl.person_id
"""


def apply(run: PayrollRun, townships: list[int]) -> None:
    """Replace the run's lines in `townships` with the new lines (payroll_sql.NEW, PostgreSQL):
    a first computation inserts them all (its entry is the run's); a later one changes only the
    lines that differ and records an entry for each."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {LINE} WHERE run_id = %s AND township_id = ANY(%s))",
            [run.pk, townships],
        )
        if not cursor.fetchone()[0]:
            columns = ", ".join(NEW_COLUMNS)
            cursor.execute(f"INSERT INTO {LINE} ({columns}) SELECT {columns} FROM {NEW}")
            return
        cursor.execute(
            APPLY_SQL,
            {
                **audit.context(),  # type: ignore[dict-item]  # the audit context holds plain SQL parameter values
                "type": ContentType.objects.get_for_model(PayrollLine).pk,
                "create": audit.CREATE,
                "delete": audit.DELETE,
                "update": audit.UPDATE,
                "county": run.county_id,
                "subject": audit.subject(PayrollRun, run.pk),
                "run": run.pk,
                "townships": townships,
                "no_month": NO_MONTH,
            },
        )
