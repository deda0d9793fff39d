from django.core.management.base import CommandParser

from accounts.user_import import users_import
from audit.commands import AuditedCommand
from common.commands import county_by_code, fail_with_problems, sheet_opened


class Command(AuditedCommand):
    help = (
        "从表格导入一个区县的用户（先检查，全部无误才导入；一次性初始密码只输出这一次；docs/policy.md §1.8）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--county", required=True, help="区县代码，如 371502")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不导入")

    def handle(self, *args: object, file: str, county: str, dry_run: bool, **options: object) -> None:
        found = county_by_code(county)
        with sheet_opened(file) as source:
            checked, made = users_import(county=found, source=source, dry_run=dry_run)
        if not checked.ok:
            fail_with_problems(self, checked.problems)
        if dry_run:
            self.stdout.write(f"{found.name}：检查通过（未导入），共 {len(checked.rows)} 个用户。")
            return
        self.stdout.write(
            f"{found.name}：已新建 {len(made)} 个用户，一次性初始密码只显示这一次，首次登录时须修改："
        )
        for user in made:
            self.stdout.write(f"{user.username}\t{user.role}\t{user.where}\t{user.password}")
