"""Make a locked month's payment batches (docs/policy.md §9.11) as a finance user, and write the
files of an approved batch."""

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from audit import record as audit
from audit.commands import AuditedCommand
from audit.context import acting_as
from subsidies import payroll
from subsidies.models import PayrollRun

from ...banks import banks_ensure
from ...batches import batches_make, download_check
from ...files import text_write, workbook_write
from ...models import Bank, Batch


class Command(AuditedCommand):
    help = "生成某区县某月（已锁定）的银行代发批次，或导出已审核批次的代发文件"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--user", required=True, help="财务人员的用户名（生成人；审核须由另一人在网页上完成）"
        )
        parser.add_argument("--county", help="区县代码，如 371502")
        parser.add_argument("--month", help="如 2022-03")
        parser.add_argument("--bank", default="", help="只生成这家银行的批次（银行名称）")
        parser.add_argument("--pay-date", default="", help="代发日期，如 2022-03-31（默认今天）")
        parser.add_argument("--files", type=int, help="导出这个批次（已审核）的文件，不生成批次")
        parser.add_argument("--output", default=".", help="导出文件的文件名前缀")

    def handle(self, *args: object, **options: str) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"没有用户 {options['user']}")
        with acting_as(user, f"命令 {__name__.rsplit('.', 1)[-1]}"):
            try:
                if options["files"]:
                    self._files(int(options["files"]), options["output"])
                else:
                    self._make(user, options)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc

    def _make(self, user: User, options: dict) -> None:
        if not options["county"] or not options["month"]:
            raise CommandError("请给出 --county 和 --month")
        month = payroll.month_start(options["month"])
        run = PayrollRun.objects.filter(county__code=options["county"], month=month).first()
        if run is None:
            raise CommandError(f"{options['county']} {options['month']} 还没有补贴核算")
        banks_ensure(run.county)
        bank = None
        if options["bank"]:
            bank = Bank.objects.filter(county=run.county, name=options["bank"]).first()
            if bank is None:
                raise CommandError(f"本区县的代发银行中没有「{options['bank']}」")
        pay_date = dt.date.fromisoformat(options["pay_date"]) if options["pay_date"] else dt.date.today()
        for batch in batches_make(run=run, actor=user, pay_date=pay_date, bank=bank):
            self.stdout.write(
                f"批次 {batch.pk}：{batch.bank.name} {batch.line_count} 笔，合计 {batch.total} 元（待审核）"
            )

    def _files(self, pk: int, output: str) -> None:
        batch = Batch.objects.select_related("bank__layout", "run", "county").filter(pk=pk).first()
        if batch is None:
            raise CommandError(f"没有批次 {pk}")
        download_check(batch)
        count = workbook_write(batch, f"{output}{batch.pk}.xlsx")
        with open(f"{output}{batch.pk}.txt", "wb") as target:
            text_write(batch, target)
        audit.access(
            batch, f"导出代发文件到 {output}{batch.pk}.xlsx/.txt（含完整身份证号、银行账号）", rows=count
        )
        self.stdout.write(f"已导出 {output}{batch.pk}.xlsx 和 {output}{batch.pk}.txt：{count} 笔。")
