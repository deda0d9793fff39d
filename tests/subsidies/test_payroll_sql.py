"""The set-based path (subsidies.payroll_sql, PostgreSQL) gives exactly the lines of the Python
rules (subsidies.payroll.line_values) over the awkward cases: part months, month-end clamping of
the subsidy end, months used in earlier placements, extensions, short, withheld and excess
attendance, a half day of default attendance, a holder on old terms, both counties and lines, and
adjustments after a lock."""

import datetime as dt
from decimal import Decimal as M

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from common.retirement import add_months
from placements.models import Placement
from placements.terms import stored_terms_refresh
from subsidies import payroll, payroll_sql
from subsidies.models import Attendance, PayrollLine, PayrollRun
from tests import factories
from townships.models import County

POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
pytestmark = pytest.mark.skipif(not POSTGRES, reason="the set-based path is PostgreSQL's")
D = dt.date


def mark(placement: Placement, month: dt.date, days: int, withheld: bool = False, note: str = "") -> None:
    actor = User.objects.get_or_create(username="clerk-test")[0]
    Attendance.objects.create(
        placement=placement, month=month, days=days, withheld=withheld, note=note, recorded_by=actor
    )


def scenarios() -> None:
    f = factories.placement
    f("371502101", name="全年在岗")
    f("371502101", line="urban", on_post=D(2022, 2, 8), name="二月八日上岗")  # 22×21/28 = 16.5 days
    f("371502101", on_post=D(2022, 1, 31), prior_months=11, name="月末上岗")  # ends 2024-02-28
    f("371502101", on_post=D(2021, 7, 1), exit_date=D(2022, 6, 15), name="月中离岗")
    earlier = f("371502101", on_post=D(2020, 3, 10), exit_date=D(2021, 5, 20), name="再次上岗")
    f("371502101", on_post=D(2022, 4, 20), who=earlier.person)
    again = f("371502101", on_post=D(2022, 1, 1), exit_date=D(2022, 2, 10), name="同月再上岗")
    f("371502101", on_post=D(2022, 2, 20), who=again.person)
    extended = f("371502101", on_post=D(2022, 1, 1), name="延期")
    Placement.objects.filter(pk=extended.pk).update(extended_until=D(2025, 6, 30))
    stored_terms_refresh(person_ids=[extended.person_id])  # as the services do after a write
    short = f("371502101", name="出勤不足")
    mark(short, D(2022, 3, 1), 10, note="病假")
    mark(short, D(2022, 4, 1), 0, withheld=True, note="未履职")
    mark(short, D(2022, 5, 1), 25)
    part = f("371502101", on_post=D(2022, 5, 16), name="月中上岗出勤不足")
    mark(part, D(2022, 5, 1), 5)
    legacy = f("371502101", on_post=D(2020, 6, 1), prior_months=30, name="原协议待遇")  # old terms
    Placement.objects.filter(pk=legacy.pk).update(
        legacy_terms=True, legacy_pay=M("1333.33"), legacy_until=D(2022, 9, 17)
    )
    stored_terms_refresh(person_ids=[legacy.person_id])
    f("370812101", on_post=D(2022, 3, 5), name="兖州农村")
    # No agreement, no pay (docs/policy.md §8.11): one lapsing mid-month, one renewed from the day after
    # (agreements follow on), one that never had one.
    f("371502101", on_post=D(2022, 2, 14), agreement_until=D(2022, 6, 15), name="协议到期未续签")
    renewed = f("371502101", on_post=D(2022, 3, 1), agreement_until=D(2022, 4, 10), name="续签")
    factories.agreement_for(renewed.application, D(2022, 4, 11), D(2023, 4, 10), number=2)
    f("371502101", line="urban", on_post=D(2022, 1, 1), agreement=False, name="无协议")
    f("370812101", line="urban", on_post=D(2022, 1, 1), exit_date=D(2022, 11, 30), name="兖州城镇")


def months() -> list[dt.date]:
    return [add_months(D(2022, 1, 1), n) for n in range(42)]


def test_the_month_statement_gives_the_python_lines_to_the_fen(cast) -> None:
    scenarios()
    compared = 0
    for county in County.objects.filter(code__in=["371502", "370812"]):
        for first in months():
            run = payroll.run_for(county, first)
            python = sorted(payroll.month_lines(run.pk, county, first, None), key=lambda r: r[1])
            sql = payroll_sql.month_rows(run.pk, payroll.sql_params(run, first, None))
            assert sql == python, f"{county.name} {first:%Y-%m}"
            compared += len(python)
    assert compared > 300


def test_part_month_default_attendance_rounds_half_up(cast) -> None:
    factories.placement("371502101", line="urban", on_post=D(2022, 2, 8))
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), D(2022, 2, 1)))
    line = run.lines.get()
    assert (line.days_on_post, line.days_attended) == (21, 17)  # 22 × 21 ÷ 28 = 16.5 → 17
    assert line.pay == M("1275.00")  # 1700 × 21 ÷ 28


def test_adjustments_in_the_database_equal_the_python_ones(cast) -> None:
    scenarios()
    county = County.objects.get(code="371502")
    renewing = Placement.objects.get(person__name="续签").application
    renewing.agreements.filter(number=2).delete()  # renewed only after April is locked
    for first in (D(2022, 3, 1), D(2022, 4, 1)):
        run = payroll.compute_run(payroll.run_for(county, first))
        PayrollRun.objects.filter(pk=run.pk).update(state=PayrollRun.State.LOCKED)
    # Corrections found after the lock: attendance, an exit, a new extension, a late renewal.
    Attendance.objects.filter(month=D(2022, 3, 1)).update(days=15)
    Placement.objects.filter(person__name="全年在岗").update(exit_date=D(2022, 3, 20))
    Attendance.objects.filter(month=D(2022, 4, 1)).update(withheld=False)
    factories.agreement_for(renewing, D(2022, 4, 11), D(2023, 4, 10), number=2)
    may = payroll.run_for(county, D(2022, 5, 1))
    python = payroll.adjustments(may, None)
    payroll.compute_run(may)
    kinds = [PayrollLine.Kind.BACK_PAY, PayrollLine.Kind.RECOVERY]
    got = may.lines.filter(kind__in=kinds).values_list(
        "run_id",
        "placement_id",
        "township_id",
        "line",
        "kind",
        "days_on_post",
        "days_attended",
        "fraction",
        "pay",
        "province",
        "city",
        "district",
        "note",
        "corrects_month",
    )
    assert sorted(got) == sorted(python)
    assert {row[4] for row in python} == set(kinds)
    assert {row[-1] for row in python} == {D(2022, 3, 1), D(2022, 4, 1)}
    back_pay = [row for row in python if row[1] == renewing.placement.pk]
    assert [(row[4], row[8], row[-1]) for row in back_pay] == [("back_pay", M("453.33"), D(2022, 4, 1))]
