from pathlib import Path

from django.core.management.base import CommandParser

from audit.commands import AuditedCommand
from common.commands import fail_with_problems, sheet_opened
from townships.onboarding import calendar_import


class Command(AuditedCommand):
    help = "从表格导入一个年度的工作日历（日期、是否工作日、说明；docs/policy.md §1.7）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--document", default="", help="国务院办公厅放假安排通知（默认：表格文件名）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不导入")

    def handle(self, *args: object, file: str, document: str, dry_run: bool, **options: object) -> None:
        with sheet_opened(file) as source:
            checked = calendar_import(source=source, document=document or Path(file).name, dry_run=dry_run)
        if not checked.ok:
            fail_with_problems(self, checked.problems)
        verb = "检查通过（未导入）" if dry_run else "已导入，该年度按此日历计算工作日"
        self.stdout.write(f"工作日历：{verb}，共 {len(checked.rows)} 天。")
