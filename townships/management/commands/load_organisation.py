from django.core.management.base import CommandParser

from audit.commands import AuditedCommand
from common.commands import county_by_code, fail_with_problems, sheet_opened
from townships.onboarding import organisation_import


class Command(AuditedCommand):
    help = "从表格导入一个区县的乡镇（街道）和村（社区）（先检查，全部无误才导入；docs/policy.md §1.6）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--county", required=True, help="区县代码，如 371502")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不导入")

    def handle(self, *args: object, file: str, county: str, dry_run: bool, **options: object) -> None:
        found = county_by_code(county)
        with sheet_opened(file) as source:
            checked = organisation_import(county=found, source=source, dry_run=dry_run)
        if not checked.ok:
            fail_with_problems(self, checked.problems)
        verb = "检查通过（未导入）" if dry_run else "已导入"
        self.stdout.write(f"{found.name}：{verb}，共 {len(checked.rows)} 行。")
