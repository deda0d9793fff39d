"""Reads of the audit log: the county log for auditors and an object's 修改记录.

Both read through the scoping gate: the county log shows the entries of the user's counties,
an object's page first fetches the object through its own scoped getter (404 outside scope)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from common.params import pk_of
from people.models import Person
from people.selectors import person_get
from placements.models import Application, Placement
from placements.selectors import application_get
from posts.models import Post
from subsidies.models import PayrollRun, SubsidyPolicy
from townships.access import (
    administers_every_county,
    has_role,
    require_role,
    scope_by_county,
    scope_by_township,
    township_pk,
    visible_counties,
)
from townships.models import Plan, Role

from .models import ACTIONS, Entry
from .registry import TRACKED, subject

AnyUser = User | AnonymousUser

Getter = Callable[[AnyUser, int], Model]


def _in_township(model: type[Model]) -> Getter:
    return lambda user, pk: get_object_or_404(scope_by_township(user, model.objects.all()), pk=pk)  # type: ignore[attr-defined]  # every audited model has the default manager objects


def _in_county(model: type[Model]) -> Getter:
    return lambda user, pk: get_object_or_404(scope_by_county(user, model.objects.all()), pk=pk)  # type: ignore[attr-defined]  # every audited model has the default manager objects


# Who may see county-level objects' records (as their own pages): not the township clerks.
COUNTY_READERS = (Role.HR, Role.FINANCE, Role.AUDITOR, Role.COUNTY_ADMIN)
# The objects with a 修改记录 page: URL kind → (model, scoped getter, roles; empty: any role).
SUBJECTS: dict[str, tuple[type[Model], Getter, tuple[str, ...]]] = {
    "person": (Person, lambda user, pk: person_get(user=user, pk=pk), ()),
    "application": (Application, lambda user, pk: application_get(user=user, pk=pk), ()),
    "placement": (Placement, _in_township(Placement), ()),
    "post": (Post, _in_township(Post), ()),
    "run": (PayrollRun, _in_county(PayrollRun), COUNTY_READERS),
    "policy": (SubsidyPolicy, _in_county(SubsidyPolicy), COUNTY_READERS),
    "plan": (Plan, _in_county(Plan), COUNTY_READERS),
}
KIND_OF_LABEL = {model._meta.label_lower: kind for kind, (model, _, _) in SUBJECTS.items()}
ACTION_LABEL = dict(ACTIONS)
EMPTY = {"None", ""}
YES_NO = {"True": "是", "False": "否"}
NOTES = {"lines": "明细行数"}  # keys of bulk writes' entries that are no model field


def subject_get(*, user: AnyUser, kind: str, pk: int) -> Model:
    """The object of a 修改记录 page, if the user may see it; 404 otherwise."""
    if kind not in SUBJECTS or has_role(user, Role.AGENCY):  # an agency reads no records (§1.5)
        raise Http404("没有这类对象的修改记录")
    _, getter, roles = SUBJECTS[kind]
    if roles:
        require_role(user, *roles)
    return getter(user, pk)


def object_entries(obj: Model) -> QuerySet[Entry]:
    """Entries about `obj` and its parts, newest first (the subject index)."""
    return Entry.objects.filter(subject=subject(type(obj), obj.pk)).order_by("-timestamp", "-id")


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def county_entries(
    *,
    user: AnyUser,
    township: str = "",
    kind: str = "",
    action: str = "",
    who: str = "",
    since: str = "",
    until: str = "",
) -> QuerySet[Entry]:
    """The entries of the user's counties (for the administrator of every county, also those of
    no county), filtered; ordered by the caller (Listing)."""
    counties = list(visible_counties(user).values_list("pk", flat=True))
    scope = Q(county_id__in=counties)
    if administers_every_county(user):  # and the entries of no county: the city and province users'
        scope |= Q(county_id__isnull=True)  # reads of their areas, their memberships (docs/policy.md §1.4)
    entries = Entry.objects.filter(scope).select_related("actor", "content_type", "township")
    if township:
        entries = entries.filter(township_id=township_pk(user, township))
    if kind in KINDS:
        entries = entries.filter(content_type=ContentType.objects.get_for_model(apps.get_model(KINDS[kind])))
    if action.isascii() and action.isdigit() and int(action) in ACTION_LABEL:
        entries = entries.filter(action=int(action))
    if who:
        entries = entries.filter(actor__username=who)
    if start := _day(since):
        entries = entries.filter(timestamp__date__gte=start)
    if end := _day(until):
        entries = entries.filter(timestamp__date__lte=end)
    return entries


# The county log's 对象类型 filter: URL key → model label ("person" → "people.Person").
KINDS = {label.split(".")[1].lower(): label for label in TRACKED}


def kind_choices() -> list[tuple[str, str]]:
    return [(key, str(apps.get_model(label)._meta.verbose_name)) for key, label in KINDS.items()]


@dataclass
class EntryRow:
    entry: Entry
    when: dt.datetime
    who: str
    via: str
    action: str
    kind: str
    name: str
    township: str
    changes: list[tuple[str, str, str]]  # field, before, after
    link: str  # the 修改记录 page of the entry's subject, if it has one

    @property
    def changes_text(self) -> str:
        return "；".join(f"{field}：{before} → {after}" for field, before, after in self.changes)


def _shown(value: str) -> str:
    return "（空）" if value in EMPTY else value


def _field(model: type[Model], name: str) -> Field | None:
    try:
        field = model._meta.get_field(name)
        return field if field.concrete else None  # type: ignore[return-value]  # a concrete field is a Field
    except FieldDoesNotExist:
        return None  # a note of a bulk write ("lines") or a pseudo-field ("人员类别", "查看")


def _related_names(entries: list[Entry]) -> dict[tuple[type[Model], str], str]:
    """The names of every object a page's entries point to through foreign keys, one query per
    related model (django-auditlog's display dict makes one per field and entry), with what
    their names read (an application's or placement's name is its person's and post's)."""
    wanted: dict[type[Model], set[str]] = {}
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in (entry.changes or {}).items():
            field = _field(model, name) if model else None
            if field is not None and field.is_relation and field.many_to_one:
                wanted.setdefault(field.related_model, set()).update(  # type: ignore[arg-type]  # a relation's related_model is a model class
                    str(pk_of(v)) for v in values if pk_of(v)
                )
    return {
        (related, str(pk)): str(obj)
        for related, pks in wanted.items()
        for pk, obj in related._base_manager.select_related().in_bulk([int(p) for p in pks]).items()
    }


def _display(model: type[Model] | None, name: str, value: str, names: dict) -> str:
    field = _field(model, name) if model else None
    if field is None or value in EMPTY:
        return _shown(value)
    if field.is_relation and field.many_to_one:
        return names.get((field.related_model, value), value)
    if field.choices:
        return str(dict((str(k), v) for k, v in field.flatchoices).get(value, value))
    return YES_NO.get(value, value) if field.get_internal_type() == "BooleanField" else value


def _who(entry: Entry) -> str:
    """The actor's user name; an agency's staff as "机构 · 用户" (docs/policy.md §1.5)."""
    name = entry.actor.username if entry.actor else "系统"
    agency = (entry.additional_data or {}).get("agency") if isinstance(entry.additional_data, dict) else None
    return f"{agency} · {name}" if agency else name


def entry_rows(entries: list[Entry]) -> list[EntryRow]:
    """Entries as the pages and the export show them: fields by their names, choices by their
    labels, related objects by their names (one query per related model), empty as （空）."""
    names = _related_names(entries)
    rows = []
    for entry in entries:
        model = entry.content_type.model_class()
        changes = []
        for name, values in (entry.changes or {}).items():
            before, after = (list(values) + ["", ""])[:2]
            field = _field(model, name) if model else None
            label = str(field.verbose_name) if field is not None else NOTES.get(name, name)
            shown = (_display(model, name, before, names), _display(model, name, after, names))
            changes.append((label, *shown))
        label, _, pk = entry.subject.partition(":")
        kind = KIND_OF_LABEL.get(label)
        rows.append(
            EntryRow(
                entry=entry,
                when=entry.timestamp,
                who=_who(entry),
                via=entry.via,
                action=ACTION_LABEL.get(entry.action, ""),
                kind=str(entry.content_type.model_class()._meta.verbose_name),
                name=entry.object_repr,
                township=entry.township.name if entry.township else "",
                changes=changes,
                link=reverse("audit:object-log", args=[kind, pk]) if kind and pk_of(pk) else "",
            )
        )
    return rows
