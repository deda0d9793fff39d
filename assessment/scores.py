"""Scores (docs/policy.md §8.14): a township's sheet of a period, its scores entered by the users of
each part, published by the township and then fixed unless reopened with a reason.

Who enters a part: the village part a village user of the holder's post's village, or the
township's clerk where the village has no (active) village user; the township part and the
democratic appraisal's result a clerk of the township. A score lies between 0 and its part's
weight; only holders on post at some day of the period have one. Every write is all or nothing."""

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from common.dated import in_force
from placements.models import Placement
from townships.access import Act, act_check, membership_of
from townships.models import County, Membership, Role, Township

from .models import Period, Scheme, Score, Sheet, SheetEvent

PARTS = {"village": "村（社区）评分", "township": "乡镇（街道）评分", "appraisal": "民主评议"}


def month_last(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def scheme_in_force(county: County, day: dt.date) -> Scheme:
    scheme = in_force(Scheme.objects.filter(county=county), day).first()
    if scheme is None:
        raise ValidationError(f"{county.name}没有{day:%Y年%m月}适用的绩效考核办法，请先在系统管理中设置")
    return scheme


def period_of(period: str, month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last months (their 1st) of the month's period: the month, or its quarter."""
    if period == Period.QUARTER:
        start = (month.month - 1) // 3 * 3 + 1
        return month.replace(month=start, day=1), month.replace(month=start + 2, day=1)
    first = month.replace(day=1)
    return first, first


def sheet_for(township: Township, month: dt.date, today: dt.date | None = None) -> Sheet:
    """The township's sheet of the period holding `month` (made when first asked), under the scheme
    in force on the period's first day. A period not yet begun has none."""
    today = today or timezone.localdate()
    month = month.replace(day=1)
    if month > today.replace(day=1):
        raise ValidationError(f"{month:%Y年%m月}尚未到来，不能录入考核评分")
    scheme = scheme_in_force(township.county, month)
    first, last = period_of(scheme.period, month)
    scheme = scheme_in_force(township.county, first)
    sheet, _ = Sheet.objects.get_or_create(
        township=township, first=first, defaults={"scheme": scheme, "last": last}
    )
    return sheet


def holders(sheet: Sheet) -> QuerySet[Placement]:
    """Placements of the sheet's township on post at some day of its period."""
    on_post = Placement.objects.filter(
        township_id=sheet.township_id, on_post_date__lte=month_last(sheet.last)
    )
    return on_post.filter(Q(exit_date__isnull=True) | Q(exit_date__gte=sheet.first))


def villages_with_users(village_ids: set[int]) -> set[int]:
    """Those of the villages that have an active village user (who enters their village part)."""
    users = Membership.objects.filter(role=Role.VILLAGE, village_id__in=village_ids, user__is_active=True)
    return set(users.values_list("village_id", flat=True))


@dataclass(frozen=True)
class Entry:
    """The scores to set for a holder: a part left out (None) is left as it is."""

    placement_id: int
    village: Decimal | None = None
    township: Decimal | None = None
    appraisal: Decimal | None = None

    def given(self) -> dict[str, Decimal]:
        return {part: value for part in PARTS if (value := getattr(self, part)) is not None}


def parse_score(text: str) -> Decimal:
    """A score typed or read from a sheet: a number with at most one decimal."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValidationError(f"评分「{text.strip()}」不是数字") from None
    if not value.is_finite() or value != value.quantize(Decimal("0.1")):
        raise ValidationError(f"评分「{text.strip()}」最多保留一位小数")
    return value


class Entering:
    """What one user may enter on one sheet, read once: the holders, their villages, the
    villages that have their own users."""

    def __init__(self, actor: User, sheet: Sheet) -> None:
        self.actor, self.sheet = actor, sheet
        self.membership = membership_of(actor)
        self.holders = {p.pk: p for p in holders(sheet).select_related("person", "post")}
        self.own_users = villages_with_users({p.post.village_id for p in self.holders.values()})
        self.weights = {"village": sheet.scheme.village_weight, "township": sheet.scheme.township_weight}
        self.weights["appraisal"] = sheet.scheme.appraisal_weight

    def sheet_check(self) -> None:
        if self.sheet.state == Sheet.State.PUBLISHED:
            raise ValidationError(
                "考核结果已公示，评分不能再修改；如需更正，请乡镇（街道）先撤回公示并写明原因"
            )
        member = self.membership
        if member is not None and member.role == Role.AGENCY:  # a contracted agency (§1.5), today
            act_check(self.actor, Act.ASSESSMENT, self.sheet.township, timezone.localdate())
            return
        if member is None or member.role not in (Role.CLERK, Role.VILLAGE):
            raise ValidationError("考核评分须由乡镇（街道）经办人或村（社区）协管员录入")
        if member.township_id != self.sheet.township_id:
            raise ValidationError("无权录入其他乡镇（街道）的考核评分")

    def may_enter(self, placement: Placement, part: str) -> str | None:
        """Why the user may not enter `part` of the holder's score, or None."""
        member = self.membership
        assert member is not None  # sheet_check passed
        if self.weights[part] <= 0:
            return f"本考核办法没有「{PARTS[part]}」"
        if member.role == Role.VILLAGE:
            if part != "village":
                return f"村（社区）协管员只能录入村（社区）评分，「{PARTS[part]}」由乡镇（街道）录入"
            if placement.post.village_id != member.village_id:
                return "该人员不在本村（社区）的岗位上"
            return None
        if part == "village" and placement.post.village_id in self.own_users:
            return "该村（社区）有协管员，村（社区）评分由村（社区）协管员录入"
        return None

    def value_problem(self, part: str, value: Decimal) -> str | None:
        weight = self.weights[part]
        if value < 0 or value > weight:
            return f"{PARTS[part]}应在0至{weight.normalize():f}分之间"
        return None

    def check(self, entry: Entry) -> list[str]:
        placement = self.holders.get(entry.placement_id)
        if placement is None:
            where = self.sheet.township.name
            return [f"该人员在{sheet_period(self.sheet)}不在{where}的公益性岗位上"]
        problems = []
        for part, value in entry.given().items():
            problem = self.may_enter(placement, part) or self.value_problem(part, value)
            if problem:
                problems.append(f"{placement.person.name}：{problem}")
        return problems


def sheet_period(sheet: Sheet) -> str:
    if sheet.first == sheet.last:
        return f"{sheet.first:%Y年%m月}"
    return f"{sheet.first:%Y年%m月}至{sheet.last:%Y年%m月}"


def scores_enter(*, actor: User, sheet: Sheet, entries: list[Entry]) -> int:
    """Set the given parts of each holder's score, all or none (ValidationError naming every
    problem); the total follows once every part in use is entered. The scores written."""
    entering = Entering(actor, sheet)
    entering.sheet_check()
    problems = [problem for entry in entries for problem in entering.check(entry)]
    if problems:
        raise ValidationError(problems)
    written = 0
    with transaction.atomic():
        locked = Sheet.objects.select_for_update().get(pk=sheet.pk)
        if locked.state == Sheet.State.PUBLISHED:  # published meanwhile
            raise ValidationError("考核结果已公示，评分不能再修改")
        stored = {s.placement_id: s for s in Score.objects.filter(sheet=sheet)}
        for entry in entries:
            given = entry.given()
            if not given:
                continue
            score = stored.get(entry.placement_id) or Score(sheet=sheet, placement_id=entry.placement_id)
            if all(getattr(score, part) == value for part, value in given.items()) and score.pk:
                continue
            for part, value in given.items():
                setattr(score, part, value)
            score.total = total_of(sheet.scheme, score)
            score.updated_by = actor
            score.full_clean(exclude=["sheet", "placement", "updated_by"])
            score.save()
            written += 1
    return written


def total_of(scheme: Scheme, score: Score) -> Decimal | None:
    """The sum of the parts in use, once every one is entered."""
    values = [getattr(score, part) for part, _, _ in scheme.parts]
    if any(value is None for value in values):
        return None
    return sum(values, Decimal("0.0"))


def _move(sheet: Sheet, actor: User, to: str, note: str = "") -> None:
    SheetEvent.objects.create(sheet=sheet, actor=actor, from_state=sheet.state, to_state=to, note=note)
    sheet.state = to


def sheet_publish(*, actor: User, sheet: Sheet) -> Sheet:
    """The township publishes the period's results (公示): a clerk of the township, every holder
    scored in full."""
    member = membership_of(actor)
    if member is None or member.role != Role.CLERK or member.township_id != sheet.township_id:
        raise ValidationError("考核结果由本乡镇（街道）经办人公示")
    with transaction.atomic():
        sheet = Sheet.objects.select_for_update().select_related("scheme", "township").get(pk=sheet.pk)
        if sheet.state == Sheet.State.PUBLISHED:
            raise ValidationError("考核结果已经公示")
        complete = Score.objects.filter(sheet=sheet, total__isnull=False).values("placement_id")
        missing = holders(sheet).exclude(pk__in=complete).select_related("person")
        names = [p.person.name for p in missing[:11]]
        if names:
            more = "等" if len(names) > 10 else ""
            raise ValidationError(f"以下人员的评分尚未录入完整，不能公示：{'、'.join(names[:10])}{more}")
        _move(sheet, actor, Sheet.State.PUBLISHED)
        sheet.published_at, sheet.published_by = timezone.now(), actor
        sheet.save(update_fields=["state", "published_at", "published_by"])
    return sheet


def sheet_reopen(*, actor: User, sheet: Sheet, reason: str) -> Sheet:
    """A published sheet taken back for corrections: a clerk of the township or HR of the county,
    with a reason. A month paid since is corrected by the adjustments (docs/policy.md §9.7)."""
    member = membership_of(actor)
    township = sheet.township
    allowed = member is not None and (
        (member.role == Role.CLERK and member.township_id == township.pk)
        or (member.role == Role.HR and member.county_id == township.county_id)
    )
    if not allowed:
        raise ValidationError("撤回公示须由本乡镇（街道）经办人或区县人社局办理")
    if not reason.strip():
        raise ValidationError("撤回公示须写明原因")
    with transaction.atomic():
        sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
        if sheet.state != Sheet.State.PUBLISHED:
            raise ValidationError("考核结果尚未公示，无需撤回")
        _move(sheet, actor, Sheet.State.OPEN, reason.strip()[:300])
        sheet.published_at = sheet.published_by = None
        sheet.save(update_fields=["state", "published_at", "published_by"])
    return sheet
