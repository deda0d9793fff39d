"""Writes for people, their group claims and department rosters. Each service validates
everything first and writes nothing when anything is wrong (ValidationError, in Chinese)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from audit import record as audit
from common.idcard import IdNumberError, parse_id_number
from common.retirement import default_category
from townships.models import County, Township, Village

from . import selectors, validators
from .models import (
    GROUP_ROSTER,
    EligibilityRule,
    GroupClaim,
    Person,
    Roster,
    RosterEntry,
    RosterKind,
    TargetGroup,
)


@dataclass
class PersonData:
    """What a clerk enters for a person (form or spreadsheet row), before validation."""

    name: str
    id_number: str
    village: str  # village name within the township
    groups: list[str]
    phone: str = ""
    address: str = ""
    household_no: str = ""
    bank_account: str = ""
    bank_name: str = ""
    note: str = ""
    retirement_category: str = ""


GROUP_VALUES = frozenset(
    TargetGroup.values
)  # Django builds .values anew on every access (docs/performance.md P4)
TEXT_FIELDS = (
    ("address", "户籍地址", 200),
    ("household_no", "户号", 40),
    ("bank_name", "开户银行", 80),
    ("note", "备注", 200),
)


def _clean(errors: dict[str, list[str]], field: str, func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except (ValueError, IdNumberError) as exc:
        errors.setdefault(field, []).append(str(exc))
        return None


def person_fields_clean(*, township: Township, data: PersonData, villages: dict[str, Village]) -> dict:
    """Validated model field values for `data`; ValidationError keyed by field otherwise.
    `villages` maps names to the township's villages (callers prefetch it once)."""
    errors: dict[str, list[str]] = {}
    parsed = _clean(errors, "id_number", parse_id_number, data.id_number)
    values = {
        "name": _clean(errors, "name", validators.clean_name, data.name),
        "phone": _clean(errors, "phone", validators.clean_phone, data.phone),
        "bank_account": _clean(errors, "bank_account", validators.clean_bank_account, data.bank_account),
    }
    for name, label, limit in TEXT_FIELDS:
        clean = validators.clean_plain_text
        values[name] = _clean(errors, name, clean, getattr(data, name), label=label, max_length=limit)
    village = villages.get(data.village.strip())
    if not data.village.strip():
        errors.setdefault("village", []).append("村（社区）不能为空")
    elif village is None:
        errors.setdefault("village", []).append(f"「{data.village}」不是{township.name}的村（社区）")
    if not data.groups:
        errors.setdefault("groups", []).append("人员类别不能为空")
    for group in data.groups:
        if group not in GROUP_VALUES:
            errors.setdefault("groups", []).append(f"人员类别「{group}」不在规定的安置对象类别中")
    if errors:
        raise ValidationError(errors)
    values.update(
        id_number=parsed.number,
        sex=parsed.sex,
        birth_date=parsed.birth_date,
        township=township,
        village=village,
        retirement_category=data.retirement_category or default_category(parsed.sex).value,
    )
    return values


def township_villages(township: Township) -> dict[str, Village]:
    return {v.name: v for v in township.villages.all()}


def latest_roster(county: County, kind: str) -> Roster | None:
    return Roster.objects.filter(county=county, kind=kind).order_by("-roster_date", "-id").first()


def initial_claim_status(
    *, group: str, id_number: str, rosters: dict[RosterKind, Roster | None]
) -> tuple[str, Roster | None]:
    """A new claim's status: no roster needed; pending until the roster exists; else matched or not."""
    kind = GROUP_ROSTER.get(group)
    if kind is None:
        return GroupClaim.Status.NOT_REQUIRED, None
    roster = rosters.get(kind)
    if roster is None:
        return GroupClaim.Status.PENDING, None
    found = roster.entries.filter(id_number=id_number).exists()
    return (GroupClaim.Status.VERIFIED if found else GroupClaim.Status.UNVERIFIED), roster


def claims_set(*, person: Person, groups: Iterable[tuple[str, str]]) -> None:
    """Make the person's claims exactly `groups` (group, evidence), keeping manual decisions."""
    wanted = dict(groups)
    person.claims.exclude(group__in=wanted).delete()
    existing = {c.group: c for c in person.claims.all()}
    county = person.township.county
    rosters = {kind: latest_roster(county, kind) for kind in set(GROUP_ROSTER.values())}
    for group, evidence in wanted.items():
        if group in existing:
            claim = existing[group]
            if claim.evidence != evidence:
                claim.evidence = evidence
                claim.save(update_fields=["evidence"])
            continue
        status, roster = initial_claim_status(group=group, id_number=person.id_number, rosters=rosters)
        GroupClaim.objects.create(person=person, group=group, evidence=evidence, status=status, roster=roster)


def _flags_for(person: Person) -> None:
    county = person.township.county
    for kind, attr in ((RosterKind.DEATHS, "on_death_roster"), (RosterKind.PENSIONS, "on_pension_roster")):
        roster = latest_roster(county, kind)
        setattr(person, attr, bool(roster and roster.entries.filter(id_number=person.id_number).exists()))


def person_create(*, township: Township, data: PersonData) -> Person:
    """Register a person in a township. One person per ID number in the whole deployment."""
    values = person_fields_clean(township=township, data=data, villages=township_villages(township))
    # before the transaction: an answer about another township's number is recorded, refused or not
    if refusal := selectors.registration_refusal(township=township, number=values["id_number"]):
        raise ValidationError({"id_number": [refusal]})
    with transaction.atomic():
        person = Person(**values)
        _flags_for(person)
        person.save()
        claims_set(person=person, groups=[(g, "") for g in data.groups])
    return person


def person_update(*, person: Person, data: PersonData, actor: User) -> Person:
    """Change a person's details; the ID number itself cannot change to another's. A different
    bank account (or bank) is not changed here: it becomes a change waiting for a second person's
    confirmation (people.bank)."""
    from .bank import bank_change_request

    values = person_fields_clean(
        township=person.township, data=data, villages=township_villages(person.township)
    )
    number = values["id_number"]  # before the transaction, as in person_create
    if refusal := selectors.registration_refusal(township=person.township, number=number, person=person):
        raise ValidationError({"id_number": [refusal]})
    account, bank = values.pop("bank_account"), values.pop("bank_name")
    with transaction.atomic():
        if (account, bank) != (person.bank_account, person.bank_name):
            bank_change_request(person=person, bank_account=account, bank_name=bank, actor=actor)
        for name, value in values.items():
            setattr(person, name, value)
        _flags_for(person)
        person.save()
        claims_set(person=person, groups=[(g, "") for g in data.groups])
        placement_terms_refresh([person.pk])  # a corrected ID number, other groups
    return person


def placement_terms_refresh(person_ids: list[int]) -> None:
    """A holder's age alert and groups follow their birth date, category and claims, stored on
    their placements (placements.terms.stored_terms_refresh). People come before placements, so
    this call after a person's edit or import is the one way back."""
    from placements.terms import stored_terms_refresh

    stored_terms_refresh(person_ids=person_ids)


@transaction.atomic
def claim_decide(*, claim: GroupClaim, accepted: bool, note: str, actor: User) -> GroupClaim:
    """A manual decision on a claim with no roster match; the note is required."""
    if not note.strip():
        raise ValidationError({"decision_note": ["人工认定必须填写说明（依据的证明材料）"]})
    claim.status = GroupClaim.Status.ACCEPTED if accepted else GroupClaim.Status.REJECTED
    claim.decision_note = note.strip()
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    claim.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
    return claim


@transaction.atomic
def roster_import(
    *,
    county: County,
    kind: str,
    roster_date: dt.date,
    entries: list[tuple[str, str]],
    file_name: str,
    actor: User | None,
) -> Roster:
    """Store a department roster (ID number, name) and re-verify the county's claims or flags."""
    roster = Roster.objects.create(
        county=county,
        kind=kind,
        roster_date=roster_date,
        file_name=file_name,
        row_count=len(entries),
        imported_by=actor,
    )
    RosterEntry.objects.bulk_create(
        [RosterEntry(roster=roster, id_number=number, name=name) for number, name in entries], batch_size=2000
    )
    roster_apply(county=county, kind=kind)
    return roster


def roster_apply(*, county: County, kind: str) -> None:
    """Bring claims (or death/pension flags) of the county's people in line with the latest
    roster of `kind`. Manual decisions stay. Two UPDATE statements whatever the size."""
    roster = latest_roster(county, kind)
    if roster is None:
        return
    on_roster = Exists(RosterEntry.objects.filter(roster=roster, id_number=OuterRef("id_number")))
    people = Person.objects.filter(township__county=county)
    if kind in (RosterKind.DEATHS, RosterKind.PENSIONS):
        attr = "on_death_roster" if kind == RosterKind.DEATHS else "on_pension_roster"
        flags_set(people.filter(on_roster), attr, True)
        flags_set(people.exclude(on_roster), attr, False)
        return
    groups = [g for g, k in GROUP_ROSTER.items() if k == kind]
    automatic = [GroupClaim.Status.PENDING, GroupClaim.Status.VERIFIED, GroupClaim.Status.UNVERIFIED]
    claims = GroupClaim.objects.filter(group__in=groups, status__in=automatic, person__in=people)
    matched = Exists(RosterEntry.objects.filter(roster=roster, id_number=OuterRef("person__id_number")))
    for chosen, status in (
        (claims.filter(matched), GroupClaim.Status.VERIFIED),
        (claims.exclude(matched), GroupClaim.Status.UNVERIFIED),
    ):
        changing = chosen.exclude(status=status).values_list(
            "pk", "person_id", "person__township_id", "status"
        )
        audit.write(
            GroupClaim,
            [
                audit.Change(
                    pk,
                    "人员类别",
                    {"status": old},
                    {"status": status.value},
                    township,
                    about=audit.subject(Person, person),
                )
                for pk, person, township, old in changing.iterator(chunk_size=5000)
            ],
        )
        chosen.update(status=status, roster=roster)


def flags_set(people: QuerySet[Person], attr: str, value: bool) -> None:
    """Set a roster flag on `people`, recording each person whose flag changes."""
    changing = people.exclude(**{attr: value})
    audit.write(
        Person,
        [
            audit.Change(pk, name, {attr: not value}, {attr: value}, township)
            for pk, name, township in changing.values_list("pk", "name", "township_id").iterator(
                chunk_size=5000
            )
        ],
    )
    changing.update(**{attr: value})


RULE_FIELDS = ("sex", "min_age_male", "max_age_male", "min_age_female", "max_age_female", "up_to_retirement")


@transaction.atomic
def eligibility_rules_load(*, data: dict) -> int:
    """Create or update dated eligibility rules (keyed by county, line, group, start date)."""
    counties = {c.code: c for c in County.objects.all()}
    for item in data["rules"]:
        defaults = {name: item.get(name) for name in RULE_FIELDS}
        defaults["sex"] = defaults["sex"] or ""
        defaults["up_to_retirement"] = bool(defaults["up_to_retirement"])
        defaults.update(valid_to=item["valid_to"], document=item["document"])
        rule, _ = EligibilityRule.objects.update_or_create(
            county=counties[item["county"]],
            line=item["line"],
            group=item["group"],
            valid_from=item["valid_from"],
            defaults=defaults,
        )
        rule.full_clean()
    return len(data["rules"])
