"""Checks before computing a month (docs/policy.md §11): a person on two posts, past the age limit
or retirement, on a death or pension roster, a filled post with nobody on it, no bank account,
an agreement ended and not renewed (docs/policy.md §8.11), no confirmed attendance where the county
requires it (docs/policy.md §9.2).
Findings are replaced each time the month is computed; blocking ones stop approval."""

import datetime as dt

from auditlog.context import disable_auditlog
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from audit import record as audit
from common.bulk import insert_rows
from common.retirement import RetirementCategory, add_months, age_on, retirement_date
from common.validation import full_clean
from people.models import Person
from placements.models import Agreement
from posts.models import Post
from townships.models import County, Line

from .models import Finding, PayrollRun
from .months import month_last, on_post_during
from .payroll import agreed_spans
from .village_attendance import missing_attendance

K = Finding.Kind
EARLIEST_RETIREMENT = 50  # years: women in worker posts before the 2024 reform; the reform only raises it


FIELDS = ["run_id", "kind", "blocking", "placement_id", "message"]
KEY = ["kind", "placement_id", "message"]


def _suspects(active: QuerySet, county: County, first: dt.date) -> tuple[QuerySet, set[int]]:
    """The active placements that could give a finding: a cheap superset in SQL (the earliest
    statutory retirement is at 50, the rural flag age is the county's), checked exactly below.
    The person's conditions are each an EXISTS on the person's primary key, inside the OR: as a
    join, the planner read the whole province's people to find the county's (1.25 million rows,
    about 1 s, for 9,191 holders; docs/performance.md P15). The suspects are then read by id."""
    doubled = active.values("person_id").annotate(n=Count("id")).filter(n__gt=1).values("person_id")
    month_after = add_months(first, 1)
    may_retire = month_after.replace(year=month_after.year - EARLIEST_RETIREMENT)
    over_age = first.replace(year=first.year - county.rural_flag_age)
    person = Person.objects.filter(pk=OuterRef("person_id"))
    ids = list(
        active.filter(
            Q(person_id__in=doubled)
            | Exists(person.filter(Q(on_death_roster=True) | Q(on_pension_roster=True) | Q(bank_account="")))
            | Q(Exists(person.filter(birth_date__lt=may_retire)), line=Line.URBAN)
            | Q(Exists(person.filter(birth_date__lte=over_age)), line=Line.RURAL)
        ).values_list("pk", flat=True)
    )
    chunks = [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]
    by_id = Q(pk__in=[])
    for chunk in chunks:
        by_id |= Q(pk__in=chunk)
    return active.filter(by_id), set(doubled.values_list("person_id", flat=True))


CHUNK = 500  # ids in one IN (…): SQLite's limit on parameters


def findings_refresh(run: PayrollRun) -> int:
    """Replace the run's findings with those of today's data; a finding resolved before keeps its
    resolution when the same problem is found again."""
    first = run.month
    last = month_last(first)
    county = run.county
    active = on_post_during(first).filter(township__county=county)
    found: list[tuple] = []

    def add(kind: str, message: str, placement_id: int | None = None) -> None:
        found.append((kind, kind in Finding.BLOCKING, placement_id, message))

    suspects, doubled = _suspects(active, county, first)
    rows = suspects.values_list(
        "pk",
        "line",
        "person_id",
        "person__name",
        "person__birth_date",
        "person__retirement_category",
        "person__on_death_roster",
        "person__on_pension_roster",
        "person__bank_account",
        "township__name",
    )
    for pk, line, person_id, name, birth, category, dead, pension, bank, township in rows:
        who = f"{township}{name}"
        if person_id in doubled:
            add(K.TWO_POSTS, f"{who}同时在多个公益性岗位上", pk)
        if dead:
            add(K.DEATH, f"{who}在死亡人员名单中，请核实后办理退出", pk)
        if pension:
            add(K.PENSION, f"{who}在养老金领取人员名单中，请核实后办理退出", pk)
        if not bank:
            add(K.NO_BANK, f"{who}没有银行账号，无法发放", pk)
        retires = retirement_date(birth, RetirementCategory(category))
        if line == Line.URBAN and retires <= last:
            add(K.RETIRED, f"{who}已达法定退休年龄（{retires:%Y}年）", pk)  # no day: the birth date
        if line == Line.RURAL and age_on(birth, first) > county.rural_flag_age:
            add(K.AGE_LIMIT, f"{who}已超过{county.rural_flag_age}周岁", pk)
    for pk, message in lapsed(active, first, last):
        add(K.LAPSED, message, pk)
    if county.attendance_required:  # docs/policy.md §11, §15
        for pk, message in missing_attendance(active, first):
            add(K.MISSING_ATTENDANCE, message, pk)
    on_post = active.filter(post_id=OuterRef("pk"))
    empty = Post.objects.filter(township__county=county, status=Post.Status.FILLED).filter(~Exists(on_post))
    for code, township in empty.values_list("code", "township__name"):
        add(K.EMPTY_POST, f"{township}岗位{code}状态为在岗，但本月无在岗人员")
    standing = {
        (kind, pk, message): finding_id
        for finding_id, kind, pk, message in run.findings.values_list("pk", *KEY)
    }
    wanted = {(f[0], f[2], f[3]): f for f in found}
    gone = [finding_id for key, finding_id in standing.items() if key not in wanted]
    with transaction.atomic():
        # A finding found again stays as it is (with its resolution, if any); one no longer
        # found goes, one new comes: a recomputation of an unchanged month writes nothing.
        _findings_remove(run, gone)
        insert_rows(Finding, FIELDS, [(run.pk, *f) for key, f in wanted.items() if key not in standing])
    return len(found)


def _findings_remove(run: PayrollRun, ids: list[int]) -> None:
    """Delete the run's findings `ids`, each recorded as removed (in bulk: audit.record)."""
    if not ids:
        return
    removed = Finding.objects.filter(run=run, pk__in=ids)
    changes = [
        audit.Change(
            pk,
            message,
            {"kind": kind, "message": message, "resolution": resolution},
            None,
            None,
            run.county_id,
            audit.subject(PayrollRun, run.pk),
        )
        for pk, kind, message, resolution in removed.values_list("pk", "kind", "message", "resolution")
    ]
    with disable_auditlog():
        for start in range(0, len(ids), 500):
            Finding.objects.filter(pk__in=ids[start : start + 500]).delete()
    audit.write(Finding, changes)


def lapsed(active: QuerySet, first: dt.date, last: dt.date) -> list[tuple[int, str]]:
    """No agreement, no pay (docs/policy.md §8.11): the placements on post in the month, within their
    subsidy period, whose agreements end before the month's paid days do (or who have none),
    each with the sentence that names the person. The payroll pays none of those days
    (payroll.rules.regular): the holder's agreement is renewed, or they exit. In SQL, the
    placements with a paid day and no agreement reaching their last one (agreements follow on
    without gaps, so the last end is the span's end); their spans are read for those few only."""
    last_paid = Least(
        Value(last),
        Coalesce("exit_date", Value(last)),
        Coalesce("subsidy_until", Value(first - dt.timedelta(days=1))),
    )
    reaching = Agreement.objects.filter(
        application_id=OuterRef("application_id"), end_date__gte=OuterRef("paid_until")
    )
    suspects = active.annotate(paid_until=last_paid).filter(paid_until__gte=first).filter(~Exists(reaching))
    spans = agreed_spans(suspects)
    rows = suspects.values_list(
        "pk", "application_id", "exit_date", "subsidy_until", "person__name", "township__name"
    )
    found = []
    for pk, application_id, exit_date, subsidy_until, name, township in rows:
        agreed_until = spans[application_id][1] if application_id in spans else None
        paid_until = min(last, exit_date or last, subsidy_until or first - dt.timedelta(days=1))
        if paid_until < first or (agreed_until is not None and agreed_until >= paid_until):
            continue  # nothing of the month would be paid anyway, or the agreement covers it
        if agreed_until is None:
            found.append((pk, f"{township}{name}没有岗位协议，不计发补贴：请签订协议或办理退出"))
        else:
            found.append(
                (
                    pk,
                    f"{township}{name}的协议已于{agreed_until:%Y年%m月%d日}到期未续签，"
                    "此后不计发补贴：请续签协议或办理退出",
                )
            )
    return found


def finding_resolve(*, finding: Finding, resolution: str, actor: User) -> Finding:
    if not resolution.strip():
        raise ValidationError("请填写处理说明")
    finding.resolution, finding.resolved_by, finding.resolved_at = resolution.strip(), actor, timezone.now()
    full_clean(finding)  # a note longer than its column is refused in Chinese, not a 500
    finding.save(update_fields=["resolution", "resolved_by", "resolved_at"])
    return finding


def open_blocking(run: PayrollRun) -> int:
    return run.findings.filter(blocking=True, resolved_at__isnull=True).count()
