import datetime as dt

from django.core.management.base import CommandError, CommandParser

from audit import record as audit
from audit.commands import AuditedCommand
from common.commands import county_by_code
from subsidies.reports import insurance_workbook_write


class Command(AuditedCommand):
    help = "导出乡村公益性岗位在岗人员意外伤害保险参保名单"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", required=True)
        parser.add_argument("--on", default="", help="在岗日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--output", required=True)

    def handle(self, *args: object, county: str, on: str, output: str, **options: object) -> None:
        found = county_by_code(county)
        try:
            day = dt.date.fromisoformat(on) if on else dt.date.today()
        except ValueError as exc:
            raise CommandError(f"日期「{on}」应写成 2022-03-01 的格式") from exc
        count = insurance_workbook_write(county=found, on=day, target=output)
        audit.access(found, f"导出意外伤害保险参保名单到 {output}（含完整身份证号）", rows=count)
        self.stdout.write(f"已导出 {output}：{count} 人。")
