"""The writes of 新老衔接 (placements.migration), set-based: each table's rows for the whole file
go in by one COPY (common.bulk), their keys come back by one query per table, and their audit
entries are written the same way (audit.record), instead of some twenty statements and signal
writes per holder (5,000 holders: 4 min 22 s before; see bench/placements_import.py).

What a holder gets is unchanged: the person (new, or found: then the bank account from the file
and the claims are set one by one, as on the person's page), claims checked against the latest
rosters, a post, a placed (or exited) application with its migrated history, the agreement and
the placement; whether the holder qualifies at their 协议开始日期 decides the old terms
(docs/policy.md §7.7), and their first approval is the earliest the file or their earlier placements give."""

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from auditlog.context import disable_auditlog
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Min

from audit import record as audit
from audit.registry import TRACKED
from common.bulk import bulk_insert
from common.idcard import parse_id_number
from common.retirement import default_category
from common.sheets import CellProblem
from people.bank import bank_changes_enter
from people.eligibility import RuleBook, eligibility_check
from people.models import GROUP_ROSTER, EligibilityRule, GroupClaim, Person
from people.services import claims_set, latest_roster
from posts.models import Post
from townships.models import County, Village

from .agreements import imported_pay, post_working_time
from .models import Agreement, Application, ExitReason, Placement, Step, Transition
from .terms import stored_terms_refresh

EVIDENCE = "新老衔接导入"
LEGACY_NEEDS_PAY = "该人员不符合现行安置条件，按原协议待遇至协议期满：须填写原月补贴标准"
OLD_PAY = "原月补贴标准"
Progress = Callable[[int, int], None]  # (rows done, rows in all)


def holders_write(
    *,
    county: County,
    rows: Sequence,
    legacy: set[int],
    actor: User,
    created_villages: list[str],
    progress: Progress,
) -> None:
    """Write every holder of `rows` (placements.migration.HolderRow, all checked; `legacy`: the
    rows kept on their old terms, terms_assess). About fifteen statements whatever the number
    of rows."""
    villages = _villages(county, rows, created_villages)
    people = _people(county, rows, villages, actor)
    progress(len(rows) // 4, len(rows))
    posts = _posts(rows, people, villages)
    applications = _applications(rows, people, posts, actor)
    _history(rows, applications, actor)
    progress(len(rows) // 2, len(rows))
    first = _first_approvals(rows, people)
    pay = _new_pay(county)
    agreements = [
        Agreement(
            application=applications[row.row],
            number=1,
            village=villages[(row.township_id, row.village)],
            start_date=row.start,
            end_date=row.end,
            monthly_pay=row.old_pay if row.row in legacy and row.old_pay is not None else pay(row),
            working_time=post_working_time(posts[row.row]),
            duties=row.duty.name,
            signed_on=row.start,
            recorded_by=actor,
        )
        for row in rows
    ]
    placements = [
        Placement(
            application=applications[row.row],
            person=people[row.id_number],
            post=posts[row.row],
            township_id=row.township_id,
            line=row.line,
            on_post_date=row.on_post,
            prior_months=row.prior_months,
            first_approved_on=first[row.row],
            exit_date=row.exit_date,
            exit_reason=row.exit_reason,
            migrated=True,
            legacy_terms=row.row in legacy,
            legacy_pay=row.old_pay if row.row in legacy else None,
            legacy_until=row.end if row.row in legacy and row.old_pay is not None else None,
        )
        for row in rows
    ]
    progress(len(rows) * 3 // 4, len(rows))
    for model, objs in ((Agreement, agreements), (Placement, placements)):
        _insert(model, objs, key="application_id")
    # their subsidy ends, and those of the people's other placements (months used move)
    stored_terms_refresh(person_ids=[p.person_id for p in placements])


def _new_pay(county: County) -> Callable[..., Decimal]:
    """A holder's agreement carries the pay the payroll gives them (placements.agreements),
    priced once per line and agreement period."""
    known: dict[tuple[str, dt.date, dt.date], Decimal] = {}

    def pay(row) -> Decimal:
        key = (row.line, row.start, row.end)
        if key not in known:
            known[key] = imported_pay(county, row.line, row.start, row.end)
        return known[key]

    return pay


def _villages(county: County, rows: Sequence, created: list[str]) -> dict[tuple[int, str], Village]:
    """The county's villages by (township, name); those the file names that do not exist yet
    are created (a handful, one by one, recorded by their signals)."""
    villages = {(v.township_id, v.name): v for v in Village.objects.filter(township__county=county)}
    for row in rows:
        if (row.township_id, row.village) not in villages:
            kind = Village.Kind.COMMUNITY if row.village.endswith("社区") else Village.Kind.VILLAGE
            village = Village.objects.create(township_id=row.township_id, name=row.village, kind=kind)
            villages[(row.township_id, row.village)] = village
            created.append(row.village)
    return villages


def _people(county: County, rows: Sequence, villages: dict, actor: User) -> dict[str, Person]:
    """Every holder's person by ID number: people already registered get their claims one by
    one, and a new bank account the file gives as a change waiting for a second person; new
    people and their claims go in by COPY."""
    existing = {p.id_number: p for p in Person.objects.filter(id_number__any=[r.id_number for r in rows])}
    new: list[Person] = []
    groups: dict[str, list[str]] = {}
    bank_changes: list[tuple[int, str, str]] = []
    for row in rows:
        person = existing.get(row.id_number)
        if person is None:
            new.append(_new_person(row, villages[(row.township_id, row.village)]))
            groups[row.id_number] = row.groups
            continue
        if row.bank_account:  # a new account waits for a second person (people.bank)
            bank_changes.append((person.pk, row.bank_account, row.bank_name))
        claims_set(person=person, groups=[(g, EVIDENCE) for g in row.groups])
    bank_changes_enter(bank_changes, actor=actor)
    _insert(Person, new, key="id_number", audit_extra=lambda p: {"人员类别": "、".join(groups[p.id_number])})  # type: ignore[attr-defined]  # p is a Person
    _new_claims(county, new, groups)
    return existing | {p.id_number: p for p in new}


def _new_person(row, village: Village | None) -> Person:
    parsed = parse_id_number(row.id_number)
    return Person(
        id_number=row.id_number,
        name=row.name,
        sex=parsed.sex,
        birth_date=parsed.birth_date,
        township_id=row.township_id,
        village=village,
        retirement_category=default_category(parsed.sex).value,
        bank_account=row.bank_account,
        bank_name=row.bank_name,
    )


class _Rosters:
    """The county's latest roster of each kind, and which of the file's numbers each lists: one
    query per roster kind."""

    def __init__(self, county: County, numbers: list[str]) -> None:
        self.latest = {kind: latest_roster(county, kind) for kind in set(GROUP_ROSTER.values())}
        self.matched = {
            kind: set(roster.entries.filter(id_number__any=numbers).values_list("id_number", flat=True))
            for kind, roster in self.latest.items()
            if roster is not None
        }

    def claim(self, person: Person, group: str) -> GroupClaim:
        """A new claim of `person` to `group`, matched against its roster as
        people.services.initial_claim_status does."""
        kind = GROUP_ROSTER.get(group)
        roster = self.latest.get(kind) if kind else None
        if kind is None:
            status = GroupClaim.Status.NOT_REQUIRED
        elif roster is None:
            status = GroupClaim.Status.PENDING
        elif person.id_number in self.matched[kind]:
            status = GroupClaim.Status.VERIFIED
        else:
            status = GroupClaim.Status.UNVERIFIED
        return GroupClaim(person=person, group=group, evidence=EVIDENCE, status=status, roster=roster)


def _new_claims(county: County, people: list[Person], groups: dict[str, list[str]]) -> None:
    """The new people's claims, matched against each roster kind's latest roster (recorded in the
    people's own entries, as the applicant import does)."""
    rosters = _Rosters(county, [p.id_number for p in people])
    bulk_insert(GroupClaim, [rosters.claim(person, g) for person in people for g in groups[person.id_number]])


def _as_imported(county: County, rows: Sequence) -> dict[str, Person]:
    """Every holder's person as the import will leave them, built in memory and nothing written:
    a registered person keeps the claims the file names (with their decisions) and gets the
    others new; a new person is built from the row. Their claims are set in the prefetch cache
    for the eligibility check. Three queries, and one per roster kind."""
    numbers = [r.id_number for r in rows]
    existing = {
        p.id_number: p for p in Person.objects.filter(id_number__any=numbers).prefetch_related("claims")
    }
    rosters = _Rosters(county, numbers)
    people = {}
    for row in rows:
        person = existing.get(row.id_number)
        had = {c.group: c for c in person.claims.all()} if person else {}
        if person is None:
            person = _new_person(row, None)
            person.pk = -row.row  # never saved: a stand-in key lets person.claims read its cache
        claims = [had.get(group) or rosters.claim(person, group) for group in row.groups]
        cached = GroupClaim.objects.all()
        cached._result_cache, cached._prefetch_done = claims, True  # type: ignore[attr-defined]  # fills the prefetch cache Django's prefetch_related fills
        person._prefetched_objects_cache = {"claims": cached}  # type: ignore[attr-defined]  # fills the prefetch cache Django's prefetch_related fills
        people[row.id_number] = person
    return people


def _posts(rows: Sequence, people: dict[str, Person], villages: dict) -> dict[int, Post]:
    posts = {}
    for row in rows:
        village = villages[(row.township_id, row.village)]
        person = people[row.id_number]
        posts[row.row] = Post(
            code=f"{row.township_code}-{row.on_post.year}-M{row.row:05d}-{person.pk}",
            year=row.on_post.year,
            township_id=row.township_id,
            village=village,
            line=row.line,
            duty=row.duty,
            status=Post.Status.VACANT if row.exit_date else Post.Status.FILLED,
        )
    _insert(Post, list(posts.values()), key="code")
    return posts


def _applications(rows: Sequence, people: dict[str, Person], posts: dict[int, Post], actor: User) -> dict:
    applications = {
        row.row: Application(
            person=people[row.id_number],
            post=posts[row.row],
            township_id=row.township_id,
            line=row.line,
            year=posts[row.row].year,
            step=Step.EXITED if row.exit_date else Step.PLACED,
            holds_post=row.exit_date is None,
            applied_on=row.start,
            approved_on=row.start,
            migrated=True,
            created_by=actor,
        )
        for row in rows
    }
    _insert(Application, list(applications.values()), key="post_id")
    return applications


def _history(rows: Sequence, applications: dict, actor: User) -> None:
    """The migrated history: placed, and exited for a holder who has left (not audited: the
    application's entry records the import)."""
    moves = []
    for row in rows:
        application = applications[row.row]
        moves.append(
            Transition(
                application=application,
                from_step="",
                to_step=Step.PLACED,
                actor=actor,
                on=row.on_post,
                note=f"新老衔接导入：原在岗{row.prior_months}个月",
                migrated=True,
            )
        )
        if row.exit_date:
            moves.append(
                Transition(
                    application=application,
                    from_step=Step.PLACED,
                    to_step=Step.EXITED,
                    actor=actor,
                    on=row.exit_date,
                    note=f"新老衔接导入：{ExitReason(row.exit_reason).label}",
                    migrated=True,
                )
            )
    bulk_insert(Transition, moves)


def _first_approvals(rows: Sequence, people: dict[str, Person]) -> dict[int, dt.date]:
    """初次核定 per row (docs/policy.md §7.2): the file's (or its default, placements.migration), or an
    earlier one of a placement the person already has. One query."""
    earliest = dict(
        Placement.objects.filter(person__in=[p.pk for p in people.values()])
        .values("person_id")
        .annotate(first=Min("first_approved_on"))
        .values_list("person_id", "first")
    )
    found = {}
    for row in rows:
        known = earliest.get(people[row.id_number].pk)
        mine = row.first_approved or row.start
        found[row.row] = min(mine, known) if known else mine
    return found


def terms_assess(*, county: County, rows: Sequence) -> tuple[set[int], list[CellProblem]]:
    """The rows of holders kept on their old terms (not qualifying at their re-assessment, the
    file's 协议开始日期, or the day the county's new rules took effect if later: docs/policy.md §7.7, never
    the machine's clock), and the rows refused because such a holder on post has no old pay.
    Judged on the people as the import will leave them (_as_imported), nothing written; then one
    query, and two per distinct date and line (a RuleBook each)."""
    people = _as_imported(county, rows)
    # An agreement that started before the county's new rules for its line existed is assessed
    # when they took effect: 新老衔接 happens with the new scheme, not before it.
    begun = dict(
        EligibilityRule.objects.filter(county=county)
        .values("line")
        .annotate(on=Min("valid_from"))
        .values_list("line", "on")
    )
    books: dict[dt.date, RuleBook] = {}
    legacy, refused = set(), []
    for row in rows:
        on = max(row.start, begun.get(row.line, row.start))
        book = books.setdefault(on, RuleBook(on))
        verdict = eligibility_check(
            person=people[row.id_number],
            line=row.line,
            county=county,
            on=on,
            book=book,
            undecided_qualify=True,
        )
        if verdict.eligible:
            continue
        legacy.add(row.row)
        if row.old_pay is None and row.exit_date is None:
            refused.append(CellProblem(row.row, OLD_PAY, LEGACY_NEEDS_PAY))
    return legacy, refused


def _insert(
    model: type[models.Model], objs: list, *, key: str, audit_extra: Callable[[object], dict] | None = None
) -> None:
    """COPY `objs`, give them their keys back (one query by the unique `key` field) and record
    each as created in the audit log, as django-auditlog's signals would."""
    if not objs:
        return
    with disable_auditlog():
        bulk_insert(model, objs)
    column = model._meta.get_field(key).attname  # type: ignore[union-attr]  # key is a concrete field
    keys = dict(
        model.objects.filter(**{f"{key}__any": [getattr(o, column) for o in objs]}).values_list(key, "pk")  # type: ignore[attr-defined]  # every model written here has the default manager objects
    )
    for obj in objs:
        obj.pk = keys[getattr(obj, column)]
    tracked = TRACKED[model._meta.label]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in tracked.exclude]
    changes = []
    for obj in objs:
        township_id, county_id, about = tracked.scope(obj)
        after = {f.name: getattr(obj, f.attname) for f in fields} | (audit_extra(obj) if audit_extra else {})
        changes.append(audit.Change(obj.pk, str(obj), None, after, township_id, county_id, about))
    audit.write(model, changes)
