"""The city and province pages' tables as workbooks, through the one safe writer (common.xlsx).
No person appears in them: figures only (docs/policy.md §1.4)."""

from typing import IO

from common.xlsx import Sheet, write_workbook
from posts.selectors import PlanReport, plan_report_table
from subsidies.models import MonthAggregate
from townships.models import County, Line

from .selectors import PARTY_LABELS, Area, CountyFigures, month_totals

AREA_HEADERS = [
    "市",
    "区县代码",
    "区县",
    "计划合计",
    "计划城镇",
    "计划乡村",
    "已上岗合计（锁定时）",
    "城镇已上岗（锁定时）",
    "乡村已上岗（锁定时）",
    "最近锁定月份",
    "发放人数（城镇）",
    "发放人数（乡村）",
    "补贴金额",
    "省级承担",
    "市级承担",
    "区级承担",
]


def _area_cells(city: str, row: CountyFigures, code: str, name: str) -> list:
    return [
        city,
        code,
        name,
        row.planned_total,
        row.planned[Line.URBAN],
        row.planned[Line.RURAL],
        row.filled_total,
        row.filled[Line.URBAN],
        row.filled[Line.RURAL],
        f"{row.latest_month:%Y-%m}" if row.latest_month else "",
        row.people[Line.URBAN],
        row.people[Line.RURAL],
        *(row.spent[k] for k in ("pay", "province", "city", "district")),
    ]


def area_workbook_write(*, area: Area, target: str | IO[bytes]) -> int:
    """The area's counties (under their cities, with subtotals) and the funds due per month."""
    rows: list[list] = []
    for city, counties, subtotal in area.by_city:
        rows += [_area_cells(city.name, r, r.county.code, r.county.name) for r in counties]
        rows.append(_area_cells(city.name, subtotal, "", "小计"))
    total = area.totals
    summary = Sheet(
        name="各区县汇总",
        title=f"{area.title}{area.year}年城乡公益性岗位计划执行与资金（已锁定月份）",
        headers=AREA_HEADERS,
        rows=rows,
        totals=_area_cells("合计", total, "", "") if total else None,
        money_columns={12, 13, 14, 15},
        widths={2: 14},
    )
    sheets = [summary]
    if area.party:
        label = PARTY_LABELS[area.party]
        due = Sheet(
            name="应承担资金",
            title=f"{area.title}{area.year}年{label}应承担资金（按区县、月份）",
            headers=["市", "区县", *(f"{m:%Y-%m}" for m in area.months), "合计"],
            rows=(
                [r.county.city.name, r.county.name, *area.due_cells(r), r.due_total] for r in area.counties
            ),
            totals=["合计", "", *(area.due_cells(total) if total else []), total.due_total if total else 0],
            money_columns=set(range(2, len(area.months) + 3)),
        )
        sheets.append(due)
    return write_workbook(target, sheets)


MONTH_HEADERS = [
    "发放人数",
    "补贴金额",
    "省级承担",
    "市级承担",
    "区级承担",
    "其中补发扣回",
    "其中绩效奖励",
    "社保补贴",
]
MONTH_KEYS = ("people", "pay", "province", "city", "district", "adjustment_pay", "bonus", "social_total")


def county_workbook_write(
    *,
    county: County,
    year: int,
    report: PlanReport | None,
    rows: list[MonthAggregate],
    target: str | IO[bytes],
) -> int:
    """A county's page: its plan report, its locked months per township and line, per month."""
    sheets = []
    if report is not None:
        headers, plan_rows, plan_totals = plan_report_table(report)
        sheets.append(
            Sheet(
                name="计划执行", title=report.plan.title, headers=headers, rows=plan_rows, totals=plan_totals
            )
        )
    money = set(range(5, 12))
    sheets.append(
        Sheet(
            name="分镇街分月",
            title=f"{county.name}{year}年已锁定月份补贴资金（分镇街、城乡）",
            headers=["镇街代码", "镇街", "月份", "城乡", *MONTH_HEADERS],
            rows=(
                [
                    r.township.code,
                    r.township.name,
                    f"{r.month:%Y-%m}",
                    r.get_line_display(),
                    *(getattr(r, k) for k in MONTH_KEYS),
                ]
                for r in rows
            ),
            money_columns=money,
            widths={1: 14},
        )
    )
    sheets.append(
        Sheet(
            name="分月汇总",
            title=f"{county.name}{year}年已锁定月份补贴资金分月汇总",
            headers=["月份", *MONTH_HEADERS],
            rows=([f"{m['month']:%Y-%m}", *(m[k] for k in MONTH_KEYS)] for m in month_totals(county, year)),
            money_columns=set(range(2, 9)),
        )
    )
    return write_workbook(target, sheets)
