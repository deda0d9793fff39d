"""The payroll workbook (发放表): a summary sheet, the payment sheet of each township (one net
per person: subsidies.payment), the nets to recover (待扣回) and each township's lines, streamed
through the safe writer (IDs and bank numbers as text, formulas neutralised, money as numbers with
two decimals, a totals row and the 制表人/审核人/日期 line). An unlocked month is marked 草稿."""

import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import IO

from django.db import connection, transaction
from django.db.models import Count, Sum

from common.idcard import mask_id_number
from common.xlsx import Sheet, write_workbook
from townships.models import Line, Township

from .models import PayrollLine, PayrollRun, people_paid, shown_note
from .payment import AMOUNTS, NET_FIELDS, Payment, paid_nets, payee_fields, payments

HEADERS = [
    "序号",
    "镇街",
    "村（社区）",
    "姓名",
    "身份证号",
    "岗位类型",
    "岗位名称",
    "出勤天数",
    "补贴金额",
    "省级承担",
    "市级承担",
    "区级承担",
    "银行账号",
    "开户银行",
    "备注",
]
MONEY = {8, 9, 10, 11}
LINES = dict(Line.choices)
ZERO = Decimal("0.00")


def title(run: PayrollRun) -> str:
    draft = "" if run.state == PayrollRun.State.LOCKED else "（草稿，未锁定）"
    return f"{run.county.name}{run.month:%Y年%m月}城乡公益性岗位补贴发放表{draft}"


KIND_LABEL = {"back_pay": "补发", "recovery": "扣回"}


def line_values(run: PayrollRun) -> tuple[str, ...]:
    """The values of a line the workbook and the printed sheet read, in _rows' order."""
    name, id_number, bank, bank_name = payee_fields(run)
    return (
        "township_id",
        "placement__post__village__name",
        name,
        id_number,
        "line",
        "placement__post__duty__name",
        "days_attended",
        "pay",
        "province",
        "city",
        "district",
        bank,
        bank_name,
        "note",
        "kind",
        "withheld",
    )


def _lines(run: PayrollRun, townships: list[Township]) -> Iterator[tuple]:
    """The lines of `townships` (of the run's county only) as line_values, by township code,
    village, name: one query, streamed from a server-side cursor in chunks of 2,000."""
    lines = PayrollLine.objects.filter(run=run, township__in=townships, township__county_id=run.county_id)
    order = ("township__code", "placement__post__village__name", line_values(run)[2], "id")
    return lines.order_by(*order).values_list(*line_values(run)).iterator(chunk_size=2000)


def _rows(township: Township, lines: Iterable[tuple], full: bool) -> Iterator[list]:
    """Rows under HEADERS, numbered from 1. ID and bank numbers are whole only when `full`
    (finance pays from them); otherwise masked as on the pages."""
    name = township.name
    for number, line in enumerate(lines, start=1):
        _, village, person, id_number, kind_of_post, duty, days, pay, province, city, district = line[:11]
        bank, bank_name, note, kind, withheld = line[11:]
        if not full:
            id_number, bank = mask_id_number(id_number), mask_id_number(bank) if bank else bank
        label = KIND_LABEL.get(kind, "")
        yield [
            number,
            name,
            village,
            person,
            id_number,
            LINES[kind_of_post],
            duty,
            days,
            pay,
            province,
            city,
            district,
            bank,
            bank_name,
            f"{label} {shown_note(withheld, note)}".strip(),
        ]


def township_lines(run: PayrollRun, township: Township, *, full: bool = True) -> Iterator[list]:
    """One township's payroll lines as rows under HEADERS (the printable sheet lists these)."""
    return _rows(township, _lines(run, [township]), full)


def townships_lines(run: PayrollRun, townships: list[Township], *, full: bool = True) -> list[Iterator[list]]:
    """The rows of each township in turn, all from one query: a sheet's rows are read while it is
    written, so the sheets must be written in the order of `townships` (by code)."""
    return by_township(_lines(run, townships), townships, lambda town, lines: _rows(town, lines, full))


def by_township(
    stream: Iterator[tuple],
    townships: list[Township],
    rows: Callable[[Township, Iterable[tuple]], Iterator[list]],
) -> list[Iterator[list]]:
    """Split `stream` (tuples led by their township id, in the order of `townships`) into one
    iterator of rows per township, read in that order."""
    grouped = itertools.groupby(stream, key=operator.itemgetter(0))

    def township_rows(township: Township) -> Iterator[list]:
        for township_id, items in grouped:
            if township_id == township.pk:
                yield from rows(township, items)
                return

    return [township_rows(town) for town in townships]


def township_totals(run: PayrollRun) -> dict[int, dict]:
    """Per township id: people, lines and the four amounts summed by the database (one query)."""
    sums = PayrollLine.objects.filter(run=run, township__county_id=run.county_id).values("township_id")
    sums = sums.annotate(  # type: ignore[assignment]  # the same queryset, annotated
        people=people_paid(),
        lines=Count("id"),
        pay=Sum("pay"),
        province=Sum("province"),
        city=Sum("city"),
        district=Sum("district"),
    )
    return {row["township_id"]: row for row in sums}  # type: ignore[misc]  # rows are dicts


def sheet_townships(
    run: PayrollRun, totals: Mapping[int, object], township: Township | None
) -> list[Township]:
    """The townships a sheet covers: the one asked for, or every township with lines, by code."""
    if township is not None:
        return [township]
    return list(run.county.townships.filter(pk__in=totals).order_by("code"))


PAYMENT_HEADERS = [
    "序号",
    "村（社区）",
    "姓名",
    "身份证号",
    "开户银行",
    "银行账号",
    "当月补贴",
    "补发",
    "扣回",
    "绩效奖励",
    "实发金额",
    "省级承担",
    "市级承担",
    "区级承担",
]
RECOVER_HEADERS = [
    "序号",
    "镇街",
    "村（社区）",
    "姓名",
    "身份证号",
    "当月补贴",
    "补发",
    "扣回",
    "绩效奖励",
    "实发金额",
    "待扣回金额",
    "省级承担",
    "市级承担",
    "区级承担",
]
SUMMARY_HEADERS = [
    "镇街代码",
    "镇街",
    "人数",
    "补贴金额",
    "省级承担",
    "市级承担",
    "区级承担",
    "发放人数",
    "实发金额",
    "待扣回人数",
    "待扣回金额",
]
SUMMARY_MONEY = {3, 4, 5, 6, 8, 10}
RULE = (
    "实发金额 = 当月补贴 + 补发 − 扣回 + 绩效奖励（每人每镇街一行）。"
    "实发金额小于0的人员不发放，列入“待扣回”表；实发金额为0的人员（扣回与应发相抵）不发放，也不扣回。"
)
# [decision] a net of exactly 0 is neither paid nor recovered: the notes name those people.
ZERO_PEOPLE = "实发金额为0、不发放也不扣回的人员"
NAMED = 30  # people named in a note at most (then 等N人)
_AT = {key: NET_FIELDS.index(key) for key in NET_FIELDS}
NET_AMOUNT = AMOUNTS.index("net")  # the net among AMOUNTS: the amount to recover follows it


def payment_rows(nets: Iterable[tuple], full: bool) -> Iterator[list]:
    """A township's nets above 0 as rows under PAYMENT_HEADERS, numbered from 1."""
    for number, net in enumerate(nets, start=1):
        _, village, name, id_number, bank_name, account = net[:6]
        if not full:
            id_number, account = mask_id_number(id_number), mask_id_number(account) if account else account
        yield [number, village, name, id_number, bank_name, account, *net[6:]]


def recover_rows(nets: list[tuple], names: dict[int, str], full: bool) -> list[list]:
    """Nets below 0 as rows under RECOVER_HEADERS: the net, and the amount to recover (−net)."""
    rows = []
    for number, net in enumerate(nets, start=1):
        township, village, name, id_number = net[:4]
        amounts = [net[_AT[key]] for key in AMOUNTS]
        shown = id_number if full else mask_id_number(id_number)
        upto = NET_AMOUNT + 1  # the amounts to the net, then the amount to recover (−net), then the shares
        rows.append(
            [
                number,
                names[township],
                village,
                name,
                shown,
                *amounts[:upto],
                -amounts[upto - 1],
                *amounts[upto:],
            ]
        )
    return rows


def _named(nets: list[tuple], names: dict[int, str] | None = None) -> str:
    """The people of `nets`, by name (with their township when `names` is given)."""
    shown = [
        f"{net[_AT['holder']]}（{names[net[0]]}）" if names else net[_AT["holder"]] for net in nets[:NAMED]
    ]
    more = f"等{len(nets)}人" if len(nets) > NAMED else ""
    return "、".join(shown) + more


def payment_note(payment: Payment) -> str:
    """The note under a township payment sheet's title: who is paid, and who is not and why."""
    note = f"{RULE}本表列实发金额大于0的{payment.paid_people}人。"
    if payment.to_recover:
        amount = -payment.recover["net"]
        note += f"本镇街待扣回{len(payment.to_recover)}人，共{amount:,.2f}元。"
    if payment.zero:
        note += f"{ZERO_PEOPLE}：{_named(payment.zero)}。"
    return note


def _summary(run: PayrollRun, townships: list[Township], paid: dict[int, Payment]) -> Sheet:
    """Per township: 人数 and the amounts of all its lines by party, then the people paid and
    the net they are paid, and the people and amount to recover."""
    rows = []
    for town in townships:
        p = paid[town.pk]
        amounts = [p.total[key] for key in ("net", "province", "city", "district")]
        unpaid = [len(p.to_recover), -p.recover["net"]]
        rows.append([town.code, town.name, p.people, *amounts, p.paid_people, p.paid["net"], *unpaid])
    totals = [sum((r[i] for r in rows), ZERO if i in SUMMARY_MONEY else 0) for i in range(2, 11)]  # type: ignore[misc, arg-type]  # the summed cells are numbers (ints or Decimals)
    return Sheet(
        name="汇总",
        title=title(run),
        headers=SUMMARY_HEADERS,
        rows=rows,
        totals=["合计", "", *totals],
        money_columns=SUMMARY_MONEY,
        widths={0: 12, 1: 14},
        signatures=True,
    )


def payroll_workbook_write(
    *, run: PayrollRun, target: str | IO[bytes], township: Township | None = None, full: bool = True
) -> int:
    """Write the run's workbook (or one township's); returns the number of payroll lines. ID and
    bank numbers are whole only when `full` (township_lines).

    Sheets: 汇总; the payment sheet of each township (「镇街发放表」: one row per person, the nets
    above 0, which are paid); 待扣回 (the nets below 0, not paid); then each township's lines as
    computed (补贴明细). Queries: two sums before writing (payment.payments), then one for the
    paid nets and one for the lines, each read sheet by sheet (townships in code order)."""
    with transaction.atomic():  # rows stream from a server-side cursor instead of being held whole
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")  # the queries' sorts in memory, not in files
                # A cursor is planned for its first rows (cursor_tuple_fraction 0.1): an incremental
                # sort over nested loops. Every row is read: plan for all of them (hash joins and
                # one sort; docs/performance.md P6).
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1")
        paid = payments(run, None if township is None else [township.pk])
        townships = sheet_townships(run, paid, township)
        empty = Payment(lines=0, people=0, total=dict.fromkeys(AMOUNTS, ZERO))
        paid = {t.pk: paid.get(t.pk, empty) for t in townships}
        paid_rows = by_township(paid_nets(run, paid), townships, lambda _, nets: payment_rows(nets, full))
        sheets = [
            _summary(run, townships, paid),
            *(_payment_sheet(run, t, paid[t.pk], rows) for t, rows in zip(townships, paid_rows, strict=True)),
            _recover_sheet(run, townships, paid, full),
        ]
        for town, rows in zip(townships, townships_lines(run, townships, full=full), strict=True):
            p = paid[town.pk]
            amounts = [p.total[k] for k in ("net", "province", "city", "district")]
            sheets.append(
                Sheet(
                    name=town.name,
                    title=f"{title(run)}——{town.name}（补贴明细）",
                    headers=HEADERS,
                    rows=rows,
                    count=p.lines,
                    totals=["合计", "", "", "", "", "", "", "", *amounts, "", "", ""],
                    money_columns=MONEY,
                    number_columns={0, 7},
                    widths={2: 14, 3: 10, 4: 21, 6: 16, 12: 22, 13: 14},
                    signatures=True,
                )
            )
        write_workbook(target, sheets)
    return sum(paid[t.pk].lines for t in townships)


def _payment_sheet(run: PayrollRun, town: Township, paid: Payment, rows: Iterator[list]) -> Sheet:
    """The township's payment sheet: the nets above 0, their totals, and a note of the others."""
    return Sheet(
        name=f"{town.name}发放表",
        title=f"{title(run)}——{town.name}",
        subtitle=payment_note(paid),
        headers=PAYMENT_HEADERS,
        rows=rows,
        count=paid.paid_people,
        totals=["合计", "", f"{paid.paid_people}人", "", "", "", *(paid.paid[key] for key in AMOUNTS)],
        money_columns={6, 7, 8, 9, 10, 11, 12, 13},
        number_columns={0},
        widths={1: 14, 2: 10, 3: 21, 4: 14, 5: 22},
        signatures=True,
    )


def _recover_sheet(run: PayrollRun, townships: list[Township], paid: dict[int, Payment], full: bool) -> Sheet:
    """Every township's nets below 0, apart: amounts to recover, not paid."""
    to_recover = [net for t in townships for net in paid[t.pk].to_recover]
    zero = [net for t in townships for net in paid[t.pk].zero]
    recover = {key: sum((paid[t.pk].recover[key] for t in townships), ZERO) for key in AMOUNTS}
    names = {t.pk: t.name for t in townships}
    note = (
        "实发金额小于0的人员不发放，所列待扣回金额须从其以后的补贴中扣回或由本人退回；"
        "实发金额为0的人员（扣回与应发相抵）不发放，也不扣回，不列入本表。"
    )
    if zero:
        note += f"{ZERO_PEOPLE}：{_named(zero, names)}。"
    amounts = [recover[k] for k in AMOUNTS]
    return Sheet(
        name="待扣回",
        title=f"{title(run)}——待扣回",
        subtitle=note,
        headers=RECOVER_HEADERS,
        rows=recover_rows(to_recover, names, full),
        totals=[
            "合计",
            "",
            "",
            f"{len(to_recover)}人",
            "",
            *amounts[: NET_AMOUNT + 1],
            -recover["net"],
            *amounts[NET_AMOUNT + 1 :],
        ],
        money_columns={5, 6, 7, 8, 9, 10, 11, 12, 13},
        number_columns={0},
        widths={1: 14, 2: 14, 3: 10, 4: 21},
        signatures=True,
    )
