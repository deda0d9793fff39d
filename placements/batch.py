"""A step of the procedure for one application or for a ticked list at once (docs/policy.md §5.10).

`step_one` checks that the application is still at the step the page offered (a second click of
the same button, or a page left open while a colleague did the step, is told so) and calls the
step's own service. `step_many` does the same for every application of a list in one
transaction: each item in its own savepoint, so that every failing applicant is found and named,
and if any fails the whole list is rolled back and nothing changes. The rules stay in the single
services (placements/services.py): a list is only a loop over them, and each item writes the
same history row and audit entries as when it is done on its own.

County approval is not here: HR approves a list with each application decided on its own
(docs/policy.md §5.6, services.approve)."""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from . import services
from .models import Application, Step
from .procedure import STEP_LABELS


@dataclass(frozen=True)
class BatchStep:
    source: str  # the step an application is at when this one may be done
    target: str
    service: Callable[..., Any]
    renames: tuple[tuple[str, str], ...] = ()  # a form's field → the service's keyword


STEPS: dict[str, BatchStep] = {
    "approve": BatchStep(Step.PUBLICIZED, Step.APPROVED, services.approve_one),
    "agree": BatchStep(Step.APPROVED, Step.AGREED, services.agreement_sign),
    "train": BatchStep(Step.AGREED, Step.TRAINED, services.training_record),
    "place": BatchStep(Step.TRAINED, Step.PLACED, services.placement_start, (("on", "on_post_date"),)),
}


class BatchRefused(ValidationError):
    """Some items of a list were refused; nothing of the list was done. `failures` names each
    refused application with its reasons."""

    def __init__(self, failures: list[tuple[Application, str]]) -> None:
        self.failures = failures
        super().__init__([f"{application.person.name}：{reason}" for application, reason in failures])


def still_at(application: Application, step: BatchStep) -> None:
    """Refuse a step the application has already left (or not reached): a double submission or a
    stale page, said in words rather than as an illegal move."""
    application.refresh_from_db(fields=["step"])
    if application.step != step.source:
        raise ValidationError(
            f"{application.person.name}的申请当前环节为「{STEP_LABELS[application.step]}」，"
            f"不能办理「{STEP_LABELS[step.target]}」（可能已办理过或页面已过期，请刷新后再看），本次未作更改"
        )


@transaction.atomic
def step_one(*, name: str, application: Application, actor: User, today: dt.date, **fields: Any) -> Any:
    """The step `name` (a key of STEPS) for one application, by its service, with `fields` (the
    step's own: dates, hours, content)."""
    step = STEPS[name]
    still_at(application, step)
    for form_name, keyword in step.renames:
        fields[keyword] = fields.pop(form_name)
    return step.service(application=application, actor=actor, today=today, **fields)


@dataclass
class EachOutcome:
    done: list[Any] = field(default_factory=list)
    refused: list[tuple[Application, str]] = field(default_factory=list)


def step_each(
    *, name: str, applications: Sequence[Application], actor: User, today: dt.date, **fields: Any
) -> EachOutcome:
    """The step `name` for every application of the list, each decided on its own (its own
    transaction): a refusal names its reason and does not stop the others. County approval of a
    list works so (docs/policy.md §5.6)."""
    outcome = EachOutcome()
    for application in sorted(applications, key=lambda a: a.pk):
        try:
            outcome.done.append(
                step_one(name=name, application=application, actor=actor, today=today, **fields)
            )
        except ValidationError as exc:
            outcome.refused.append((application, "；".join(exc.messages)))
    return outcome


@transaction.atomic
def step_many(
    *, name: str, applications: Sequence[Application], actor: User, today: dt.date, **fields: Any
) -> list[Any]:
    """The step `name` for every application of the list with the same `fields`, all or nothing:
    BatchRefused naming every applicant refused and why, and nothing changed; else what each
    service made, in the order of the applications' ids."""
    if not applications:
        raise ValidationError("请至少选择一名人员")
    done, failures = [], []
    for application in sorted(applications, key=lambda a: a.pk):
        try:
            with transaction.atomic():
                done.append(step_one(name=name, application=application, actor=actor, today=today, **fields))
        except ValidationError as exc:
            failures.append((application, "；".join(exc.messages)))
    if failures:
        raise BatchRefused(failures)  # leaving the atomic block rolls back the items that succeeded
    return done
