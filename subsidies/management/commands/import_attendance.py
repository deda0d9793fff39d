from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from audit.commands import AuditedCommand
from common.commands import command_actor, fail_with_problems, sheet_opened
from subsidies.attendance import attendance_import, corrected
from subsidies.payroll import month_start
from townships.models import Township


class Command(AuditedCommand):
    help = "导入某月考勤（身份证号、出勤天数、备注；全部成功才导入）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--month", required=True, help="如 2022-03")
        parser.add_argument("--township", default="", help="只接受该镇街在岗人员")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--user", default="", help="记为录入人的用户名（默认第一个超级用户）")

    def handle(
        self, *args: object, file: str, month: str, township: str, dry_run: bool, user: str, **o: object
    ) -> None:
        try:
            first = month_start(month)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        town = None
        if township:
            town = Township.objects.filter(code=township).first()
            if town is None:
                raise CommandError(f"没有代码为 {township} 的乡镇（街道）。")
        actor = command_actor(user)
        with sheet_opened(file) as source:
            report = attendance_import(
                township=town, month=first, source=source, actor=actor, dry_run=dry_run
            )
        if not report.ok:
            fail_with_problems(self, report.problems)
        verb = "检查通过（未导入）" if dry_run else "已导入"
        self.stdout.write(
            f"{first:%Y年%m月}考勤：{verb}。"
            + (f"共 {report.saved} 人。{corrected(report)}" if not dry_run else "")
        )
