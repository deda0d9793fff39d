"""Exports of plans: rows only; common.xlsx writes them."""

from typing import IO

from common.xlsx import Sheet, write_workbook

from .selectors import FiveYearReport, PlanReport, five_year_tables, plan_report_table


def plan_workbook_write(*, report: PlanReport, target: str | IO[bytes]) -> int:
    headers, rows, totals = plan_report_table(report)
    sheet = Sheet(
        name=f"{report.plan.year}年计划",
        title=report.plan.title,
        subtitle="单位：个",
        headers=headers,
        rows=rows,
        totals=totals,
        widths={0: 18, 1: 16},
    )
    return write_workbook(target, [sheet])


def plan_filename(report: PlanReport) -> str:
    return f"{report.plan.county.code}-{report.plan.year}-plan.xlsx"


def five_year_workbook_write(*, report: FiveYearReport, target: str | IO[bytes]) -> int:
    """The five-year report (docs/policy.md §2.5): a sheet per year and a sheet per township."""
    headers, rows, totals, town_headers, town_rows = five_year_tables(report)
    five = report.five_year
    by_year = Sheet(
        name="分年度",
        title=five.title,
        subtitle=(
            f"{five.first_year}—{five.last_year}年 · 目标{five.target}个"
            f"（城镇{five.target_urban}、乡村{five.target_rural}） · 单位：个"
        ),
        headers=headers,
        rows=rows,
        totals=totals,
        number_columns={1, 2, 3, 4},
    )
    by_township = Sheet(
        name="分乡镇（街道）",
        title=f"{five.title}（分乡镇（街道））",
        subtitle="单位：个",
        headers=town_headers,
        rows=town_rows,
        widths={0: 18, 1: 16},
        number_columns=set(range(2, len(town_headers))),
    )
    write_workbook(target, [by_year, by_township])
    return len(rows)


def five_year_filename(report: FiveYearReport) -> str:
    five = report.five_year
    return f"{five.county.code}-{five.first_year}-{five.last_year}-plan.xlsx"
