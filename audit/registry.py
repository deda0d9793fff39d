"""What the audit log tracks, and where each entry belongs.

TRACKED maps each model to the fields left out of its entries (bookkeeping that changes on
every save) and to its scope: the township or county an auditor filters by, and the subject,
the object whose 修改记录 page lists the entry. ID and bank numbers are masked in every entry
(audit.masking). Single saves go through django-auditlog's signals; bulk writes go through
audit.record with the same masks and scopes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from auditlog.registry import auditlog
from django.apps import apps
from django.db import models

MASKED = ["id_number", "bank_account", "previous_account"]


def subject(model: type[models.Model] | str, pk: object) -> str:
    """The subject key of an object: "app.model:pk"."""
    label = model.lower() if isinstance(model, str) else model._meta.label_lower
    return f"{label}:{pk}"


@dataclass(frozen=True)
class Tracked:
    # (township id, county id, subject) of an instance; None where the entry has no such scope
    scope: Callable[[Any], tuple[int | None, int | None, str]]  # Any: each model's own fields
    exclude: list[str] = field(default_factory=list)
    # False where the model is only written in bulk and records through audit.record: with
    # django-auditlog's signals connected, Django deletes a queryset row by row.
    signals: bool = True


def _own_township(obj: Any) -> tuple[int | None, int | None, str]:
    return obj.township_id, None, subject(type(obj), obj.pk)


def _own_county(obj: Any) -> tuple[int | None, int | None, str]:
    return None, obj.county_id, subject(type(obj), obj.pk)


TRACKED: dict[str, Tracked] = {
    # birth date and sex come from the ID number; beside its masked form they would give it back
    "people.Person": Tracked(_own_township, exclude=["updated_at", "created_at", "birth_date", "sex"]),
    "people.GroupClaim": Tracked(
        lambda c: (c.person.township_id, None, subject("people.Person", c.person_id)), exclude=["roster"]
    ),
    "people.BankAccountChange": Tracked(
        lambda c: (c.person.township_id, None, subject("people.Person", c.person_id)),
        exclude=["requested_at"],
    ),
    "posts.Post": Tracked(_own_township),
    "placements.Application": Tracked(_own_township, exclude=["created_at"]),
    "placements.Agreement": Tracked(
        lambda a: (a.application.township_id, None, subject("placements.Application", a.application_id))
    ),
    "placements.Training": Tracked(
        lambda t: (t.application.township_id, None, subject("placements.Application", t.application_id))
    ),
    "placements.Placement": Tracked(_own_township),
    # accident insurance and follow-up after exit (docs/policy.md §7.9, §7.10); a policy's people
    # covered are written in bulk with it and read from the policy
    "placements.InsurancePolicy": Tracked(_own_county, exclude=["recorded_at"]),
    "placements.Accident": Tracked(_own_township, exclude=["recorded_at"]),
    "placements.ClaimStep": Tracked(
        lambda s: (s.accident.township_id, None, subject("placements.Accident", s.accident_id)),
        exclude=["at"],
    ),
    "placements.ExitReferral": Tracked(
        lambda r: (r.placement.township_id, None, subject("placements.Placement", r.placement_id)),
        exclude=["created_at"],
    ),
    "placements.FollowUp": Tracked(
        lambda f: (
            f.referral.placement.township_id,
            None,
            subject("placements.Placement", f.referral.placement_id),
        ),
        exclude=["recorded_at"],
    ),
    "placements.FollowUpSetting": Tracked(_own_county),
    "subsidies.Attendance": Tracked(
        lambda a: (a.placement.township_id, None, subject("placements.Placement", a.placement_id)),
        exclude=["recorded_at", "confirmed_at"],  # times; a confirmation shows its confirmed_by
    ),
    # a village's month of attendance: each move (submitted, confirmed, returned with its reason)
    "subsidies.AttendanceSheet": Tracked(
        lambda s: (s.village.township_id, None, subject("subsidies.AttendanceSheet", s.pk))
    ),
    "subsidies.SubsidyPolicy": Tracked(_own_county),
    "subsidies.MinimumWage": Tracked(_own_county),
    "subsidies.SocialInsurancePolicy": Tracked(_own_county),
    "people.EligibilityRule": Tracked(_own_county),
    "people.WiderScope": Tracked(_own_county),
    "subsidies.PayrollRun": Tracked(_own_county, exclude=["job"]),  # its progress is its job's
    "subsidies.PayrollLine": Tracked(
        lambda line: (line.township_id, None, subject("subsidies.PayrollRun", line.run_id)), signals=False
    ),
    "subsidies.Finding": Tracked(
        lambda f: (None, f.run.county_id, subject("subsidies.PayrollRun", f.run_id))
    ),
    # assessment and the bonus (docs/policy.md §8.14, §9.10): the county's schemes and rules, each
    # score entered or corrected (under its sheet), each sheet's and bonus list's moves
    "assessment.Scheme": Tracked(_own_county),
    "assessment.BonusRule": Tracked(_own_county),
    "assessment.Sheet": Tracked(_own_township),
    "assessment.Score": Tracked(
        lambda s: (s.sheet.township_id, None, subject("assessment.Sheet", s.sheet_id)), exclude=["updated_at"]
    ),
    "assessment.BonusRound": Tracked(_own_county, exclude=["proposed_at"]),
    # paying through the bank (docs/policy.md §9.11): the county's banks and layouts as the
    # administrator edits them, each batch's moves, repayments of amounts to recover
    "payments.Bank": Tracked(_own_county),
    "payments.BankLayout": Tracked(_own_county),
    "payments.LayoutColumn": Tracked(
        lambda c: (None, c.layout.county_id, subject("payments.BankLayout", c.layout_id))
    ),
    "payments.Batch": Tracked(_own_county),
    "payments.Recovery": Tracked(lambda r: (r.township_id, None, subject("payments.Recovery", r.pk))),
    "payments.Settlement": Tracked(
        lambda s: (s.recovery.township_id, None, subject("payments.Recovery", s.recovery_id))
    ),
    # a county's settings: who moves money (payroll_two_people and its reason), limits, alerts
    "townships.County": Tracked(lambda c: (None, c.pk, subject("townships.County", c.pk))),
    "townships.Plan": Tracked(_own_county),
    "townships.Quota": Tracked(lambda q: (q.township_id, None, subject("townships.Plan", q.plan_id))),
    # plans across years (docs/policy.md §2.5, §2.6): each version and five-year target as entered
    "townships.PlanVersion": Tracked(
        lambda v: (None, v.plan.county_id, subject("townships.Plan", v.plan_id)), exclude=["recorded_at"]
    ),
    "townships.FiveYearPlan": Tracked(_own_county),
    "townships.FiveYearPlanYear": Tracked(
        lambda y: (None, y.five_year_plan.county_id, subject("townships.FiveYearPlan", y.five_year_plan_id))
    ),
    "townships.Membership": Tracked(lambda m: (m.township_id, m.county_id, subject("auth.User", m.user_id))),
}


def register_all() -> None:
    for label, tracked in TRACKED.items():
        if not tracked.signals:
            continue
        model = apps.get_model(label)
        masked = [f.name for f in model._meta.concrete_fields if f.name in MASKED]
        auditlog.register(model, exclude_fields=tracked.exclude, mask_fields=masked)


def county_of_townships(township_ids: set[int]) -> dict[int, int]:
    from townships.models import Township

    return dict(Township.objects.filter(pk__in=township_ids).values_list("pk", "county_id"))


def scope_of(instance: models.Model) -> dict[str, object]:
    """The entry fields county, township and subject of a tracked instance."""
    tracked = TRACKED.get(instance._meta.label)
    if tracked is None:
        return {}
    township_id, county_id, about = tracked.scope(instance)
    if county_id is None and township_id is not None:
        county_id = county_of_townships({township_id}).get(township_id)
    return {"county_id": county_id, "township_id": township_id, "subject": about}
