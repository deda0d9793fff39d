"""Bank accounts are changed by two people (docs/policy.md §10): one user enters the new account, another
clerk of the person's township or an HR officer of its county confirms it, and only then does the
person's account change. Payments of open months read the person's account; a locked month keeps
the account it was paid to (frozen on its lines by subsidies.payroll.payees_freeze)."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit import record as audit
from townships.access import membership_of
from townships.models import Role

from . import validators
from .models import BankAccountChange, Person

State = BankAccountChange.State


def bank_change_request(
    *, person: Person, bank_account: str, bank_name: str, actor: User
) -> BankAccountChange:
    """Enter a new account for `person`, waiting for a second person's confirmation. Refused when
    it equals the current one or another change is still waiting."""
    try:
        account = validators.clean_bank_account(bank_account)
        bank = validators.clean_plain_text(bank_name, label="开户银行", max_length=80)
    except ValueError as exc:
        raise ValidationError({"bank_account": [str(exc)]}) from None
    if not account:
        raise ValidationError({"bank_account": ["新银行账号不能为空"]})
    if (account, bank) == (person.bank_account, person.bank_name):
        raise ValidationError({"bank_account": ["新银行账号、开户银行与现登记的相同"]})
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=person.pk)  # one waiting change, even at once
        if person.bank_changes.filter(state=State.PENDING).exists():
            raise ValidationError({"bank_account": ["该人员已有一项待确认的银行账号变更，请先确认或退回"]})
        return BankAccountChange.objects.create(
            person=person,
            bank_account=account,
            bank_name=bank,
            previous_account=person.bank_account,
            previous_bank_name=person.bank_name,
            requested_by=actor,
        )


def may_confirm(user: User, change: BankAccountChange) -> bool:
    """Whether `user` may confirm `change`: not who entered it; a clerk of the person's township
    or an HR officer of its county."""
    membership = membership_of(user)
    if membership is None or user.pk == change.requested_by_id:
        return False
    township = change.person.township
    if membership.role == Role.CLERK:
        return membership.township_id == township.pk
    return membership.role == Role.HR and membership.county_id == township.county_id


@transaction.atomic
def bank_change_decide(*, change: BankAccountChange, confirm: bool, actor: User, note: str = "") -> Person:
    """Confirm the waiting change (the person's account becomes the new one, recorded in the audit
    log) or send it back with a reason; the one who entered it may only withdraw it."""
    change = (
        BankAccountChange.objects.select_for_update().select_related("person__township").get(pk=change.pk)
    )
    if change.state != State.PENDING:
        raise ValidationError(f"该变更已{change.get_state_display()}，不能再处理")
    if confirm and not may_confirm(actor, change):
        raise ValidationError("银行账号变更须由录入人以外的本乡镇经办人或区人社局人员确认")
    if not confirm and actor.pk != change.requested_by_id and not may_confirm(actor, change):
        raise ValidationError("只有录入人或可确认的人员能退回该变更")
    if not confirm and not note.strip():
        raise ValidationError("退回变更须写明原因")
    person = change.person
    if confirm and (person.bank_account, person.bank_name) != (
        change.previous_account,
        change.previous_bank_name,
    ):
        raise ValidationError("录入变更后账号已有其他变动，请退回后重新录入")
    change.state = State.CONFIRMED if confirm else State.REJECTED
    change.decided_by, change.decided_at, change.decision_note = actor, timezone.now(), note.strip()[:200]
    change.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    if confirm:
        person.bank_account, person.bank_name = change.bank_account, change.bank_name
        person.save(update_fields=["bank_account", "bank_name", "updated_at"])
    return person


def bank_changes_enter(changes: list[tuple[int, str, str]], *, actor: User) -> int:
    """Enter a file's new bank accounts of existing people, (person id, account, bank), as changes
    by `actor` waiting for a second person (the imports: applicants, 新老衔接); a person whose
    change already waits keeps it, and an account equal to the current one enters nothing.
    Written in bulk with one audit entry per change."""
    current = Person.objects.in_bulk([pk for pk, _, _ in changes])
    waiting = set(
        BankAccountChange.objects.filter(person_id__in=list(current), state=State.PENDING).values_list(
            "person_id", flat=True
        )
    )
    created = BankAccountChange.objects.bulk_create(
        BankAccountChange(
            person_id=pk,
            bank_account=account,
            bank_name=bank,
            previous_account=current[pk].bank_account,
            previous_bank_name=current[pk].bank_name,
            requested_by=actor,
        )
        for pk, account, bank in changes
        if pk not in waiting and (account, bank) != (current[pk].bank_account, current[pk].bank_name)
    )
    keys = ("bank_account", "bank_name", "previous_account", "previous_bank_name", "state")
    entries = []
    for change in created:
        after = {key: getattr(change, key) for key in keys}
        town, about = current[change.person_id].township_id, audit.subject(Person, change.person_id)
        entries.append(audit.Change(change.pk, "银行账号变更", None, after, town, about=about))
    audit.write(BankAccountChange, entries)
    return len(created)
