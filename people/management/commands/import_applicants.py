from django.core.management.base import CommandError, CommandParser

from audit.commands import AuditedCommand
from common.commands import fail_with_problems, sheet_opened
from people.imports import applicants_import
from townships.models import Township


class Command(AuditedCommand):
    help = "从 .xlsx 导入某乡镇（街道）的申请人（全部成功才导入；--dry-run 只检查不导入）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="申请人 .xlsx 文件（按模板填写）")
        parser.add_argument("--township", required=True, help="乡镇（街道）代码，如 371502101")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args: object, file: str, township: str, dry_run: bool, **options: object) -> None:
        town = Township.objects.select_related("county").filter(code=township).first()
        if town is None:
            raise CommandError(f"没有代码为 {township} 的乡镇（街道）。")
        with sheet_opened(file) as source:
            report = applicants_import(township=town, source=source, dry_run=dry_run)
        if not report.ok:
            fail_with_problems(self, report.problems)
        verb = "检查通过（未导入）" if dry_run else "已导入"
        self.stdout.write(
            f"{town.name}：{verb} {report.total} 人（新增 {report.created}，更新 {report.updated}）。"
        )
