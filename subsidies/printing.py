"""The printable payment sheet (发放表) of a run, for the print page and its PDF: what the
workbook's payment sheets say (exports: one row per person and township with the net, the nets
below 0 apart as 待扣回, the note naming nets of 0), one section per township, and for the whole
county a summary first, as the workbook's 汇总 sheet. An unlocked month is marked 草稿.

A page holds every row at once (the workbook streams), so a sheet above a given number of lines
is refused with a message pointing to the .xlsx."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from townships.models import Township

from .exports import (
    PAYMENT_HEADERS,
    RECOVER_HEADERS,
    by_township,
    payment_note,
    payment_rows,
    recover_rows,
    sheet_townships,
    title,
)
from .models import PayrollRun
from .payment import AMOUNTS, Payment, paid_nets, payments

ZERO = Decimal("0.00")
PAID = ("net", "province", "city", "district")  # the summary's and the totals' amounts


@dataclass
class Section:
    township: Township
    rows: list[list]  # PAYMENT_HEADERS
    payment: Payment
    note: str

    @property
    def people(self) -> int:
        return self.payment.paid_people

    @property
    def totals(self) -> list[Decimal]:
        return [self.payment.paid[key] for key in AMOUNTS]


@dataclass
class PayrollSheet:
    run: PayrollRun
    title: str
    draft: bool
    headers: list[str]
    sections: list[Section]
    recover_headers: list[str]
    recover_rows: list[list]  # RECOVER_HEADERS: the nets below 0, not paid
    township: Township | None  # None: the whole county
    made_on: dt.date  # printed beside 制表人/审核人, as on the workbook

    @property
    def people(self) -> int:
        return sum(s.people for s in self.sections)

    @property
    def totals(self) -> list[Decimal]:
        return [sum((s.payment.paid[key] for s in self.sections), ZERO) for key in PAID]

    @property
    def recover_total(self) -> Decimal:
        return -sum((s.payment.recover["net"] for s in self.sections), ZERO)


def payroll_sheet(
    *, run: PayrollRun, township: Township | None = None, limit: int, full: bool = True
) -> PayrollSheet:
    """The run's payment sheet (or one township's). Raises ValidationError above `limit` lines.
    Queries: two sums (payment.payments), then one for the paid nets."""
    paid = payments(run, None if township is None else [township.pk])
    townships = sheet_townships(run, paid, township)
    size = sum(paid[t.pk].lines for t in townships if t.pk in paid)
    if size > limit:
        where = "请按镇街分别打印，或下载发放表（.xlsx）" if township is None else "请下载发放表（.xlsx）"
        scope = township.name if township else run.county.name
        month = f"{run.month:%Y年%m月}"
        raise ValidationError(f"{scope}{month}共{size}条发放记录，超过打印上限{limit}条：{where}。")
    empty = Payment(lines=0, people=0, total=dict.fromkeys(AMOUNTS, ZERO))
    paid = {t.pk: paid.get(t.pk, empty) for t in townships}
    rows = by_township(paid_nets(run, paid), townships, lambda _, nets: payment_rows(nets, full))
    sections = [
        Section(township=t, rows=list(r), payment=paid[t.pk], note=payment_note(paid[t.pk]))
        for t, r in zip(townships, rows, strict=True)
    ]
    names = {t.pk: t.name for t in townships}
    to_recover = [net for t in townships for net in paid[t.pk].to_recover]
    heading = title(run) if township is None else f"{title(run)}——{township.name}"
    return PayrollSheet(
        run=run,
        title=heading,
        draft=run.state != PayrollRun.State.LOCKED,
        headers=PAYMENT_HEADERS,
        sections=sections,
        recover_headers=RECOVER_HEADERS,
        recover_rows=recover_rows(to_recover, names, full),
        township=township,
        made_on=timezone.localdate(),
    )
