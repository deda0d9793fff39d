"""Exports of plans: rows only; common.xlsx writes them."""

from typing import IO

from common.xlsx import Sheet, write_workbook

from .selectors import PlanReport, plan_report_table


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
