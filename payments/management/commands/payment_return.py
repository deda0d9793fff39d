"""Apply a bank's return file to an approved batch (docs/policy.md §9.11), all or nothing."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from audit.commands import AuditedCommand
from audit.context import acting_as
from common.commands import fail_with_problems

from ...models import Batch
from ...returns import return_apply, return_check


class Command(AuditedCommand):
    help = "导入银行回盘文件（Excel 加“结果”“失败原因”列，或按批次格式的文本文件）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="财务人员的用户名")
        parser.add_argument("--batch", type=int, required=True)
        parser.add_argument("--file", required=True)
        parser.add_argument("--dry-run", action="store_true", help="只检查，不导入")

    def handle(
        self, *args: object, user: str, batch: int, file: str, dry_run: bool, **options: object
    ) -> None:
        actor = User.objects.filter(username=user).first()
        found = Batch.objects.select_related("bank__layout", "county").filter(pk=batch).first()
        if actor is None or found is None:
            raise CommandError("没有这个用户或批次")
        with acting_as(actor, f"命令 {__name__.rsplit('.', 1)[-1]}"), open(file, "rb") as source:
            try:
                if dry_run:
                    checked = return_check(batch=found, source=source)[1]
                else:
                    checked = return_apply(batch=found, source=source, actor=actor)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
        if checked.problems:
            fail_with_problems(self, checked.problems)
        failed = sum(1 for r in checked.rows if r.failed)
        done = "检查无误（未导入）" if dry_run else "已导入"
        self.stdout.write(f"{done}：回盘文件{len(checked.rows)}行，其中失败{failed}笔。")
