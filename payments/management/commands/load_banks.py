from django.core.management.base import CommandError, CommandParser

from audit.commands import AuditedCommand
from common.commands import fail_with_problems
from payments.bank_sheet import banks_import
from townships.models import County


class Command(AuditedCommand):
    help = "从表格导入一个区县的代发银行（先检查，全部无误才导入；docs/policy.md §9.11）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--county", required=True, help="区县代码，如 371502")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不导入")

    def handle(self, *args: object, file: str, county: str, dry_run: bool, **options: object) -> None:
        found = County.objects.filter(code=county).first()
        if found is None:
            raise CommandError(f"没有代码为 {county} 的区县。")
        try:
            with open(file, "rb") as source:
                checked = banks_import(county=found, source=source, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"无法打开文件 {file}：{exc.strerror}") from exc
        if not checked.ok:
            fail_with_problems(self, checked.problems)
        verb = "检查通过（未导入）" if dry_run else "已导入"
        self.stdout.write(f"{found.name}：{verb}，共 {len(checked.rows)} 家代发银行。")
