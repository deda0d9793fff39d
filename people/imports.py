"""Applicant spreadsheets (申请人导入): template, dry run, all-or-nothing import, error report.

Validation is the same person_fields_clean the form uses; django-import-export does the row
loop and the bulk writes (use_bulk, skip_diff: its fast path). Existing people are loaded in
one query before the loop instead of one query per row.
"""

import logging
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, cast

import tablib
from auditlog.context import disable_auditlog
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from import_export import fields, resources
from openpyxl import Workbook
from openpyxl.styles import Font

from audit import record as audit
from audit.context import current_actor
from common.bulk import bulk_insert, bulk_upsert, insert_rows
from common.idcard import IdNumberError, mask_id_number, parse_id_number
from common.search import limit_message
from common.sheets import CellProblem, SheetError, read_table
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

log = logging.getLogger(__name__)
PROGRESS_EVERY = 1_000  # rows between two reports of a background job's progress
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
ROW = "_row"
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


class WriteFailed(Exception):
    """The database refused the import's writes (the message is for the clerk)."""


def normalise_id(text: str) -> str:
    return text.strip().upper()


def valid_id(text: str) -> str | None:
    """The ID number of a row whose other cells failed, or None if it is not valid itself."""
    try:
        return parse_id_number(text).number
    except IdNumberError:
        return None


class ApplicantResource(resources.ModelResource):
    """One township's applicants. Rows are dicts of text keyed by the template's headers."""

    id_number = fields.Field(attribute="id_number", column_name="身份证号")
    name = fields.Field(attribute="name", column_name="姓名")
    phone = fields.Field(attribute="phone", column_name="联系电话")
    village = fields.Field(attribute="village", column_name="村（社区）")
    address = fields.Field(attribute="address", column_name="户籍地址")
    household_no = fields.Field(attribute="household_no", column_name="户号")
    bank_account = fields.Field(attribute="bank_account", column_name="银行账号")
    bank_name = fields.Field(attribute="bank_name", column_name="开户银行")
    note = fields.Field(attribute="note", column_name="备注")
    sex = fields.Field(attribute="sex", column_name="_sex")
    birth_date = fields.Field(attribute="birth_date", column_name="_birth_date")
    updated_at = fields.Field(attribute="updated_at", column_name="_updated_at")

    class Meta:
        model = Person
        fields = (
            "id_number",
            "name",
            "phone",
            "village",
            "address",
            "household_no",
            "bank_account",
            "bank_name",
            "note",
            "sex",
            "birth_date",
            "updated_at",
        )
        import_id_fields = ["id_number"]
        use_bulk = True
        batch_size = 10_000  # one COPY for a usual file
        skip_diff = True
        clean_model_instances = False
        store_instance = True

    def __init__(self, *, township: Township) -> None:
        super().__init__()
        self.township = township
        self.villages = township_villages(township)
        self.existing: dict[str, Person] = {}
        self.seen: dict[str, int] = {}
        self.groups: dict[str, list[str]] = {}
        self.claims: dict[int, list[str]] = {}  # the groups of the township's people in the file, before
        self.before: dict[str, dict[str, object]] = {}  # audit: existing people as they were
        self.written: list[tuple[str, dict[str, object]]] = []  # audit: (ID number, values now)
        self.rows_done = 0
        self.progress: Callable[[int], None] = lambda done: None
        self.elsewhere: list[str] = []  # audit: numbers answered as another township's
        # past the limit of searches by number, new and another township's numbers alike are
        # refused with the limit's message (people.selectors.search_exhausted)
        self.exhausted = search_exhausted()
        # existing people whose file gives another bank account: (person id, account, bank); the
        # file does not change them, it enters changes a second person confirms (people.bank)
        self.bank_changes: list[tuple[int, str, str]] = []

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        numbers = [normalise_id(n) for n in dataset["身份证号"] if n]
        self.existing = {p.id_number: p for p in Person.objects.filter(id_number__any=numbers)}
        ours = [p.pk for p in self.existing.values() if p.township_id == self.township.pk]
        for person_id, group in GroupClaim.objects.filter(person_id__any=ours).values_list(
            "person_id", "group"
        ):
            self.claims.setdefault(person_id, []).append(group)
        self.before = {
            number: {**audited(person), GROUPS: groups_text(sorted(self.claims.get(person.pk, [])))}
            for number, person in self.existing.items()
        }

    def import_row(self, row: Any, instance_loader: Any, **kwargs: Any) -> Any:
        self.rows_done += 1
        if self.rows_done % PROGRESS_EVERY == 0:
            self.progress(self.rows_done)
        return super().import_row(row, instance_loader, **kwargs)

    def get_instance(self, instance_loader: Any, row: dict) -> Person | None:
        return self.existing.get(normalise_id(row["身份证号"]))

    def import_instance(self, instance: Person, row: dict, **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        groups: list[str] = []
        try:
            groups = parse_groups(row["人员类别"])
        except ValueError as exc:
            errors["groups"] = [str(exc)]
        data = PersonData(
            name=row["姓名"],
            id_number=row["身份证号"],
            village=row["村（社区）"],
            groups=groups or ["-"],
            phone=row["联系电话"],
            address=row["户籍地址"],
            household_no=row["户号"],
            bank_account=row["银行账号"],
            bank_name=row["开户银行"],
            note=row["备注"],
            retirement_category=instance.retirement_category,
        )
        try:
            values = person_fields_clean(township=self.township, data=data, villages=self.villages)
        except ValidationError as exc:
            values = {}
            for key, messages in exc.message_dict.items():
                if key not in errors:  # the groups' own message, not one about the stand-in "-"
                    errors[key] = messages
        self._check_identity(instance, values.get("id_number") or valid_id(row["身份证号"]), row, errors)
        if errors:
            raise ValidationError(errors)
        if instance.pk:
            account, bank = values.pop("bank_account"), values.pop("bank_name")
            if account and (account, bank) != (instance.bank_account, instance.bank_name):
                self.bank_changes.append((instance.pk, account, bank))
        for name, value in values.items():
            setattr(instance, name, value)
        instance.updated_at = timezone.now()
        self.groups[instance.id_number] = groups

    def _check_identity(self, instance: Person, number: str | None, row: dict, errors: dict) -> None:
        """A valid ID number (whatever else is wrong with the row) is named when it repeats an
        earlier row or belongs to another township's person."""
        if number is None:
            return
        if number in self.seen:
            errors.setdefault("id_number", []).append(f"与第{self.seen[number]}行的身份证号重复")
        else:
            self.seen[number] = int(row[ROW])
        elsewhere = bool(instance.pk) and instance.township_id != self.township.pk
        if self.exhausted and (elsewhere or not instance.pk):
            errors.setdefault("id_number", []).append(limit_message())
        elif elsewhere:  # counted; recorded after the import
            self.elsewhere.append(number)
            answer = registered_elsewhere(number=number)
            self.exhausted = answer != ELSEWHERE
            errors.setdefault("id_number", []).append(answer)

    def bulk_create(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Any = None,
    ) -> None:
        """New people go in by COPY on PostgreSQL (common.bulk): the ORM's bulk_create alone
        takes about 2 s for 10,000 people."""
        self._write(self.create_instances, using_transactions, dry_run, raise_errors, result, new=True)

    def bulk_update(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Any = None,
    ) -> None:
        """Existing people are rewritten by one upsert keyed on the ID number (common.bulk).
        Django's bulk_update builds a CASE per field and row: about 20 times slower."""
        self._write(self.update_instances, using_transactions, dry_run, raise_errors, result, new=False)

    def _write(
        self,
        instances: list[Person],
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        result: Any,
        *,
        new: bool,
    ) -> None:
        if not instances or not (using_transactions or not dry_run):
            return
        self.written.extend((p.id_number, audited(p)) for p in instances)
        try:
            # a savepoint: after a refused write PostgreSQL answers nothing else in the transaction,
            # and the import still has to report the failure (then the whole import rolls back)
            with transaction.atomic():
                if new:
                    bulk_insert(Person, instances)
                else:
                    bulk_upsert(Person, instances, unique_fields=["id_number"], update_fields=UPDATE_FIELDS)
        except DatabaseError as exc:  # import-export reports it; the whole import is rolled back
            # The database's own message may quote a row (an ID number): not for the page or the log.
            log.warning("applicant import: %s while writing people", exc.__class__.__name__)
            failed = WriteFailed("数据库写入失败，未导入任何数据，请稍后重试（如多次失败请联系管理员）")
            self.handle_import_error(result, failed, raise_errors)
        finally:
            instances.clear()

    def after_import(self, dataset: tablib.Dataset, result: Any, **kwargs: Any) -> None:
        super().after_import(dataset, result, **kwargs)
        if not kwargs.get("dry_run") and not result.has_errors() and not result.has_validation_errors():
            ids = {n: p.pk for n, p in self.existing.items()}
            new = [n for n in self.groups if n not in ids]
            ids.update(Person.objects.filter(id_number__any=new).values_list("id_number", "pk"))
            self._audit(ids)
            claims_replace(township=self.township, groups=self.groups, ids=ids, claims=self.claims)
            if actor := current_actor():  # a command without --user enters none
                bank_changes_enter(self.bank_changes, actor=actor)

    def _audit(self, ids: dict[str, int]) -> None:
        """One entry per person created or changed by the file (none for an unchanged row), their
        groups included (the claims the file adds or removes get no entries of their own)."""
        audit.write(
            Person,
            [
                audit.Change(
                    ids[number],
                    cast(str, values["name"]),
                    self.before.get(number),
                    {**values, GROUPS: groups_text(sorted(self.groups.get(number, [])))},
                    self.township.pk,
                )
                for number, values in self.written
            ],
        )


def claims_replace(
    *, township: Township, groups: dict[str, list[str]], ids: dict[str, int], claims: dict[int, list[str]]
) -> None:
    """Set the claims of the imported people (`ids`: their keys by ID number; `claims`: the groups
    they had) to the groups in the file, check them against the latest rosters, and flag people on
    the death or pension roster: a few set-based queries scoped to the township."""
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
    placement_terms_refresh(sorted({person_id for person_id, _ in existing ^ wanted}))
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


Progress = Callable[[int, int], None]  # (rows done, rows in all): a background job's bar


def applicants_import(
    *, township: Township, source: str | IO[bytes], dry_run: bool, progress: Progress | None = None
) -> ImportReport:
    """Read, validate and (unless dry_run or anything is wrong) import a whole file, atomically.
    A file with any error imports nothing; the report lists every problem by row and column."""
    report = ImportReport(township=township, dry_run=dry_run)
    try:
        table = read_table(source, required=COLUMNS)
    except SheetError as exc:
        report.problems.append(CellProblem(1, "", str(exc)))
        return report
    if not table.rows:
        report.problems.append(CellProblem(2, "", "文件中没有数据行"))
        return report
    report.problems.extend(table.problems)
    dataset = tablib.Dataset(headers=[*COLUMNS, ROW])
    for number, values in table.rows:
        dataset.append([values[c] for c in COLUMNS] + [str(number)])
    resource = ApplicantResource(township=township)
    if progress is not None:
        progress(0, len(table.rows))
        resource.progress = lambda done: progress(done, len(table.rows))
    write = not dry_run and not report.problems
    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=not write, use_transactions=True, rollback_on_validation_errors=True
        )
        _collect(report, table.rows, result)
        if not report.ok:
            transaction.set_rollback(True)
    elsewhere_record(township=township, numbers=resource.elsewhere)  # whether or not it rolled back
    report.imported = write and report.ok
    return report


def _collect(report: ImportReport, rows: list[tuple[int, dict[str, str]]], result: Any) -> None:
    """Turn import-export's result into problems by Excel row and column, and preview rows."""
    invalid = {r.number: r for r in result.invalid_rows}
    errored = dict(result.row_errors())
    for base_error in result.base_errors:
        report.problems.append(CellProblem(0, "", f"导入失败：{base_error.error}"))
    damaged = {(p.row, p.column) for p in report.problems}  # cells Excel already spoilt: one message
    for index, (number, _values) in enumerate(rows, start=1):
        for key, messages in invalid[index].error_dict.items() if index in invalid else []:
            column = FIELD_COLUMN.get(key, "") if key != NON_FIELD_ERRORS else ""
            if (number, column) not in damaged:
                report.problems.extend(CellProblem(number, column, m) for m in messages)
        report.problems.extend(
            CellProblem(number, "", f"无法导入：{e.error}") for e in errored.get(index, [])
        )
    report.problems.sort(key=lambda p: (p.row, COLUMNS.index(p.column) if p.column in COLUMNS else -1))
    by_row: dict[int, list[str]] = {}
    for problem in report.problems:
        by_row.setdefault(problem.row, []).append(
            f"{problem.column}：{problem.message}" if problem.column else problem.message
        )
    for index, (number, values) in enumerate(rows, start=1):
        errors = by_row.get(number, [])
        action = "有错误" if errors else ("新增" if _is_new(result, index) else "更新")
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


def _is_new(result: Any, index: int) -> bool:
    row = result.rows[index - 1] if index - 1 < len(result.rows) else None
    return row is not None and row.import_type == "new"


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
