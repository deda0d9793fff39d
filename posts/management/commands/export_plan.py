from django.core.management.base import BaseCommand, CommandError, CommandParser

from posts.exports import five_year_workbook_write, plan_workbook_write
from posts.selectors import five_year_report, plan_report
from townships.models import County, Plan
from townships.plans import five_year_plan_of


class Command(BaseCommand):
    help = (
        "导出区县年度城乡公益性岗位开发计划（含已上岗人数）为 .xlsx；"
        "加 --five-years 导出包含该年度的五年目标及各年度计划完成情况（docs/policy.md §2.5）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", required=True, help="区县代码，如 371502")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--output", required=True, help="输出文件路径 .xlsx")
        parser.add_argument(
            "--five-years", action="store_true", help="导出包含该年度的五年目标：分年度、分乡镇（街道）"
        )

    def handle(
        self, *args: object, county: str, year: int, output: str, five_years: bool, **options: object
    ) -> None:
        if five_years:
            self._five_years(county, year, output)
            return
        plan = Plan.objects.select_related("county").filter(county__code=county, year=year).first()
        if plan is None:
            raise CommandError(f"没有找到区县 {county} 的 {year} 年开发计划。")
        report = plan_report(plan=plan, townships=plan.county.townships.all())
        rows = plan_workbook_write(report=report, target=output)
        totals = report.totals
        self.stdout.write(
            f"已导出 {plan.title}：{rows} 个镇（街道），合计 {totals.total}"
            f"（城镇 {totals.urban}，乡村 {totals.rural}）→ {output}"
        )

    def _five_years(self, code: str, year: int, output: str) -> None:
        county = County.objects.filter(code=code).first()
        five = five_year_plan_of(county, year) if county else None
        if county is None or five is None:
            raise CommandError(f"没有找到区县 {code} 包含 {year} 年的五年目标。")
        report = five_year_report(five_year=five, townships=county.townships.all())
        five_year_workbook_write(report=report, target=output)
        totals = report.totals
        self.stdout.write(
            f"已导出 {five.title}：目标 {totals.target}，已计划 {totals.planned}，"
            f"已上岗 {totals.filled} → {output}"
        )
