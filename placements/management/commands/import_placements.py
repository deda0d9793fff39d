from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser

from audit.commands import AuditedCommand
from common.commands import fail_with_problems
from placements.migration import kept_on_old_terms, placements_import
from townships.models import County


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
        found = County.objects.filter(code=county).first()
        if found is None:
            raise CommandError(f"没有代码为 {county} 的区县。")
        actor = (
            User.objects.filter(username=user) if user else User.objects.filter(is_superuser=True)
        ).first()
        actor = actor or User.objects.get_or_create(username="system", defaults={"is_active": False})[0]
        try:
            with open(file, "rb") as source:
                report = placements_import(county=found, source=source, dry_run=dry_run, actor=actor)
        except OSError as exc:
            raise CommandError(f"无法打开文件 {file}：{exc.strerror}") from exc
        if not report.ok:
            fail_with_problems(self, report.problems)
        verb = "检查通过（未导入）" if dry_run else "已导入"
        exited = sum(1 for r in report.rows if r.exit_date)
        counts = f"{found.name}：{verb}在岗人员 {len(report.rows)} 人（其中已离岗 {exited} 人）。"
        self.stdout.write(counts + kept_on_old_terms(report))
        if report.villages_created:
            self.stdout.write("新建村（社区）：" + "、".join(sorted(set(report.villages_created))))
