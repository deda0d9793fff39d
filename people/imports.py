"""Applicant spreadsheets (申请人导入): template, preview, all-or-nothing import, error report.

An importer of the one pipeline (common.imports): the file is read once and each row checked
once by person_fields_clean, the rule the person form uses; the preview is that check, with
nothing written; the import writes every person in one transaction: new people by COPY,
existing ones by one upsert (common.bulk), then their audit entries, claims and roster flags,
set-based. Existing people are loaded in one query before the rows are checked.
"""

import operator
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import IO, cast

from auditlog.context import disable_auditlog
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from audit import record as audit
from audit.context import current_actor
from common import imports
from common.bulk import bulk_insert, bulk_upsert, insert_rows
from common.idcard import IdNumberError, mask_id_number, parse_id_number
from common.search import limit_message
from common.sheets import CellProblem, Table
from townships.models import Township

from .bank import bank_changes_enter
from .groups import groups_text, parse_groups
from .models import GROUP_ROSTER, GroupClaim, Person, RosterKind, TargetGroup
from .selectors import ELSEWHERE, elsewhere_record, registered_elsewhere, search_exhausted
from .services import (
    PersonData,
    flags_set,
    latest_roster,
    person_fields_clean,
    placement_terms_refresh,
    township_villages,
)

COLUMNS = [
    "姓名",
    "身份证号",
    "联系电话",
    "村（社区）",
    "户籍地址",
    "户号",
    "人员类别",
    "银行账号",
    "开户银行",
    "备注",
]
FIELDS = [
    "name",
    "id_number",
    "phone",
    "village",
    "address",
    "household_no",
    "groups",
    "bank_account",
    "bank_name",
    "note",
]
FIELD_COLUMN = dict(zip(FIELDS, COLUMNS, strict=True))
TEXT_COLUMNS = ("身份证号", "联系电话", "户号", "银行账号")
# Not the bank account: a file's new account is entered as a change a second person confirms.
UPDATE_FIELDS = [
    "name",
    "phone",
    "village",
    "address",
    "household_no",
    "note",
    "sex",
    "birth_date",
    "retirement_category",
    "updated_at",
]


# What an audit entry of an imported person shows: as audit.registry's (no birth date or sex, which
# would give the masked ID number back); the roster flags are recorded where they change.
NOT_AUDITED = ("id", "created_at", "updated_at", "on_death_roster", "on_pension_roster", "birth_date", "sex")
AUDITED = [f for f in Person._meta.concrete_fields if f.name not in NOT_AUDITED]


GROUPS = "人员类别"  # in an imported person's audit entry: the groups, as the file gives them


_AUDITED_NAMES = [f.name for f in AUDITED]
_audited_values = operator.attrgetter(*(f.attname for f in AUDITED))


def audited(person: Person) -> dict[str, object]:
    return dict(zip(_AUDITED_NAMES, _audited_values(person), strict=True))


def normalise_id(text: str) -> str:
    return text.strip().upper()


def valid_id(text: str) -> str | None:
    """The ID number of a row whose other cells failed, or None if it is not valid itself."""
    try:
        return parse_id_number(text).number
    except IdNumberError:
        return None


@dataclass
class Applicant:
    """A checked row: the person's field values (person_fields_clean), their groups, and the
    person already registered in the township under that number (None: a new person)."""

    row: int
    values: dict[str, object]
    groups: list[str]
    person: Person | None


class ApplicantImporter(imports.Importer[Applicant]):
    """One township's applicants."""

    required = COLUMNS

    def __init__(self, *, township: Township) -> None:
        self.township = township
        self.villages = township_villages(township)
        self.existing: dict[str, Person] = {}
        self.seen: dict[str, int] = {}
        self.claims: dict[int, list[str]] = {}  # the groups of the township's people in the file, before
        self.elsewhere: list[str] = []  # audit: numbers answered as another township's
        # past the limit of searches by number, new and another township's numbers alike are
        # refused with the limit's message (people.selectors.search_exhausted)
        self.exhausted = search_exhausted()

    def prepare(self, table: Table) -> None:
        """Two queries: the people the file names, and the claims of the township's ones."""
        numbers = [normalise_id(values["身份证号"]) for _, values in table.rows if values["身份证号"]]
        self.existing = {p.id_number: p for p in Person.objects.filter(id_number__any=numbers)}
        ours = [p.pk for p in self.existing.values() if p.township_id == self.township.pk]
        for person_id, group in GroupClaim.objects.filter(person_id__any=ours).values_list(
            "person_id", "group"
        ):
            self.claims.setdefault(person_id, []).append(group)

    def row(self, cells: imports.Cells) -> Applicant | None:
        person = self.existing.get(normalise_id(cells["身份证号"]))
        errors: dict[str, list[str]] = {}
        groups: list[str] = []
        try:
            groups = parse_groups(cells["人员类别"])
        except ValueError as exc:
            errors["groups"] = [str(exc)]
        data = PersonData(
            name=cells["姓名"],
            id_number=cells["身份证号"],
            village=cells["村（社区）"],
            groups=groups or ["-"],
            phone=cells["联系电话"],
            address=cells["户籍地址"],
            household_no=cells["户号"],
            bank_account=cells["银行账号"],
            bank_name=cells["开户银行"],
            note=cells["备注"],
            retirement_category=person.retirement_category if person else "",
        )
        values: dict[str, object] = {}
        try:
            values = person_fields_clean(township=self.township, data=data, villages=self.villages)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                if key not in errors:  # the groups' own message, not one about the stand-in "-"
                    errors[key] = messages
        number = cast(str | None, values.get("id_number")) or valid_id(cells["身份证号"])
        self._check_identity(person, number, cells.number, errors)
        for key, messages in errors.items():
            column = FIELD_COLUMN.get(key, "") if key != NON_FIELD_ERRORS else ""
            for message in messages:
                cells.problem(column, message)
        if errors:
            return None
        return Applicant(cells.number, values, groups, person)

    def _check_identity(self, person: Person | None, number: str | None, row: int, errors: dict) -> None:
        """A valid ID number (whatever else is wrong with the row) is named when it repeats an
        earlier row or belongs to another township's person."""
        if number is None:
            return
        if number in self.seen:
            errors.setdefault("id_number", []).append(f"与第{self.seen[number]}行的身份证号重复")
        else:
            self.seen[number] = row
        elsewhere = person is not None and person.township_id != self.township.pk
        if self.exhausted and (elsewhere or person is None):
            errors.setdefault("id_number", []).append(limit_message())
        elif elsewhere:  # counted; recorded after the import
            self.elsewhere.append(number)
            answer = registered_elsewhere(number=number)
            self.exhausted = answer != ELSEWHERE
            errors.setdefault("id_number", []).append(answer)

    def write(self, rows: list[Applicant]) -> None:
        """New people by COPY (the ORM's bulk_create alone takes about 2 s for 10,000), existing
        ones by one upsert keyed on the ID number (Django's bulk_update builds a CASE per field
        and row: about 20 times slower); then their audit entries, claims, roster flags and the
        bank account changes the file enters."""
        before: dict[str, dict[str, object]] = {}
        new: list[Person] = []
        changed: list[Person] = []
        bank_changes: list[tuple[int, str, str]] = []  # (person, account, bank): confirmed by a second person
        now = timezone.now()
        for applicant in rows:
            values = dict(applicant.values)
            person = applicant.person
            if person is None:
                new.append(Person(**values, updated_at=now))
                continue
            before[person.id_number] = {
                **audited(person),
                GROUPS: groups_text(sorted(self.claims.get(person.pk, []))),
            }
            account, bank = values.pop("bank_account"), values.pop("bank_name")
            if account and (account, bank) != (person.bank_account, person.bank_name):
                bank_changes.append((person.pk, cast(str, account), cast(str, bank)))
            for name, value in values.items():
                setattr(person, name, value)
            person.updated_at = now
            changed.append(person)
        written = [(p.id_number, audited(p)) for p in [*new, *changed]]
        bulk_insert(Person, new)
        bulk_upsert(Person, changed, unique_fields=["id_number"], update_fields=UPDATE_FIELDS)
        groups = {
            a.person.id_number if a.person else cast(str, a.values["id_number"]): a.groups for a in rows
        }
        ids = {p.id_number: p.pk for p in changed}
        ids.update(
            Person.objects.filter(id_number__any=[p.id_number for p in new]).values_list("id_number", "pk")
        )
        audit.write(
            Person,
            [
                audit.Change(
                    ids[number],
                    cast(str, values["name"]),
                    before.get(number),
                    {**values, GROUPS: groups_text(sorted(groups.get(number, [])))},
                    self.township.pk,
                )
                for number, values in written
            ],
        )
        created = {ids[p.id_number] for p in new}
        claims_replace(township=self.township, groups=groups, ids=ids, claims=self.claims, created=created)
        if actor := current_actor():  # a command without --user enters none
            bank_changes_enter(bank_changes, actor=actor)


def claims_replace(
    *,
    township: Township,
    groups: dict[str, list[str]],
    ids: dict[str, int],
    claims: dict[int, list[str]],
    created: Collection[int] = (),
) -> None:
    """Set the claims of the imported people (`ids`: their keys by ID number; `claims`: the groups
    they had; `created`: the keys of those the import has just created) to the groups in the file,
    check them against the latest rosters, and flag people on the death or pension roster: a few
    set-based queries scoped to the township."""
    people = Person.objects.filter(township=township)
    existing = {(person_id, group) for person_id, had in claims.items() for group in had}
    wanted = {(ids[n], g) for n, gs in groups.items() for g in gs}
    stale: dict[str, list[int]] = {}
    for person_id, group in existing - wanted:
        stale.setdefault(group, []).append(person_id)
    with disable_auditlog():  # recorded in the people's entries (人员类别)
        for group, person_ids in stale.items():
            GroupClaim.objects.filter(group=group, person_id__any=person_ids).delete()
    rosters = {kind: latest_roster(township.county, kind) for kind in RosterKind}
    in_file = list(ids)
    matched = {
        kind: set(roster.entries.filter(id_number__any=in_file).values_list("id_number", flat=True))
        for kind, roster in rosters.items()
        if roster is not None
    }
    numbers = {pk: number for number, pk in ids.items()}
    new = []
    for person_id, group in wanted - existing:
        kind = GROUP_ROSTER.get(group)
        if kind is None:
            status, roster = GroupClaim.Status.NOT_REQUIRED, None
        elif rosters[kind] is None:
            status, roster = GroupClaim.Status.PENDING, None
        else:
            found = numbers[person_id] in matched[kind]
            status = GroupClaim.Status.VERIFIED if found else GroupClaim.Status.UNVERIFIED
            roster = rosters[kind]
        new.append((person_id, group, status.value, roster.pk if roster else None))
    insert_rows(GroupClaim, ["person_id", "group", "status", "roster_id"], new)
    # people created just now hold no placement whose stored terms could change
    placement_terms_refresh(sorted({person_id for person_id, _ in existing ^ wanted} - set(created)))
    for kind, attr in ((RosterKind.DEATHS, "on_death_roster"), (RosterKind.PENSIONS, "on_pension_roster")):
        flagged = [number for number in ids if number in matched.get(kind, ())]
        flags_set(people.filter(id_number__any=flagged), attr, True)


@dataclass
class PreviewRow:
    row: int
    name: str
    masked_id: str
    village: str
    groups: str
    action: str  # 新增 / 更新 / 有错误
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    township: Township
    dry_run: bool
    rows: list[PreviewRow] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    imported: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total(self) -> int:
        return len(self.rows)


def applicants_import(
    *, township: Township, source: str | IO[bytes], dry_run: bool, progress: imports.Progress | None = None
) -> ImportReport:
    """Read and check a whole file and (unless dry_run or anything is wrong) import it, all or
    nothing; a dry run writes nothing. The report lists every problem by row and column, and
    every row with what the import does with it."""
    importer = ApplicantImporter(township=township)
    checked = imports.run(importer, source, dry_run=dry_run, progress=progress)
    elsewhere_record(township=township, numbers=importer.elsewhere)  # whether or not it was written
    report = ImportReport(township=township, dry_run=dry_run, problems=checked.problems)
    report.imported = checked.written
    by_row: dict[int, list[str]] = {}
    for problem in checked.problems:
        by_row.setdefault(problem.row, []).append(
            f"{problem.column}：{problem.message}" if problem.column else problem.message
        )
    good = {a.row: a for a in checked.rows}
    for number, values in checked.read:
        errors = by_row.get(number, [])
        applicant = good.get(number)
        action = "有错误" if errors or applicant is None else "新增" if applicant.person is None else "更新"
        report.rows.append(
            PreviewRow(
                row=number,
                name=values["姓名"],
                masked_id=mask_id_number(normalise_id(values["身份证号"])),
                village=values["村（社区）"],
                groups=_groups_label(values["人员类别"]),
                action=action,
                errors=errors,
            )
        )
    report.created = sum(1 for r in report.rows if r.action == "新增")
    report.updated = sum(1 for r in report.rows if r.action == "更新")
    return report


def _groups_label(text: str) -> str:
    try:
        return groups_text(parse_groups(text))
    except ValueError:
        return text


def template_workbook_write(target: str | IO[bytes]) -> None:
    """The applicant template: headers, text-formatted ID/phone/bank columns, one example row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "申请人"
    ws.append(COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for index, header in enumerate(COLUMNS, start=1):
        letter = ws.cell(row=1, column=index).column_letter
        ws.column_dimensions[letter].width = 22 if header in TEXT_COLUMNS else 14
        if header in TEXT_COLUMNS:
            for row in range(2, 2002):
                ws.cell(row=row, column=index).number_format = "@"
    notes = wb.create_sheet("填写说明")
    for line in [
        "第一行为列标题，请勿修改；从第二行起每行一人。",
        "身份证号、联系电话、户号、银行账号请按文本填写（本模板已设为文本格式）。",
        "村（社区）须为本乡镇（街道）已有的村（社区）名称。",
        "人员类别可填多个，用顿号「、」分隔，如：脱贫享受政策人口、农村残疾人。",
        "可填的人员类别：" + "、".join(g.label for g in TargetGroup),
    ]:
        notes.append([line])
    wb.save(target)
