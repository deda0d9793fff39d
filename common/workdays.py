"""The Chinese working-day calendar: weekends, public holidays and make-up working days.

Years the `chinesecalendar` package covers come from it; later years from the admin-edited
tables townships.CalendarYear / CalendarDay (a row per holiday and per make-up working day).
A year covered by neither is refused: counting a publicity period on a guess would be wrong."""

import datetime as dt

import chinese_calendar


class CalendarMissing(ValueError):
    """No working-day calendar for a year."""


def _table(year: int) -> dict[dt.date, bool] | None:
    from townships.models import CalendarDay, CalendarYear

    if not CalendarYear.objects.filter(year=year).exists():
        return None
    days = CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday")
    return dict(days)


def is_workday(day: dt.date, _cache: dict[int, dict[dt.date, bool] | None] | None = None) -> bool:
    cache = {} if _cache is None else _cache
    if day.year not in cache:
        cache[day.year] = _table(day.year)
    table = cache[day.year]
    if table is not None:
        return table.get(day, day.weekday() < 5)
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        raise CalendarMissing(
            f"{day.year}年的工作日历尚未录入（节假日和调休安排），无法计算工作日。"
            "请县级管理员在“工作日历”中录入该年度国务院办公厅放假安排后再试。"
        ) from None


def working_days_from(start: dt.date, count: int) -> tuple[dt.date, dt.date]:
    """The first and the last of `count` working days beginning on `start` or the next working
    day after it: a publicity period of 5 working days started on a Saturday runs Monday–Friday."""
    if count < 1:
        raise ValueError("工作日数至少为1")
    cache: dict[int, dict[dt.date, bool] | None] = {}
    day = start
    while not is_workday(day, cache):
        day += dt.timedelta(days=1)
    first, seen = day, 1
    while seen < count:
        day += dt.timedelta(days=1)
        if is_workday(day, cache):
            seen += 1
    return first, day


def working_days_before(day: dt.date, count: int) -> dt.date:
    """The `count`-th working day before `day` (count 2 on a Wednesday: the Monday before)."""
    cache: dict[int, dict[dt.date, bool] | None] = {}
    seen = 0
    while seen < count:
        day -= dt.timedelta(days=1)
        if is_workday(day, cache):
            seen += 1
    return day
