"""The year's cost split (资金分担) per township and month, and the accident-insurance roster of
rural post holders. Amounts are sums of payroll lines, so totals equal the payroll exactly."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import IO

from django.db.models import Q, Sum

from common.xlsx import Sheet, write_workbook
from placements.insurance import roster_placements
from townships.models import County

from .models import PayrollLine, PayrollRun, people_paid

ZERO = Decimal("0.00")
MONEY = ("pay", "province", "city", "district")
# the social-insurance subsidy, apart from pay (docs/policy.md §8.13): its total and each party's part
SOCIAL = ("si_total", "si_province", "si_city", "si_district")
# the performance bonus, inside pay and the district's share, shown apart too (docs/policy.md §9.10)
BONUS = ("bonus",)


def cost_rows(county: County, year: int) -> list[dict]:
    """One row per township and month: people paid and the amounts of each party, and the
    social-insurance subsidy apart (SOCIAL: subsidies.social_insurance.cost_sums)."""
    from .social_insurance import cost_sums

    social = cost_sums(county, year)
    none = dict.fromkeys(SOCIAL, ZERO)
    lines = PayrollLine.objects.filter(run__county=county, run__month__year=year)
    rows = (
        lines.values("township__code", "township__name", "run__month", "run__state")
        .annotate(
            people=people_paid(),
            bonus=Sum("pay", filter=Q(kind=PayrollLine.Kind.BONUS)),  # before `pay` names the sum
            **{k: Sum(k) for k in MONEY},
        )
        .order_by("township__code", "run__month")
    )
    return [
        dict(r)
        | {k: Decimal(r[k] or 0).quantize(Decimal("0.01")) for k in (*MONEY, *BONUS)}
        | {"draft": is_draft(r)}
        | social.get((r["township__code"], r["run__month"]), none)
        for r in rows
    ]


def is_draft(row: dict) -> bool:
    """A month computed but not yet approved: its figures may still change (shown as 草稿)."""
    return row["run__state"] not in (PayrollRun.State.APPROVED, PayrollRun.State.LOCKED)


def month_label(row: dict) -> str:
    return f"{row['run__month']:%Y-%m}" + ("（草稿）" if row["draft"] else "")


def monthly_totals(rows: list[dict]) -> list[dict]:
    """Per month, summed over townships (for the chart and the page), with its 草稿 mark."""
    months: dict[dt.date, dict] = {}
    for row in rows:
        month = months.setdefault(
            row["run__month"],
            {
                "month": row["run__month"],
                "draft": row["draft"],
                **{k: ZERO for k in (*MONEY, *BONUS, *SOCIAL)},
            },
        )
        for k in (*MONEY, *BONUS, *SOCIAL):
            month[k] += row[k]
    return [months[m] for m in sorted(months)]


def drafts_note(rows: list[dict]) -> str:
    """The title note naming months not yet approved, or ""."""
    drafts = sorted({r["run__month"] for r in rows if r["draft"]})
    return ("（含未审核的草稿月份：" + "、".join(f"{m:%m}月" for m in drafts) + "）") if drafts else ""


SOCIAL_HEADERS = ["社保补贴", "其中省级", "其中市级", "其中区级"]  # apart from pay: not in 补贴金额
AMOUNTS = (*MONEY, *BONUS, *SOCIAL)  # the workbook's money columns, in order


def cost_workbook_write(*, county: County, year: int, target: str | IO[bytes]) -> int:
    rows = cost_rows(county, year)
    note = drafts_note(rows)
    totals = {k: sum((r[k] for r in rows), ZERO) for k in AMOUNTS}
    detail = Sheet(
        name="分镇街分月",
        title=f"{county.name}{year}年城乡公益性岗位补贴资金分担表{note}",
        headers=[
            "镇街代码",
            "镇街",
            "月份",
            "发放人数",
            "补贴金额",
            "省级承担",
            "市级承担",
            "区级承担",
            "其中绩效奖励",
            *SOCIAL_HEADERS,
        ],
        rows=(
            [
                r["township__code"],
                r["township__name"],
                month_label(r),
                r["people"],
                *(r[k] for k in AMOUNTS),
            ]
            for r in rows
        ),
        totals=["合计", "", "", "", *(totals[k] for k in AMOUNTS)],
        money_columns={4, 5, 6, 7, 8, 9, 10, 11, 12},
        signatures=True,
        widths={0: 12, 1: 14},
    )
    by_month = monthly_totals(rows)
    summary = Sheet(
        name="分月汇总",
        title=f"{county.name}{year}年补贴资金分月汇总{note}",
        headers=["月份", "补贴金额", "省级承担", "市级承担", "区级承担", "其中绩效奖励", *SOCIAL_HEADERS],
        rows=(
            [month_label({"run__month": m["month"], "draft": m["draft"]}), *(m[k] for k in AMOUNTS)]
            for m in by_month
        ),
        totals=["合计", *(totals[k] for k in AMOUNTS)],
        money_columns={1, 2, 3, 4, 5, 6, 7, 8, 9},
        signatures=True,
    )
    return write_workbook(target, [summary, detail])


def insurance_rows(county: County, on: dt.date) -> Iterator[list]:
    """Rural holders on post **and** paid on `on`: the one roster rule (docs/policy.md §7.8),
    placements.insurance.roster_placements."""
    active = roster_placements(on=on, county=county)
    values = active.order_by("township__code", "person__name").values_list(
        "township__name",
        "post__village__name",
        "person__name",
        "person__id_number",
        "person__sex",
        "person__phone",
        "post__duty__name",
        "on_post_date",
    )
    for number, (town, village, name, id_number, sex, phone, duty, on_post) in enumerate(values, start=1):
        yield [number, town, village, name, id_number, "男" if sex == "male" else "女", phone, duty, on_post]


def insurance_workbook_write(*, county: County, on: dt.date, target: str | IO[bytes]) -> int:
    """Rural post holders on post and paid on `on` (insurance_rows), for the commercial accident insurer."""
    title = f"{county.name}乡村公益性岗位人员意外伤害保险参保名单（{on:%Y年%m月%d日}在岗）"
    sheet = Sheet(
        name="参保名单",
        title=title,
        headers=["序号", "镇街", "村（社区）", "姓名", "身份证号", "性别", "联系电话", "岗位", "上岗日期"],
        rows=insurance_rows(county, on),
        widths={4: 21},
        signatures=True,
    )
    return write_workbook(target, [sheet])
