"""Entries written in bulk, and entries for looking at full ID numbers or asking about one.

django-auditlog records single saves through model signals. Imports, roster matches and
payroll computations write thousands of rows with COPY or set-based SQL, which no signal sees;
they describe their changes here and get the same entries, with the actor, route and
correlation id of the request or task they run in (audit.context)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from common.bulk import insert_rows
from townships.access import membership_of
from townships.models import Township

from .masking import mask
from .models import Entry
from .registry import MASKED, county_of_townships, subject

CREATE, UPDATE, DELETE, ACCESS = (
    Entry.Action.CREATE,
    Entry.Action.UPDATE,
    Entry.Action.DELETE,
    Entry.Action.ACCESS,
)


@dataclass
class Change:
    """One object's change: its fields before and after (None for a created or deleted one)."""

    pk: int
    label: str
    before: Mapping[str, object] | None
    after: Mapping[str, object] | None
    township_id: int | None = None
    county_id: int | None = None
    about: str = ""  # the subject, if not the object itself


def text(value: object) -> str:
    """A value as django-auditlog writes it in an entry (str(), None as "None")."""
    return str(value)


def diff(before: Mapping[str, object] | None, after: Mapping[str, object] | None) -> dict[str, list[str]]:
    """{field: [before, after]} for the fields that differ, ID and bank numbers masked."""
    if before is None:  # a new object: its fields that are not empty or None (10,000 at a time on imports)
        return {
            name: ["None", mask(v) if name in MASKED else v]
            for name, value in (after or {}).items()
            if (v := value if type(value) is str else str(value)) not in ("", "None")
        }
    changes = {}
    for name in after if after is not None else before:
        old = text(before[name])
        new = text(after[name]) if after is not None else "None"
        if old != new:
            changes[name] = [mask(old), mask(new)] if name in MASKED else [old, new]
    return changes


def context() -> dict[str, object]:
    """The actor, address and route of the request or task this code runs in."""
    current = auditlog_value.get({})
    actor = current.get("actor")
    return {
        "actor_id": getattr(actor, "pk", None),
        "remote_addr": current.get("remote_addr"),
        "via": current.get("via", ""),
        "cid": get_cid(),
        "additional_data": current.get("additional_data", lambda: None)(),  # the agency (audit.context)
    }


COLUMNS = [
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "action",
    "changes",
    "changes_text",
    "county_id",
    "township_id",
    "subject",
    "actor_id",
    "remote_addr",
    "via",
    "cid",
    "timestamp",
    "additional_data",
]


def write(model: type[models.Model], changes: Iterable[Change]) -> int:
    """Record the changes of many `model` objects at once (COPY on PostgreSQL); an object whose
    fields did not change gets no entry. Returns how many entries were written."""
    kind = ContentType.objects.get_for_model(model).pk
    here = context()
    now = timezone.now()
    rows: list[Sequence[object]] = []
    pending = list(changes)
    counties = county_of_townships({c.township_id for c in pending if c.township_id and not c.county_id})
    for change in pending:
        fields = diff(change.before, change.after)
        if not fields:
            continue
        action = CREATE if change.before is None else DELETE if change.after is None else UPDATE
        county = change.county_id or counties.get(change.township_id)  # type: ignore[arg-type]  # a None township id finds no county
        rows.append(
            (
                kind,
                str(change.pk),
                change.pk,
                change.label,
                action,
                fields,
                "",
                county,
                change.township_id,
                change.about or subject(model, change.pk),
                here["actor_id"],
                here["remote_addr"],
                here["via"],
                here["cid"],
                now,
                here["additional_data"],
            )
        )
    insert_rows(Entry, COLUMNS, rows)
    return len(rows)


def access(obj: models.Model, what: str, *, rows: int | None = None) -> Entry:
    """Record that the current user saw or took away full ID or bank numbers of `obj` (a person,
    an agreement, a run's workbook), or read it through the JSON API or the supervision pages
    (a county, or the reader for an area): what, and how many rows."""
    note = what if rows is None else f"{what}（{rows}行）"
    scope = {"county_id": obj.pk} if obj._meta.label == "townships.County" else {}
    here = context()
    return Entry.objects.log_create(  # type: ignore[return-value]  # force_log: log_create always writes and returns the entry
        obj,
        action=ACCESS,
        changes={"查看": ["", note]},
        force_log=True,
        via=here["via"],
        actor_id=here["actor_id"],
        remote_addr=here["remote_addr"],
        **scope,
    )


def asked(note: str, *, township: Township | None = None) -> Entry:
    """Record that the current user asked about an ID number without seeing it whole: a search
    by number, or whether a number is registered in another township. `note` names the number by
    its masked ends only. The entry is on the asker (their user, as their role changes are), in
    `township` or else the township or county of their membership, so the county log lists it.
    Write it outside any transaction the refusal rolls back."""
    here = context()
    asker = User.objects.filter(pk=here["actor_id"]).first() if here["actor_id"] else None  # type: ignore[misc]  # actor_id is a user id or None (checked)
    membership = membership_of(asker) if asker is not None else None
    township = township or (membership.township if membership else None)
    county_id = township.county_id if township else (membership.county_id if membership else None)
    obj = asker or township
    if obj is None:
        raise ValueError("an ID number was asked about with neither a user nor a township")
    return Entry.objects.log_create(  # type: ignore[return-value]  # force_log: log_create always writes and returns the entry
        obj,
        action=ACCESS,
        changes={"查询": ["", note]},
        force_log=True,
        via=here["via"],
        actor_id=here["actor_id"],
        remote_addr=here["remote_addr"],
        county_id=county_id,
        township_id=township.pk if township else None,
        subject=subject(type(obj), obj.pk),
    )
