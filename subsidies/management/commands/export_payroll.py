from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from audit import record as audit
from audit.commands import AuditedCommand
from subsidies import payroll
from subsidies.exports import payroll_workbook_write
from subsidies.models import PayrollRun
from townships.models import County


class Command(AuditedCommand):
    help = "导出某区县某月的补贴发放表（.xlsx；未锁定的月份标为草稿）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", required=True)
        parser.add_argument("--month", required=True, help="如 2022-03")
        parser.add_argument("--township", default="", help="只导出一个镇街")
        parser.add_argument("--output", required=True)

    def handle(
        self, *args: object, county: str, month: str, township: str, output: str, **options: object
    ) -> None:
        try:
            first = payroll.month_start(month)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        run = PayrollRun.objects.filter(county__code=county, month=first).select_related("county").first()
        if run is None or not run.lines.exists():
            raise CommandError(f"{county} {month} 还没有计算结果，请先计算。")
        town = None
        if township:
            town = County.objects.get(code=county).townships.filter(code=township).first()
            if town is None:
                raise CommandError(f"{county} 没有代码为 {township} 的镇街。")
        count = payroll_workbook_write(run=run, target=output, township=town)
        audit.access(run, f"导出补贴发放表到 {output}（含完整身份证号、银行账号）", rows=count)
        self.stdout.write(f"已导出 {output}：{count} 条。")
