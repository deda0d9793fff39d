from django.core.management.base import BaseCommand, CommandParser

from common.commands import county_by_code
from subsidies.reports import cost_workbook_write


class Command(BaseCommand):
    help = "导出某区县某年的补贴资金分担表（分镇街分月，省、市、区各自承担）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--output", required=True)

    def handle(self, *args: object, county: str, year: int, output: str, **options: object) -> None:
        found = county_by_code(county)
        count = cost_workbook_write(county=found, year=year, target=output)
        self.stdout.write(f"已导出 {output}：{count} 行。")
