"""A county's pay policies from a sheet (docs/policy.md §8.1), through the one import pipeline
(common.imports): one row per line and period, each checked by the same rules as the page and the
admin (policy_check for its fields, policy_period_check for its period against the stored
policies and the sheet's other rows), a preview that writes nothing and says which open policy
each row will close, then every row saved by policy_save in one transaction, or none."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from django.core.exceptions import ValidationError

from common import imports
from common.sheets import CellProblem, Table
from townships.models import County, Line

from .models import SubsidyPolicy
from .policies import periods_simulate, policy_save
from .services import policy_check

P_LINE, P_FROM, P_TO, P_DOCUMENT = "城乡", "起始日期", "截止日期", "文件"
P_BASIS, P_HOURLY, P_HOURS, P_MONTHLY, P_ANNUAL = (
    "补贴标准方式",
    "小时标准（元）",
    "每日工作小时",
    "月补贴（元）",
    "年补贴（元/人）",
)
P_DAYS, P_SPLIT, P_PROVINCE, P_PROVINCE_PCT, P_CITY_PCT = (
    "每月规定出勤天数",
    "资金分担方式",
    "省级定额（元/人·年）",
    "省级比例（%）",
    "市级比例（%）",
)
POLICY_COLUMNS = (P_LINE, P_FROM, P_DOCUMENT, P_BASIS, P_DAYS, P_SPLIT)
POLICY_OPTIONAL = (P_TO, P_HOURLY, P_HOURS, P_MONTHLY, P_ANNUAL, P_PROVINCE, P_PROVINCE_PCT, P_CITY_PCT)
# The model's fields by column: a rule's refusal of a field is named in its column.
FIELDS = {
    "line": P_LINE,
    "valid_from": P_FROM,
    "valid_to": P_TO,
    "document": P_DOCUMENT,
    "basis": P_BASIS,
    "hourly_rate": P_HOURLY,
    "hours_per_day": P_HOURS,
    "monthly_amount": P_MONTHLY,
    "annual_amount": P_ANNUAL,
    "required_days": P_DAYS,
    "split": P_SPLIT,
    "province_annual": P_PROVINCE,
    "province_percent": P_PROVINCE_PCT,
    "city_percent": P_CITY_PCT,
}
AMOUNTS = {
    "hourly_rate": P_HOURLY,
    "hours_per_day": P_HOURS,
    "monthly_amount": P_MONTHLY,
    "annual_amount": P_ANNUAL,
    "province_annual": P_PROVINCE,
    "province_percent": P_PROVINCE_PCT,
    "city_percent": P_CITY_PCT,
}
B, S = SubsidyPolicy.Basis, SubsidyPolicy.Split
# A sheet names the way by a short word or by the page's whole label.
BASES: dict[str, str] = {
    "小时标准": B.HOURLY,
    "最低小时工资": B.MINIMUM_HOURLY,
    "每月固定": B.MONTHLY,
    "每年固定": B.ANNUAL,
}
BASES |= {str(label): value for value, label in B.choices}
SPLITS: dict[str, str] = {"省级定额": S.FIXED_PROVINCE, "省市比例": S.PERCENTAGES, "区级承担": S.DISTRICT}
SPLITS |= {str(label): value for value, label in S.choices}
LINES = {str(label): value for value, label in Line.choices}
NOTES = [
    "第一行为列标题，请勿修改；从第二行起每行一条补贴标准：一个城乡类别的一个期间。",
    "城乡填“城镇”或“乡村”；日期按 2026-01-01 的格式填写；截止日期可不填（一直有效，直到下一条标准开始）。",
    "同一城乡类别的期间不能重叠；已有的、未填截止日期的标准，在新标准起始日期的前一天截止（预览时列出）。",
    "补贴标准方式填：小时标准（小时标准×每日小时×规定出勤天数，须填小时标准和每日工作小时）、"
    "最低小时工资（按当月小时最低工资标准，须填每日工作小时）、每月固定（须填月补贴）、每年固定（须填年补贴）。",
    "资金分担方式填：省级定额（须填省级定额和市级比例，市级比例为扣除省级后的比例）、"
    "省市比例（须填省级比例和市级比例，合计不超过100）、区级承担（按原渠道，全部由区县承担）。",
    "比例填0至100之间的数，如40表示40%；金额单位为元，最多两位小数。",
    "有任何错误时不导入任何数据；先“只检查”预览。",
]


@dataclass(frozen=True)
class PolicyRow:
    row: int
    policy: SubsidyPolicy  # not saved; policy_save saves it


class PolicyImporter(imports.Importer[PolicyRow]):
    """One policy per row, of the importer's county. Rows are saved in the order of their line
    and start, as the page would save them one after the other."""

    required = POLICY_COLUMNS
    optional = POLICY_OPTIONAL

    def __init__(self, *, county: County) -> None:
        self.county = county
        self.closings: list[str] = []  # what the rows will close, for the preview

    def prepare(self, table: Table) -> None:
        self.stored = list(SubsidyPolicy.objects.filter(county=self.county))

    def row(self, cells: imports.Cells) -> PolicyRow | None:
        values = {
            "line": _choice(cells, P_LINE, LINES),
            "valid_from": cells.date(P_FROM, required=True),
            "valid_to": cells.date(P_TO),
            "document": cells.text(P_DOCUMENT, required=True),
            "basis": _choice(cells, P_BASIS, BASES),
            "split": _choice(cells, P_SPLIT, SPLITS),
            "required_days": _days(cells),
            **{name: _decimal(cells, column) for name, column in AMOUNTS.items()},
        }
        if cells.bad:
            return None
        policy = SubsidyPolicy(county=self.county, **values)
        try:
            policy.clean_fields(exclude=["county"])
            policy_check(policy)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    cells.problem(FIELDS.get(name, ""), message)
            return None
        return PolicyRow(cells.number, policy)

    def finish(self, rows: list[PolicyRow], problems: list[CellProblem]) -> None:
        """Each row's period against the stored policies and the sheet's other rows."""
        number = {id(r.policy): r.row for r in rows}
        refused, self.closings = periods_simulate([r.policy for r in rows], self.stored)
        for policy, errors in refused:
            for name, messages in errors.items():
                problems.extend(CellProblem(number[id(policy)], FIELDS[name], m) for m in messages)

    def write(self, rows: list[PolicyRow]) -> None:
        for row in sorted(rows, key=lambda r: (r.policy.line, r.policy.valid_from)):
            try:
                policy_save(policy=row.policy)
            except ValidationError as exc:  # a policy saved meanwhile (a race)
                raise imports.RowsRefused([CellProblem(row.row, "", "；".join(exc.messages))]) from exc


def _choice(cells: imports.Cells, column: str, choices: dict[str, str]) -> str:
    label = cells.text(column, required=True)
    if label and label not in choices:
        short = [name for name in choices if len(name) <= 6]
        cells.problem(column, f"{column}只能填{'、'.join(short)}")
    return choices.get(label, "")


def _days(cells: imports.Cells) -> int | None:
    text = cells.text(P_DAYS, required=True)
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value != value.to_integral_value():
        cells.problem(P_DAYS, f"{P_DAYS}须为整数")
        return None
    return int(value)


def _decimal(cells: imports.Cells, column: str) -> Decimal | None:
    """An amount or a percentage (40 or 40%), exactly as written; empty: None."""
    text = cells.text(column).removesuffix("%").removesuffix("％").replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        cells.problem(column, f"{column}须为数字")
        return None
    if not value.is_finite():
        cells.problem(column, f"{column}须为数字")
        return None
    return value


def policies_import(
    *, county: County, source: str | IO[bytes], dry_run: bool
) -> tuple[imports.Checked[PolicyRow], list[str]]:
    """Check a county's policies sheet; unless `dry_run`, save every row or none. Also returns
    what the rows close (「文件」的截止日期将定为…), for the preview."""
    importer = PolicyImporter(county=county)
    return imports.run(importer, source, dry_run=dry_run), importer.closings
