from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from audit.commands import AuditedCommand
from common.commands import county_by_code
from subsidies import payroll
from subsidies.tasks import dispatch


class Command(AuditedCommand):
    help = "计算某区县某月的公益性岗位补贴（默认交给 Celery；--sync 在本进程计算）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", required=True, help="区县代码，如 371502")
        parser.add_argument("--month", required=True, help="月份，如 2022-03")
        parser.add_argument("--sync", action="store_true", help="在本进程同步计算")

    def handle(self, *args: object, county: str, month: str, sync: bool, **options: object) -> None:
        found = county_by_code(county)
        try:
            run = payroll.run_for(found, payroll.month_start(month))
            if sync:
                run = payroll.compute_run(run)
                self.stdout.write(f"{run}：已计算，共 {run.lines.count()} 条。")
                return
            run = payroll.start(run)  # the new attempt, which the task must carry
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        result = dispatch(run)
        self.stdout.write(f"{run}：已提交计算任务 {result.id}。")
