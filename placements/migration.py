"""新老衔接: bringing people already on posts into the system from a county's spreadsheet.

All or nothing like the applicant import: every row is checked first (ID number, township of
the county, village, line, category and duty, groups, dates, months, exit reason, bank account,
duplicates in the file and against people and posts already held); nothing is written unless
every row is good. Each row then creates (or finds) the person, creates the post, and a placed
(or, with a 离岗日期, exited) application whose history rows are marked as migrated, with its
agreement and placement. A village or community not yet known in the township is created.
Each holder is judged at their own date, the file's 协议开始日期 (their re-assessment,
docs/policy.md §7.7, §0.4), never the machine's clock; their first approval (初次核定日期) is the
old scheme's, by default the start of their merged months. Holders who do not qualify under the
new rules keep their old terms (Placement.legacy_terms) until their agreement ends
(docs/policy.md §7.7): the file then gives their
old monthly pay (原月补贴标准), which the payroll pays until the 协议结束日期. Whether a holder
qualifies is known only once the person and claims are written, so a dry run writes the whole
file too and rolls it back."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from common import params
from common.idcard import IdNumberError, parse_id_number
from common.search import limit_message
from common.sheets import CellProblem, SheetError, parse_date, read_table
from people import validators
from people.groups import parse_groups
from people.models import Person
from people.selectors import ELSEWHERE, elsewhere_record, registered_elsewhere, search_exhausted
from posts.models import Duty
from townships.models import County, Line, Village

from .migration_write import OLD_PAY, Progress, holders_write
from .models import Application, ExitReason

COLUMNS = [
    "姓名",
    "身份证号",
    "镇街代码",
    "村（社区）",
    "岗位类型",
    "岗位类别",
    "岗位名称",
    "人员类别",
    "上岗日期",
    "协议开始日期",
    "协议结束日期",
    "原在岗月数",
    "银行账号",
    "开户银行",
]
OPTIONAL = ["离岗日期", "离岗原因", "原月补贴标准", "初次核定日期", "序号", "备注"]
FIRST_APPROVAL = "初次核定日期"
LINES = {"城镇": Line.URBAN, "乡村": Line.RURAL, "农村": Line.RURAL}
TEXT_LIMITS = {
    "村（社区）": Village._meta.get_field("name").max_length,
    "开户银行": Person._meta.get_field("bank_name").max_length,
}
EXIT_REASONS = {label: value for value, label in ExitReason.choices} | {v: v for v in ExitReason.values}


@dataclass
class HolderRow:
    row: int
    name: str
    id_number: str
    township_id: int
    township_code: str
    village: str
    line: str
    duty: Duty
    groups: list[str]
    on_post: dt.date
    start: dt.date
    end: dt.date
    prior_months: int
    exit_date: dt.date | None
    exit_reason: str
    bank_account: str
    bank_name: str
    old_pay: Decimal | None = None
    # 初次核定 (docs/policy.md §7.2): when the holder first received the subsidy under the old scheme;
    # blank in the file: the start of the merged months (协议开始日期 − 原在岗月数)
    first_approved: dt.date | None = None


@dataclass
class MigrationReport:
    rows: list[HolderRow] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)
    imported: bool = False
    villages_created: list[str] = field(default_factory=list)
    legacy: int = 0  # holders kept on their old terms (docs/policy.md §7.7)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Row:
    """Collects one row's problems by column."""

    def __init__(self, report: MigrationReport, number: int, values: dict[str, str]) -> None:
        self.report, self.number, self.values = report, number, values
        self.bad = False

    def problem(self, column: str, message: str) -> None:
        self.report.problems.append(CellProblem(self.number, column, message))
        self.bad = True

    def text(self, column: str, required: bool = True) -> str:
        value = self.values.get(column, "").strip()
        if required and not value:
            self.problem(column, f"{column}不能为空")
        return value

    def at_most(self, column: str, length: int) -> None:
        """Text longer than its column is named (a database error otherwise)."""
        if len(self.values.get(column, "").strip()) > length:
            self.problem(column, f"{column}不能超过{length}个字")

    def date(self, column: str, required: bool = True) -> dt.date | None:
        value = self.text(column, required)
        if not value:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            self.problem(column, str(exc))
            return None


def _check(county: County, table_rows: list[tuple[int, dict[str, str]]], report: MigrationReport) -> None:
    townships = {t.code: t for t in county.townships.all()}
    duties = {(d.line, d.category.name, d.name): d for d in Duty.objects.select_related("category")}
    seen: dict[str, int] = {}
    for number, values in table_rows:
        row = _Row(report, number, values)
        name = ""
        try:
            name = validators.clean_name(row.text("姓名"))
        except ValueError as exc:
            row.problem("姓名", str(exc))
        parsed = None
        try:
            parsed = parse_id_number(row.text("身份证号"))
        except IdNumberError as exc:
            row.problem("身份证号", str(exc))
        if parsed is not None:
            if parsed.number in seen:
                row.problem("身份证号", f"与第{seen[parsed.number]}行的身份证号重复")
            seen.setdefault(parsed.number, number)
        township = townships.get(row.text("镇街代码"))
        if township is None and row.values.get("镇街代码"):
            row.problem("镇街代码", f"「{row.values['镇街代码']}」不是{county.name}的乡镇（街道）代码")
        village = row.text("村（社区）")
        row.at_most("村（社区）", TEXT_LIMITS["村（社区）"])  # type: ignore[arg-type]  # the field has a max_length
        row.at_most("开户银行", TEXT_LIMITS["开户银行"])  # type: ignore[arg-type]  # the field has a max_length
        line = LINES.get(row.text("岗位类型"))
        if line is None and row.values.get("岗位类型"):
            row.problem("岗位类型", "岗位类型应为「城镇」或「乡村」")
        duty = duties.get((line, row.text("岗位类别"), row.text("岗位名称")))  # type: ignore[arg-type]  # a None line finds no duty
        if duty is None and line and row.values.get("岗位类别") and row.values.get("岗位名称"):
            row.problem(
                "岗位名称",
                f"「{row.values['岗位类别']}·{row.values['岗位名称']}」不是{Line(line).label}岗位的类别和职责",
            )
        groups: list[str] = []
        try:
            groups = parse_groups(row.text("人员类别"))
        except ValueError as exc:
            row.problem("人员类别", str(exc))
        on_post, start, end = row.date("上岗日期"), row.date("协议开始日期"), row.date("协议结束日期")
        if start and end and end < start:
            row.problem("协议结束日期", "协议结束日期早于开始日期")
        months_text = row.text("原在岗月数", required=False) or "0"
        prior = int(months_text) if months_text.isascii() and months_text.isdigit() else -1
        if prior < 0 or prior > 120:
            row.problem("原在岗月数", "原在岗月数应为0至120的整数")
        first_approved = row.date(FIRST_APPROVAL, required=False)
        if first_approved and start and first_approved > start:
            row.problem(FIRST_APPROVAL, f"初次核定日期（{first_approved}）晚于协议开始日期（{start}）")
        if start and not first_approved and 0 <= prior <= 120:
            first_approved = start - relativedelta(months=prior)
        exit_date = row.date("离岗日期", required=False)
        reason = EXIT_REASONS.get(row.text("离岗原因", required=False), "")
        if exit_date and not reason:
            row.problem("离岗原因", "填写了离岗日期的，须填写离岗原因：" + "、".join(ExitReason.labels))
        if exit_date and on_post and exit_date < on_post:
            row.problem("离岗日期", "离岗日期早于上岗日期")
        bank = ""
        try:
            bank = validators.clean_bank_account(row.text("银行账号", required=False))
        except ValueError as exc:
            row.problem("银行账号", str(exc))
        old_pay = _money(row, OLD_PAY)
        if row.bad or parsed is None or township is None or duty is None:
            continue
        report.rows.append(
            HolderRow(
                row=number,
                name=name,
                id_number=parsed.number,
                township_id=township.pk,
                township_code=township.code,
                village=village,
                line=line,  # type: ignore[arg-type]  # row.bad when the line is missing (skipped above)
                duty=duty,
                groups=groups,
                on_post=on_post,  # type: ignore[arg-type]  # row.bad when the date is missing (skipped above)
                start=start,  # type: ignore[arg-type]  # row.bad when the date is missing (skipped above)
                end=end,  # type: ignore[arg-type]  # row.bad when the date is missing (skipped above)
                prior_months=prior,
                exit_date=exit_date,
                exit_reason=reason,
                bank_account=bank,
                bank_name=row.text("开户银行", False),
                old_pay=old_pay,
                first_approved=first_approved,
            )
        )


def _money(row: _Row, column: str) -> Decimal | None:
    """An amount in yuan (common.params.amount: to the fen, above 0, below 100,000), or None when
    the cell is empty."""
    text = row.text(column, required=False)
    if not text:
        return None
    try:
        return params.amount(text, label=column)
    except ValidationError:
        row.problem(column, f"{column}应为以元为单位、最多两位小数的金额，如 1700.00")
        return None


def _check_against_database(county: County, report: MigrationReport) -> None:
    numbers = [r.id_number for r in report.rows]
    people = dict(Person.objects.filter(id_number__any=numbers).values_list("id_number", "township_id"))
    ours = set(county.townships.values_list("pk", flat=True))
    exhausted = search_exhausted()  # past the limit of searches by number (people.selectors)
    holding = set(
        Application.objects.filter(person__id_number__any=numbers, holds_post=True).values_list(
            "person__id_number", flat=True
        )
    )
    for row in report.rows:
        township_id = people.get(row.id_number)
        if township_id in ours and township_id != row.township_id:  # the county's own people
            report.problems.append(CellProblem(row.row, "身份证号", "该人员已在本区县其他乡镇（街道）登记"))
        elif exhausted and township_id not in ours:  # free or another county's: neither is told
            report.problems.append(CellProblem(row.row, "身份证号", limit_message()))
        elif township_id is not None and township_id not in ours:  # another county's: counted, recorded
            elsewhere_record(township=None, numbers=[row.id_number])
            answer = registered_elsewhere(number=row.id_number)
            exhausted = answer != ELSEWHERE
            report.problems.append(CellProblem(row.row, "身份证号", answer))
        if row.id_number in holding and row.exit_date is None:
            report.problems.append(
                CellProblem(row.row, "身份证号", "该人员已在岗，同一人只能占用一个公益性岗位")
            )


def placements_import(
    *, county: County, source: str | IO[bytes], dry_run: bool, actor: User, progress: Progress | None = None
) -> MigrationReport:
    """Check every row, then (when all are good) write every holder set-based
    (placements.migration_write), all or nothing. `progress(rows done, rows)` is told as the work
    goes (a background job's bar)."""
    report = MigrationReport()
    progress = progress or (lambda done, total: None)
    try:
        table = read_table(source, required=COLUMNS, optional=OPTIONAL)
    except SheetError as exc:
        report.problems.append(CellProblem(1, "", str(exc)))
        return report
    report.problems.extend(table.problems)
    if not table.rows:
        report.problems.append(CellProblem(2, "", "文件中没有数据行"))
        return report
    progress(0, len(table.rows))
    _check(county, table.rows, report)
    _check_against_database(county, report)
    report.problems.sort(key=lambda p: (p.row, p.column))
    if report.problems:
        return report
    try:
        with transaction.atomic():  # a dry run writes everything too, then rolls it back
            report.legacy, refused = holders_write(
                county=county,
                rows=report.rows,
                actor=actor,
                created_villages=report.villages_created,
                progress=progress,
            )
            if refused:
                raise RowsRefused(refused)
            if dry_run:
                transaction.set_rollback(True)
    except RowsRefused as exc:
        report.problems.extend(exc.problems)
        return report
    except ValidationError as exc:  # a late check (a race) fails the whole file
        report.problems.append(CellProblem(0, "", "；".join(exc.messages)))
        return report
    report.imported = not dry_run
    return report


def kept_on_old_terms(report: MigrationReport) -> str:
    """What HR is told of the holders the file keeps on their old terms."""
    if not report.legacy:
        return ""
    return f"其中{report.legacy}人不符合现行条件，按原协议待遇至协议期满。"


class RowsRefused(Exception):
    """Rows found wrong while writing (what needs the written person, such as eligibility)."""

    def __init__(self, problems: list[CellProblem]) -> None:
        super().__init__(problems)
        self.problems = problems
