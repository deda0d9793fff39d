from django.core.management.base import BaseCommand, CommandError, CommandParser

from posts.exports import plan_workbook_write
from posts.selectors import plan_report
from townships.models import Plan


class Command(BaseCommand):
    help = "导出区县年度城乡公益性岗位开发计划（含已上岗人数）为 .xlsx"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", required=True, help="区县代码，如 371502")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--output", required=True, help="输出文件路径 .xlsx")

    def handle(self, *args: object, county: str, year: int, output: str, **options: object) -> None:
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
