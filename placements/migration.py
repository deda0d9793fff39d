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
qualifies is judged on the person and claims as the import will leave them, built in memory
(placements.migration_write.terms_assess), so a dry run writes nothing.

An importer of the one pipeline (common.imports): read once, each row checked once, the rows
checked against the database once, then every holder written in one transaction."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from common import imports, params
from common.idcard import IdNumberError, parse_id_number
from common.search import limit_message
from common.sheets import CellProblem, Table
from people import validators
from people.groups import parse_groups
from people.models import Person
from people.selectors import ELSEWHERE, elsewhere_record, registered_elsewhere, search_exhausted
from posts.models import Duty
from townships.models import County, Line, Village

from .migration_write import OLD_PAY, Progress, holders_write, terms_assess
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


class HolderImporter(imports.Importer[HolderRow]):
    """A county's holders already on posts."""

    required = COLUMNS
    optional = OPTIONAL

    def __init__(self, *, county: County, actor: User, progress: Progress) -> None:
        self.county, self.actor, self.progress = county, actor, progress
        self.seen: dict[str, int] = {}
        self.legacy: set[int] = set()  # rows kept on their old terms
        self.villages_created: list[str] = []

    def prepare(self, table: Table) -> None:
        self.townships = {t.code: t for t in self.county.townships.all()}
        self.duties = {(d.line, d.category.name, d.name): d for d in Duty.objects.select_related("category")}

    def row(self, cells: imports.Cells) -> HolderRow | None:
        county, number = self.county, cells.number
        name = ""
        try:
            name = validators.clean_name(cells.text("姓名", required=True))
        except ValueError as exc:
            cells.problem("姓名", str(exc))
        parsed = None
        try:
            parsed = parse_id_number(cells.text("身份证号", required=True))
        except IdNumberError as exc:
            cells.problem("身份证号", str(exc))
        if parsed is not None:
            if parsed.number in self.seen:
                cells.problem("身份证号", f"与第{self.seen[parsed.number]}行的身份证号重复")
            self.seen.setdefault(parsed.number, number)
        township = self.townships.get(cells.text("镇街代码", required=True))
        if township is None and cells["镇街代码"]:
            cells.problem("镇街代码", f"「{cells['镇街代码']}」不是{county.name}的乡镇（街道）代码")
        village = cells.text("村（社区）", required=True)
        cells.at_most("村（社区）", TEXT_LIMITS["村（社区）"])  # type: ignore[arg-type]  # the field has a max_length
        cells.at_most("开户银行", TEXT_LIMITS["开户银行"])  # type: ignore[arg-type]  # the field has a max_length
        line = LINES.get(cells.text("岗位类型", required=True))
        if line is None and cells["岗位类型"]:
            cells.problem("岗位类型", "岗位类型应为「城镇」或「乡村」")
        category, duty_name = cells.text("岗位类别", required=True), cells.text("岗位名称", required=True)
        duty = self.duties.get((line, category, duty_name))  # type: ignore[arg-type]  # a None line finds no duty
        if duty is None and line and cells["岗位类别"] and cells["岗位名称"]:
            cells.problem(
                "岗位名称",
                f"「{cells['岗位类别']}·{cells['岗位名称']}」不是{Line(line).label}岗位的类别和职责",
            )
        groups: list[str] = []
        try:
            groups = parse_groups(cells.text("人员类别", required=True))
        except ValueError as exc:
            cells.problem("人员类别", str(exc))
        on_post = cells.date("上岗日期", required=True)
        start = cells.date("协议开始日期", required=True)
        end = cells.date("协议结束日期", required=True)
        if start and end and end < start:
            cells.problem("协议结束日期", "协议结束日期早于开始日期")
        months_text = cells.text("原在岗月数") or "0"
        prior = int(months_text) if months_text.isascii() and months_text.isdigit() else -1
        if prior < 0 or prior > 120:
            cells.problem("原在岗月数", "原在岗月数应为0至120的整数")
        first_approved = cells.date(FIRST_APPROVAL)
        if first_approved and start and first_approved > start:
            cells.problem(FIRST_APPROVAL, f"初次核定日期（{first_approved}）晚于协议开始日期（{start}）")
        if start and not first_approved and 0 <= prior <= 120:
            first_approved = start - relativedelta(months=prior)
        exit_date = cells.date("离岗日期")
        reason = EXIT_REASONS.get(cells.text("离岗原因"), "")
        if exit_date and not reason:
            cells.problem("离岗原因", "填写了离岗日期的，须填写离岗原因：" + "、".join(ExitReason.labels))
        if exit_date and on_post and exit_date < on_post:
            cells.problem("离岗日期", "离岗日期早于上岗日期")
        bank = ""
        try:
            bank = validators.clean_bank_account(cells.text("银行账号"))
        except ValueError as exc:
            cells.problem("银行账号", str(exc))
        old_pay = _money(cells, OLD_PAY)
        if cells.bad or parsed is None or township is None or duty is None:
            return None
        return HolderRow(
            row=number,
            name=name,
            id_number=parsed.number,
            township_id=township.pk,
            township_code=township.code,
            village=village,
            line=line,  # type: ignore[arg-type]  # cells.bad when the line is missing
            duty=duty,
            groups=groups,
            on_post=on_post,  # type: ignore[arg-type]  # cells.bad when the date is missing
            start=start,  # type: ignore[arg-type]  # cells.bad when the date is missing
            end=end,  # type: ignore[arg-type]  # cells.bad when the date is missing
            prior_months=prior,
            exit_date=exit_date,
            exit_reason=reason,
            bank_account=bank,
            bank_name=cells.text("开户银行"),
            old_pay=old_pay,
            first_approved=first_approved,
        )

    def finish(self, rows: list[HolderRow], problems: list[CellProblem]) -> None:
        """The rows against the people and posts already held; then, for a file good so far,
        which holders keep their old terms (and those refused for want of their old pay)."""
        problems.extend(_against_database(self.county, rows))
        if problems:
            return
        self.legacy, refused = terms_assess(county=self.county, rows=rows)
        problems.extend(refused)

    def problem_order(self, problem: CellProblem) -> tuple:
        return (problem.row, problem.column)

    def write(self, rows: list[HolderRow]) -> None:
        holders_write(
            county=self.county,
            rows=rows,
            legacy=self.legacy,
            actor=self.actor,
            created_villages=self.villages_created,
            progress=self.progress,
        )


def _money(cells: imports.Cells, column: str) -> Decimal | None:
    """An amount in yuan (common.params.amount: to the fen, above 0, below 100,000), or None when
    the cell is empty."""
    text = cells.text(column)
    if not text:
        return None
    try:
        return params.amount(text, label=column)
    except ValidationError:
        cells.problem(column, f"{column}应为以元为单位、最多两位小数的金额，如 1700.00")
        return None


def _against_database(county: County, rows: list[HolderRow]) -> list[CellProblem]:
    """Holders registered in another township, or already on a post. Three queries."""
    problems: list[CellProblem] = []
    numbers = [r.id_number for r in rows]
    people = dict(Person.objects.filter(id_number__any=numbers).values_list("id_number", "township_id"))
    ours = set(county.townships.values_list("pk", flat=True))
    exhausted = search_exhausted()  # past the limit of searches by number (people.selectors)
    holding = set(
        Application.objects.filter(person__id_number__any=numbers, holds_post=True).values_list(
            "person__id_number", flat=True
        )
    )
    for row in rows:
        township_id = people.get(row.id_number)
        if township_id in ours and township_id != row.township_id:  # the county's own people
            problems.append(CellProblem(row.row, "身份证号", "该人员已在本区县其他乡镇（街道）登记"))
        elif exhausted and township_id not in ours:  # free or another county's: neither is told
            problems.append(CellProblem(row.row, "身份证号", limit_message()))
        elif township_id is not None and township_id not in ours:  # another county's: counted, recorded
            elsewhere_record(township=None, numbers=[row.id_number])
            answer = registered_elsewhere(number=row.id_number)
            exhausted = answer != ELSEWHERE
            problems.append(CellProblem(row.row, "身份证号", answer))
        if row.id_number in holding and row.exit_date is None:
            problems.append(CellProblem(row.row, "身份证号", "该人员已在岗，同一人只能占用一个公益性岗位"))
    return problems


def placements_import(
    *, county: County, source: str | IO[bytes], dry_run: bool, actor: User, progress: Progress | None = None
) -> MigrationReport:
    """Check every row, then (when all are good, and unless dry_run) write every holder
    set-based (placements.migration_write), all or nothing; a dry run writes nothing.
    `progress(rows done, rows)` is told as the work goes (a background job's bar)."""
    importer = HolderImporter(county=county, actor=actor, progress=progress or (lambda done, total: None))
    checked = imports.run(importer, source, dry_run=dry_run, progress=progress)
    return MigrationReport(
        rows=checked.rows,
        problems=checked.problems,
        imported=checked.written,
        villages_created=importer.villages_created,
        legacy=len(importer.legacy) if checked.ok else 0,
    )


def kept_on_old_terms(report: MigrationReport) -> str:
    """What HR is told of the holders the file keeps on their old terms."""
    if not report.legacy:
        return ""
    return f"其中{report.legacy}人不符合现行条件，按原协议待遇至协议期满。"
