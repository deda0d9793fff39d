"""The eight steps as moves of one application (docs/policy.md §5.1).

`MOVES` is the whole map: which step may follow which, who may make the move, and whether the
move approves the step before it (then its maker may not make it: maker ≠ checker). Every step
service goes through `move()`, which checks the map, the role, the scope and maker ≠ checker,
and writes the history row. Rejection and withdrawal are possible from every open step, with a
reason. Nothing else changes an application's step.

Dates run forward (docs/policy.md §6.1, §6.2): `move()` refuses a step dated after today, and each service
checks its own order against the steps before (placements/dates.py), naming both dates.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from common.validation import full_clean
from townships.access import membership_of
from townships.models import Role

from .dates import DATE_LABELS, not_after_today
from .models import OPEN_STEPS, Application, Step, Transition


@dataclass(frozen=True)
class Move:
    roles: tuple[str, ...]
    checks_previous: bool = False  # approves the previous step: its maker may not make this move


MOVES: dict[tuple[str, str], Move] = {
    (Step.APPLIED, Step.REVIEWED): Move((Role.CLERK,), checks_previous=True),
    (Step.REVIEWED, Step.PUBLICIZED): Move((Role.CLERK,)),
    (Step.PUBLICIZED, Step.APPROVED): Move((Role.HR,), checks_previous=True),
    (Step.APPROVED, Step.AGREED): Move((Role.CLERK,)),
    (Step.AGREED, Step.TRAINED): Move((Role.CLERK,)),
    (Step.TRAINED, Step.PLACED): Move((Role.CLERK,)),
    (Step.PLACED, Step.EXITED): Move((Role.CLERK, Role.HR)),
}
for _step in OPEN_STEPS:
    MOVES[(_step, Step.REJECTED)] = Move((Role.CLERK, Role.HR))
    MOVES[(_step, Step.WITHDRAWN)] = Move((Role.CLERK,))
NEEDS_REASON = {Step.REJECTED, Step.WITHDRAWN, Step.EXITED}
STEP_LABELS = dict(Step.choices)
ROLE_LABELS = dict(Role.choices)


def next_step(step: str) -> str | None:
    """The forward step after `step` (None at the end)."""
    for (source, target), _ in MOVES.items():
        if source == step and target not in (Step.REJECTED, Step.WITHDRAWN):
            return target
    return None


def actor_may_act(actor: User, application: Application) -> bool:
    """Clerks act in their own township; HR in their county."""
    membership = membership_of(actor)
    if membership is None:
        return False
    if membership.role == Role.CLERK:
        return membership.township_id == application.township_id
    return membership.county_id == application.township.county_id


def move(
    application: Application,
    to: str,
    *,
    actor: User,
    on: dt.date,
    note: str = "",
    evidence: str = "",
    today: dt.date | None = None,
) -> Transition:
    """Move `application` to step `to` on the business date `on` (not after `today`, the
    machine's date unless the request's), or raise ValidationError saying why not. The caller
    holds a transaction and has locked the application row (select_for_update)."""
    source = application.step
    rule = MOVES.get((source, to))
    if rule is None:
        expected = next_step(source)
        hint = f"，下一环节应为「{STEP_LABELS[expected]}」" if expected else ""
        raise ValidationError(f"不能从「{STEP_LABELS[source]}」直接进入「{STEP_LABELS[to]}」{hint}。")
    membership = membership_of(actor)
    if membership is None or membership.role not in rule.roles:
        allowed = "、".join(ROLE_LABELS[r] for r in rule.roles)
        raise ValidationError(f"「{STEP_LABELS[to]}」须由{allowed}办理。")
    if not actor_may_act(actor, application):
        raise ValidationError("无权办理其他乡镇（街道）或区县的申请。")
    if rule.checks_previous:
        last = application.history.filter(to_step=source).order_by("-at", "-id").first()
        if last is not None and last.actor_id == actor.pk:
            raise ValidationError(
                f"「{STEP_LABELS[source]}」由您本人办理，不能由您本人审核通过（经办与审核须为不同人员）。"
            )
    if to in NEEDS_REASON and not note.strip():
        raise ValidationError(f"「{STEP_LABELS[to]}」必须填写原因。")
    not_after_today(DATE_LABELS.get(to, "办理日期"), on, today)
    transition = Transition(
        application=application,
        from_step=source,
        to_step=to,
        actor=actor,
        on=on,
        note=note.strip(),
        evidence=evidence,
    )
    full_clean(transition)  # a reason or a file name longer than its column is refused, not a 500
    application.step = to
    if to in (Step.REJECTED, Step.WITHDRAWN, Step.EXITED):
        application.holds_post = False
    application.save(update_fields=["step", "holds_post"])
    transition.save()
    return transition
