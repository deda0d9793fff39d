import datetime as dt

from django.core.management.base import CommandError, CommandParser

from audit.commands import AuditedCommand
from common.commands import county_by_code, sheet_opened
from people.models import RosterKind
from people.rosters import roster_file_import


class Command(AuditedCommand):
    help = "导入部门名单（乡村振兴/民政/残联/死亡/养老金），按身份证号核验人员类别"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--county", required=True)
        parser.add_argument("--kind", required=True, choices=[k.value for k in RosterKind])
        parser.add_argument("--date", required=True, help="名单日期 YYYY-MM-DD")

    def handle(self, *args: object, file: str, county: str, kind: str, date: str, **options: object) -> None:
        target = county_by_code(county)
        try:
            roster_date = dt.date.fromisoformat(date)
        except ValueError as exc:
            raise CommandError(f"名单日期「{date}」应写成 YYYY-MM-DD") from exc
        with sheet_opened(file) as source:
            report = roster_file_import(
                county=target, kind=kind, roster_date=roster_date, source=source, file_name=file, actor=None
            )
        if report.roster is None:
            for p in report.problems:
                self.stderr.write(f"第{p.row}行{('「' + p.column + '」') if p.column else ''}：{p.message}")
            raise CommandError(f"共 {len(report.problems)} 处错误，名单未导入。")
        self.stdout.write(f"已导入{report.roster.get_kind_display()}名单 {report.roster.row_count} 人。")
