from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from audit.commands import AuditedCommand
from subsidies.aggregates import aggregates_rebuild
from townships.models import County


class Command(AuditedCommand):
    help = "重新生成已锁定月份的汇总（市级、省级页面所读，docs/policy.md §9.12），补写此前锁定的月份"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", default="", help="只处理这个区县（代码，如 371502）")
        parser.add_argument("--month", default="", help="只处理这个月份，如 2022-03")

    def handle(self, *args: object, county: str, month: str, **options: object) -> None:
        if county and not County.objects.filter(code=county).exists():
            raise CommandError(f"没有代码为 {county} 的区县。")
        try:
            months, rows = aggregates_rebuild(county_code=county, month=month)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已重新生成{months}个已锁定月份的汇总，共{rows}行。")
