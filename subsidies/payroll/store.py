"""Bringing a run's lines in some townships to what the rules give, with an audit entry for each
line changed.

The first computation of a township's lines inserts them all (COPY on PostgreSQL); its record is
the run's own entry (payroll.finish). A later one compares the new lines with the stored ones,
keyed by placement, kind and corrected month, and writes only the difference: lines changed in
place (keeping their ids), removed, added, each recorded through audit.record with its fields
before and after, on the run's 修改记录 page. Recomputing an unchanged month writes nothing. A
locked month's lines never change (payroll.states refuses to compute it)."""

from audit import record as audit
from common.bulk import insert_rows, update_rows
from people.models import Person

from ..models import PayrollLine, PayrollRun
from .rules import Line

KIND_LABEL = dict(PayrollLine.Kind.choices)
FIELDS = list(Line._fields)
KEY = ("placement_id", "kind", "corrects_month")
# what a change of a line writes and records: all but its key
WRITTEN = [f for f in FIELDS if f not in KEY]
RECORDED = [f for f in WRITTEN if f not in ("township_id", "line")]
CHUNK = 500  # ids per DELETE … IN (…): SQLite's limit on parameters


def replace(run: PayrollRun, townships: list[int], lines: list[Line]) -> None:
    """Make the run's lines in `townships` equal to `lines`. The caller holds the transaction."""
    # unordered: the model's order joins the run and the county and sorts (docs/performance.md P14)
    stored = (
        PayrollLine.objects.filter(run=run, township_id__in=townships).order_by().values_list("id", *FIELDS)
    )
    # keyed by placement, kind and corrected month (a row: the id, then Line's fields)
    before = {(row[1], row[4], row[5]): row for row in stored}
    if not before:
        insert_rows(PayrollLine, ["run_id", *FIELDS], [(run.pk, *line) for line in lines])
        return
    after = {(line[0], line[3], line[4]): line for line in lines}
    changed = [
        (row[0], Line(*row[1:]), line)
        for key, line in after.items()
        if (row := before.get(key)) is not None and row[1:] != line
    ]
    removed = [(row[0], Line(*row[1:])) for key, row in before.items() if key not in after]
    added = [line for key, line in after.items() if key not in before]
    update_rows(
        PayrollLine, ["id", *WRITTEN], [(pk, *(getattr(new, f) for f in WRITTEN)) for pk, _, new in changed]
    )
    for start in range(0, len(removed), CHUNK):
        PayrollLine.objects.filter(pk__in=[pk for pk, _ in removed[start : start + CHUNK]]).delete()
    insert_rows(PayrollLine, ["run_id", *FIELDS], [(run.pk, *line) for line in added])
    _record(run, townships, changed, removed, added)


def _record(
    run: PayrollRun,
    townships: list[int],
    changed: list[tuple[int, Line, Line]],
    removed: list[tuple[int, Line]],
    added: list[Line],
) -> None:
    """An entry per line changed, removed or added, on the run."""
    if not (changed or removed or added):
        return
    added_ids = {}
    if added:
        fresh = PayrollLine.objects.filter(
            run=run, township_id__in=townships, placement_id__in={line.placement_id for line in added}
        )
        added_ids = {(p, k, c): pk for pk, p, k, c in fresh.values_list("id", *KEY)}
    placements = {line.placement_id for line in added}
    placements |= {old.placement_id for _, old, _ in changed} | {old.placement_id for _, old in removed}
    people = Person.objects.filter(placements__pk__in=placements)
    names = dict(people.values_list("placements__pk", "name"))
    subject = audit.subject(PayrollRun, run.pk)

    def change(pk: int, old: Line | None, new: Line | None) -> audit.Change:
        line = new or old
        assert line is not None  # one of the two is always given
        return audit.Change(
            pk,
            f"{names.get(line.placement_id, '')} {KIND_LABEL[line.kind]}",
            {f: getattr(old, f) for f in RECORDED} if old else None,
            {f: getattr(new, f) for f in RECORDED} if new else None,
            line.township_id,
            run.county_id,
            subject,
        )

    entries = [change(pk, old, new) for pk, old, new in changed]
    entries += [change(pk, old, None) for pk, old in removed]
    entries += [change(added_ids[(line[0], line[3], line[4])], None, line) for line in added]
    audit.write(PayrollLine, entries)
