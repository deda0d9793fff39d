"""No future months (docs/policy.md §6.5): a month takes attendance and a payroll run only once it has
begun, the current month from its 20th; the page, the command and the sheet all refuse it and
nothing is written."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from subsidies.models import Attendance, PayrollRun
from subsidies.months import month_open_check
from tests import factories

D = dt.date


def test_a_month_opens_on_its_twentieth() -> None:
    month_open_check(D(2026, 11, 1), today=D(2026, 12, 2))
    month_open_check(D(2026, 12, 1), today=D(2026, 12, 20))
    with pytest.raises(ValidationError, match="本月（2026年12月）20日起才能"):
        month_open_check(D(2026, 12, 1), today=D(2026, 12, 19))
    with pytest.raises(ValidationError, match="2027年03月尚未到来"):
        month_open_check(D(2027, 3, 1), today=D(2026, 12, 25))


def next_month() -> str:
    today = timezone.localdate()
    return f"{today.year + today.month // 12}-{today.month % 12 + 1:02d}"


def test_a_future_run_is_refused_on_the_page_and_by_the_command(cast) -> None:
    factories.placement("371502101")
    start = reverse("subsidies:run-start")
    page = cast.client(cast.finance).post(start, {"month": next_month()}, follow=True)
    assert "尚未到来，不能登记考勤或核算补贴" in page.text
    with pytest.raises(CommandError, match="尚未到来"):
        call_command("compute_subsidies", county="371502", month=next_month(), sync=True)
    assert not PayrollRun.objects.exists()


def test_future_attendance_is_refused_and_nothing_saved(cast) -> None:
    holder = factories.placement("371502101")
    sheet = factories.xlsx([[holder.person.id_number, 10, ""]], ["身份证号", "出勤天数", "备注"])
    sheet.name = "attendance.xlsx"
    page = cast.client(cast.clerk).post(
        reverse("subsidies:attendance"), {"month": next_month(), "file": sheet}, follow=True
    )
    assert "尚未到来" in page.text
    assert not Attendance.objects.exists()
