"""Accident insurance of rural holders (docs/policy.md §7.8, §7.9): the roster, the county's
policies with the people they cover, and accidents followed through the insurer's claim.

The roster is one rule (roster_placements): the rural holders on post **and** paid on a day.
A policy covers the roster of its start date for its whole period; nobody is covered twice for
the same days (已购买的不再重复购买): policy_create refuses, naming the policy that already covers
them, unless it is a supplementary policy (补充投保), which leaves those people out. An accident
is judged at its own date: on post that day (never in the future), covered or not by a policy
that day. A claim moves 报案 → 材料提交 → 理赔决定 (paid with its amount, or refused with its
reason), each step dated, in order, never after today (claim_move, one map of moves)."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from common.bulk import insert_rows
from common.idcard import mask_id_number
from common.validation import full_clean
from townships.access import M, has_role, require_role, scope_by_county, scope_by_township, scope_by_village
from townships.models import County, Line, Role

from .dates import day_text, not_after_today, not_before
from .models import Accident, Agreement, ClaimState, ClaimStep, InsurancePolicy, InsuredPerson, Placement

AnyUser = User | AnonymousUser

READERS = (Role.CLERK, Role.HR, Role.FINANCE, Role.AUDITOR, Role.COUNTY_ADMIN)
POLICY_WRITERS = (Role.HR,)  # the county buys the insurance
ACCIDENT_WRITERS = (Role.CLERK, Role.HR)  # the claim: the clerk with the village; HR with the insurer
# Who records an accident (docs/policy.md §7.9): besides them, the village user of the holder's
# village, where the work is done; and who reads the accidents (the village user: their village's).
ACCIDENT_RECORDERS = (*ACCIDENT_WRITERS, Role.VILLAGE)
ACCIDENT_READERS = (*READERS, Role.VILLAGE)
# Who gets the roster's download with whole ID numbers (the insurer needs them): the county
# office that buys the policy. Everyone else gets them masked (docs/policy.md §13.1).
ROSTER_FULL_ROLES = (Role.HR, Role.COUNTY_ADMIN)
NAMED_AT_MOST = 5  # overlapping people named in a refusal; the rest are counted


# ---- the roster -------------------------------------------------------------------------------


def roster_placements(*, on: dt.date, county: County | None = None) -> QuerySet[Placement]:
    """Rural holders on post **and** paid on `on` (docs/policy.md §7.8): started, not exited,
    within their stored subsidy period (Placement.subsidy_until) and under an agreement in force
    (no agreement, no pay), so a holder whose subsidy or agreement ended without a recorded exit
    is not insured as if on post. One pass over the township's placements with an EXISTS probe
    of the agreement index per holder."""
    in_force = Agreement.objects.filter(
        application=OuterRef("application"), start_date__lte=on, end_date__gte=on
    )
    found = Placement.objects.filter(
        Exists(in_force), line=Line.RURAL, on_post_date__lte=on, subsidy_until__gte=on
    ).filter(Q(exit_date__isnull=True) | Q(exit_date__gte=on))
    return found.filter(township__county=county) if county is not None else found


def roster_for(
    user: AnyUser, *, on: dt.date, township: int | None = None, name: str = ""
) -> QuerySet[Placement]:
    """The roster of `on` as `user` may see it (clerks their township), optionally one township's
    and searched by name, in the roster's order (township, name)."""
    found = scope_by_township(user, roster_placements(on=on))
    if township is not None:
        found = found.filter(township_id=township)
    if name:
        found = found.filter(person__name__contains=name)
    return found.select_related("person", "township", "post__village", "post__duty").order_by(
        "township__code", "person__name", "pk"
    )


ROSTER_HEADERS = ["序号", "镇街", "村（社区）", "姓名", "身份证号", "性别", "联系电话", "岗位", "上岗日期"]


def roster_rows(placements: QuerySet[Placement], *, full: bool) -> list[list]:
    """The roster's rows for the insurer, numbered; ID numbers whole only when `full`."""
    rows = []
    for number, p in enumerate(placements, start=1):
        person = p.person
        shown = person.id_number if full else mask_id_number(person.id_number)
        sex = "男" if person.sex == "male" else "女"
        rows.append(
            [
                number,
                p.township.name,
                p.post.village.name,
                person.name,
                shown,
                sex,
                person.phone,
                p.post.duty.name,
                p.on_post_date,
            ]
        )
    return rows


# ---- policies ---------------------------------------------------------------------------------


def _overlaps(roster: QuerySet[Placement], start: dt.date, end: dt.date) -> QuerySet[InsuredPerson]:
    """Covers of the roster's people on any day from `start` to `end`: one join of the roster with
    the covers' person index (a literal list of a county's 9,000 ids took a second)."""
    return InsuredPerson.objects.filter(
        person__in=roster.values("person_id"), start_date__lte=end, end_date__gte=start
    )


def _overlap_refusal(overlapping: QuerySet[InsuredPerson]) -> ValidationError | None:
    """The refusal naming each policy that already covers some of the people (a few of them by
    name, masked, the rest counted), or None when nobody is covered. A handful of queries
    whatever the roster's size: the covers are counted per policy, not read one by one."""
    counts = dict(overlapping.values_list("policy").annotate(n=Count("pk")).values_list("policy", "n"))
    if not counts:
        return None
    parts = []
    for policy in InsurancePolicy.objects.filter(pk__in=counts).order_by("start_date", "pk"):
        covers = overlapping.filter(policy=policy).select_related("person").order_by("person__name", "pk")
        named = "、".join(
            f"{c.person.name}（{mask_id_number(c.person.id_number)}）" for c in covers[:NAMED_AT_MOST]
        )
        more = f"等{counts[policy.pk]}人" if counts[policy.pk] > NAMED_AT_MOST else ""
        parts.append(f"保单「{policy}」已承保{named}{more}")
    return ValidationError(
        "保险期间与已有保单重叠，已购买的不再重复购买："
        + "；".join(parts)
        + "。如为新上岗人员投保，请勾选“补充投保”。"
    )


@transaction.atomic
def policy_create(
    *,
    county: County,
    insurer: str,
    number: str,
    start_date: dt.date,
    end_date: dt.date,
    premium: Decimal,
    actor: User,
    supplement: bool = False,
) -> InsurancePolicy:
    """Record a county's policy covering the roster of its start date (roster_placements) from
    start to end. Refused, nothing saved, if anyone on it is covered by another policy on a day of
    the period (named), unless `supplement`: then those people are left out and the policy covers
    the rest. The county's row is locked first, so two policies entered at once are checked one
    after the other and the overlap check stays exact."""
    if end_date < start_date:
        raise ValidationError(
            f"保险期间止（{day_text(end_date)}）不能早于保险期间起（{day_text(start_date)}）"
        )
    if premium <= 0:
        raise ValidationError("每人保费须大于0")
    County.objects.select_for_update().get(pk=county.pk)
    on_roster = roster_placements(on=start_date, county=county)
    roster = list(on_roster.values_list("pk", "person_id", "township_id"))
    if not roster:
        raise ValidationError(f"{day_text(start_date)}没有在岗并发放补贴的乡村岗位人员，无人可以参保")
    overlapping = _overlaps(on_roster, start_date, end_date)
    if not supplement and (refusal := _overlap_refusal(overlapping)) is not None:
        raise refusal
    already = set(overlapping.values_list("person_id", flat=True)) if supplement else set()
    roster = [row for row in roster if row[1] not in already]
    if not roster:
        raise ValidationError("名单上的人员在保险期间内都已参保，无需补充投保")
    policy = InsurancePolicy(
        county=county,
        insurer=insurer.strip(),
        number=number.strip(),
        start_date=start_date,
        end_date=end_date,
        premium=premium,
        recorded_by=actor,
    )
    full_clean(policy)
    if InsurancePolicy.objects.filter(county=county, insurer=policy.insurer, number=policy.number).exists():
        raise ValidationError(f"{policy.insurer}的保单号{policy.number}已经登记过")
    policy.save()
    # the whole roster at once (COPY on PostgreSQL): 9,000 people in a fraction of a second
    insert_rows(
        InsuredPerson,
        ["policy_id", "placement_id", "person_id", "township_id", "start_date", "end_date"],
        [(policy.pk, pk, person, township, start_date, end_date) for pk, person, township in roster],
    )
    return policy


def policies_for(user: AnyUser) -> QuerySet[InsurancePolicy]:
    """The policies of the counties `user` sees (a clerk: their county's)."""
    return scope_by_county(user, InsurancePolicy.objects.select_related("county"))


def policy_get(*, user: AnyUser, pk: int) -> InsurancePolicy:
    return get_object_or_404(policies_for(user), pk=pk)


def covered_for(user: AnyUser, policy: InsurancePolicy) -> QuerySet[InsuredPerson]:
    """The people a policy covers as `user` may see them (a clerk: their township's)."""
    found = scope_by_township(user, policy.covered.all())
    return found.select_related("person", "township").order_by("township__code", "person__name", "pk")


# ---- accidents and claims ---------------------------------------------------------------------


def cover_on(person_id: int, day: dt.date) -> InsuredPerson | None:
    """The policy covering the person on `day`, or None (at most one: covers never overlap)."""
    return (
        InsuredPerson.objects.filter(person_id=person_id, start_date__lte=day, end_date__gte=day)
        .select_related("policy")
        .first()
    )


@transaction.atomic
def accident_record(
    *, placement: Placement, occurred_on: dt.date, description: str, actor: User, today: dt.date | None = None
) -> Accident:
    """An accident of a holder, recorded by a clerk or HR, or the village user of the holder's
    village (anyone else, or a holder out of their scope: 404); judged at its date: not in the
    future, within the holder's time on post. Recorded with the policy covering them that day;
    without one it is still recorded, as 未参保 (its claim cannot be reported to an insurer)."""
    require_role(actor, *ACCIDENT_RECORDERS)
    holder_get(user=actor, pk=placement.pk)
    not_after_today("事故日期", occurred_on, today)
    last = placement.exit_date
    if occurred_on < placement.on_post_date or (last is not None and occurred_on > last):
        until = day_text(last) if last else "今"
        raise ValidationError(
            f"事故日期（{day_text(occurred_on)}）不在此人的在岗期间（{day_text(placement.on_post_date)}至{until}）内"
        )
    if not description.strip():
        raise ValidationError("请填写事故经过")
    accident = Accident(
        placement=placement,
        person_id=placement.person_id,
        township_id=placement.township_id,
        village_id=placement.post.village_id,
        occurred_on=occurred_on,
        description=description.strip(),
        cover=cover_on(placement.person_id, occurred_on),
        recorded_by=actor,
    )
    full_clean(accident)
    accident.save()
    return accident


# The claim's moves and the name of each move's date on its form: 报案 → 材料提交 → 理赔决定.
CLAIM_MOVES: dict[tuple[str, str], str] = {
    (ClaimState.NONE, ClaimState.REPORTED): "报案日期",
    (ClaimState.REPORTED, ClaimState.SUBMITTED): "材料提交日期",
    (ClaimState.SUBMITTED, ClaimState.PAID): "理赔决定日期",
    (ClaimState.SUBMITTED, ClaimState.REFUSED): "理赔决定日期",
}
MOVE_LABELS: dict[str, str] = {
    ClaimState.REPORTED: "报案",
    ClaimState.SUBMITTED: "材料提交",
    ClaimState.PAID: "理赔决定：赔付",
    ClaimState.REFUSED: "理赔决定：拒赔",
}


def claim_next(accident: Accident) -> list[str]:
    """The moves the claim may take next (none for an uncovered accident or a decided claim)."""
    if accident.cover_id is None:
        return []
    return [to for (source, to) in CLAIM_MOVES if source == accident.state]


def _amount_check(to: str, amount: Decimal | None, note: str) -> None:
    if to == ClaimState.PAID and (amount is None or amount <= 0):
        raise ValidationError({"amount": ["赔付须填写大于0的赔付金额"]})
    if to != ClaimState.PAID and amount is not None:
        raise ValidationError({"amount": ["只有理赔决定为赔付时才填写赔付金额"]})
    if to == ClaimState.REFUSED and not note.strip():
        raise ValidationError({"note": ["拒赔须填写拒赔原因"]})


@transaction.atomic
def claim_move(
    *,
    accident: Accident,
    to: str,
    on: dt.date,
    actor: User,
    amount: Decimal | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> Accident:
    """Move the claim one step (CLAIM_MOVES), dated `on`: not before the accident or the previous
    step, not after today; paid with its amount, refused with its reason. Writes the step row.
    Only a clerk of the accident's township or HR of its county moves a claim (else 404)."""
    require_role(actor, *ACCIDENT_WRITERS)
    accident_get(user=actor, pk=accident.pk)
    accident = Accident.objects.select_for_update().get(pk=accident.pk)
    if accident.cover_id is None:
        raise ValidationError("事故发生当日此人不在任何保单的保障期间内（未参保），不能向保险公司报案理赔")
    label = CLAIM_MOVES.get((accident.state, to))
    if label is None:
        now = ClaimState(accident.state).label
        wanted = MOVE_LABELS.get(to, to)
        raise ValidationError(f"理赔须依次办理（报案→材料提交→理赔决定）：当前为“{now}”，不能办理“{wanted}”")
    not_after_today(label, on, today)
    previous = accident.steps.order_by("-on", "-id").first()
    if previous is None:
        not_before(label, on, "事故日期", accident.occurred_on)
    else:
        not_before(label, on, f"上一环节（{MOVE_LABELS[previous.to_state]}）日期", previous.on)
    _amount_check(to, amount, note)
    step = ClaimStep(
        accident=accident,
        from_state=accident.state,
        to_state=to,
        on=on,
        amount=amount,
        note=note.strip(),
        actor=actor,
    )
    full_clean(step)
    step.save()
    accident.state, accident.amount = to, amount
    accident.save(update_fields=["state", "amount"])
    return accident


def _scoped(user: AnyUser, queryset: QuerySet[M], village_path: str) -> QuerySet[M]:
    """A village user's village; everyone else's townships (townships.access)."""
    if has_role(user, Role.VILLAGE):
        return scope_by_village(user, queryset, village_path)
    return scope_by_township(user, queryset)


def accidents_for(user: AnyUser) -> QuerySet[Accident]:
    found = Accident.objects.select_related("person", "township", "village", "cover__policy")
    return _scoped(user, found, "village")


def accident_get(*, user: AnyUser, pk: int) -> Accident:
    return get_object_or_404(accidents_for(user), pk=pk)


def holder_get(*, user: AnyUser, pk: int) -> Placement:
    """A placement of the user's townships (a village user: of their village's posts), for
    recording its accident (404 outside them)."""
    found = Placement.objects.select_related("person", "township", "post__village")
    return get_object_or_404(_scoped(user, found, "post__village"), pk=pk)
