from django.core.management.base import CommandParser

from audit.commands import AuditedCommand
from common.commands import command_actor, county_by_code, fail_with_problems, sheet_opened
from placements.migration import kept_on_old_terms, placements_import


class Command(AuditedCommand):
    help = "新老衔接：从 .xlsx 导入区县已在岗人员（全部成功才导入；--dry-run 只检查不导入）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="在岗人员 .xlsx 文件")
        parser.add_argument("--county", required=True, help="区县代码，如 371502")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--user", default="", help="记为经办人的用户名（默认第一个超级用户）")

    def handle(
        self, *args: object, file: str, county: str, dry_run: bool, user: str, **options: object
    ) -> None:
        found = county_by_code(county)
        actor = command_actor(user)
        with sheet_opened(file) as source:
            report = placements_import(county=found, source=source, dry_run=dry_run, actor=actor)
        if not report.ok:
            fail_with_problems(self, report.problems)
        verb = "检查通过（未导入）" if dry_run else "已导入"
        exited = sum(1 for r in report.rows if r.exit_date)
        counts = f"{found.name}：{verb}在岗人员 {len(report.rows)} 人（其中已离岗 {exited} 人）。"
        self.stdout.write(counts + kept_on_old_terms(report))
        if report.villages_created:
            self.stdout.write("新建村（社区）：" + "、".join(sorted(set(report.villages_created))))
