"""Checks before computing a month (DOMAIN.md §8): a person on two posts, past the age limit
or retirement, on a death or pension roster, a filled post with nobody on it, no bank account.
Findings are replaced each time the month is computed; blocking ones stop approval."""

import calendar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone

from common.retirement import RetirementCategory, age_on, retirement_date
from placements.models import Placement
from posts.models import Post
from townships.models import Line

from .models import Finding, PayrollRun

K = Finding.Kind


def findings_refresh(run: PayrollRun) -> int:
    first = run.month
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    county = run.county
    active = Placement.objects.filter(township__county=county, on_post_date__lte=last).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=first)
    )
    found: list[Finding] = []

    def add(kind: str, message: str, placement_id: int | None = None) -> None:
        found.append(
            Finding(
                run=run,
                kind=kind,
                blocking=kind in Finding.BLOCKING,
                placement_id=placement_id,
                message=message,
            )
        )

    doubled = (
        active.values("person_id").annotate(n=Count("id")).filter(n__gt=1).values_list("person_id", flat=True)
    )
    rows = active.values_list(
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
    doubled = set(doubled)
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
        if line == Line.URBAN and retirement_date(birth, RetirementCategory(category)) <= last:
            add(
                K.RETIRED,
                f"{who}已达法定退休年龄（{retirement_date(birth, RetirementCategory(category))}）",
                pk,
            )
        if line == Line.RURAL and age_on(birth, first) > county.rural_flag_age:
            add(K.AGE_LIMIT, f"{who}已超过{county.rural_flag_age}周岁", pk)
    empty = Post.objects.filter(township__county=county, status=Post.Status.FILLED).exclude(
        placements__in=active
    )
    for code, township in empty.values_list("code", "township__name"):
        add(K.EMPTY_POST, f"{township}岗位{code}状态为在岗，但本月无在岗人员")
    Finding.objects.filter(run=run).delete()
    Finding.objects.bulk_create(found, batch_size=2000)
    return len(found)


def finding_resolve(*, finding: Finding, resolution: str, actor: User) -> Finding:
    if not resolution.strip():
        raise ValidationError("请填写处理说明")
    finding.resolution, finding.resolved_by, finding.resolved_at = resolution.strip(), actor, timezone.now()
    finding.save(update_fields=["resolution", "resolved_by", "resolved_at"])
    return finding


def open_blocking(run: PayrollRun) -> int:
    return run.findings.filter(blocking=True, resolved_at__isnull=True).count()
