"""Onboarding a county from sheets (issue 22): its townships and villages (docs/policy.md §1.6), and
the working-day calendar of a new year (docs/policy.md §1.7). Both go through the one import
pipeline (common.imports): every row checked, a preview that writes nothing, then all rows in one
transaction or none."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import IO

import chinese_calendar
from django.core.exceptions import ValidationError

from common import imports
from common.sheets import CellProblem, Table

from .models import CalendarDay, CalendarYear, County, Township, Village

T_CODE, T_NAME, T_KIND = "乡镇（街道）代码", "乡镇（街道）名称", "乡镇（街道）类型"
V_NAME, V_KIND, V_CODE = "村（社区）名称", "村（社区）类型", "村（社区）代码"
ORGANISATION_COLUMNS = (T_CODE,)
ORGANISATION_OPTIONAL = (T_NAME, T_KIND, V_NAME, V_KIND, V_CODE)
TOWNSHIP_KINDS = {label: value for value, label in Township.Kind.choices}
VILLAGE_KINDS = {label: value for value, label in Village.Kind.choices}


@dataclass(frozen=True)
class TownshipRow:
    row: int
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class VillageRow:
    row: int
    township_code: str
    name: str
    kind: str
    code: str | None


OrganisationRow = TownshipRow | VillageRow


class OrganisationImporter(imports.Importer[OrganisationRow]):
    """A county's townships (a row without a village) and villages (a row naming one, under the
    township of its code: in the same file or already the county's). New rows only: a township or
    village the database already holds is refused, so a sheet never half-changes a county."""

    required = ORGANISATION_COLUMNS
    optional = ORGANISATION_OPTIONAL

    def __init__(self, *, county: County) -> None:
        self.county = county
        self.towns: dict[str, int] = {}  # township code -> its row in the file
        self.villages: dict[tuple[str, str], int] = {}  # (township code, name) -> row
        self.village_codes: dict[str, int] = {}

    def prepare(self, table: Table) -> None:
        codes = {values.get(T_CODE, "").strip() for _, values in table.rows}
        self.known = {t.code: t for t in Township.objects.filter(code__in=codes).select_related("county")}
        self.known_villages = set(
            Village.objects.filter(township__code__in=codes).values_list("township__code", "name")
        )
        wanted = {values.get(V_CODE, "").strip() for _, values in table.rows} - {""}
        self.known_codes = dict(Village.objects.filter(code__in=wanted).values_list("code", "name"))

    def row(self, cells: imports.Cells) -> OrganisationRow | None:
        code = cells.text(T_CODE, required=True)
        if not code:
            return None
        if not re.fullmatch(r"\d{9}", code):
            cells.problem(T_CODE, "乡镇（街道）代码必须是9位数字")
            return None
        if not code.startswith(self.county.code):
            cells.problem(T_CODE, f"{code}不在{self.county.name}的代码范围内（须以{self.county.code}开头）")
            return None
        town = self.known.get(code)
        if town is not None and town.county_id != self.county.pk:
            where = f"{town.county.name}的乡镇（街道）{town.name}"
            cells.problem(T_CODE, f"{code}是{where}，不属于{self.county.name}")
            return None
        if cells.text(V_NAME):
            return self._village(cells, code)
        return self._township(cells, code, town)

    def _township(self, cells: imports.Cells, code: str, town: Township | None) -> TownshipRow | None:
        name = cells.text(T_NAME, required=True)
        cells.at_most(T_NAME, 50)
        kind = _kind(cells, T_KIND, TOWNSHIP_KINDS, "街道" if name.endswith("街道") else "镇")
        if code in self.towns:
            cells.problem(T_CODE, f"与第{self.towns[code]}行的乡镇（街道）代码重复")
        self.towns.setdefault(code, cells.number)
        if town is not None:
            cells.problem(T_CODE, f"{self.county.name}已有乡镇（街道）{code} {town.name}，不能重复导入")
        return TownshipRow(cells.number, code, name, kind) if name and kind else None

    def _village(self, cells: imports.Cells, township_code: str) -> VillageRow | None:
        name = cells.text(V_NAME)
        cells.at_most(V_NAME, 80)
        kind = _kind(cells, V_KIND, VILLAGE_KINDS, "社区" if name.endswith("社区") else "村")
        code = cells.text(V_CODE) or None
        if code is not None and not re.fullmatch(r"\d{12}", code):
            cells.problem(V_CODE, "村（社区）代码必须是12位数字")
        elif code is not None and not code.startswith(township_code):
            cells.problem(V_CODE, f"村（社区）代码的前9位须是所属乡镇（街道）代码{township_code}")
        elif code is not None and code in self.village_codes:
            cells.problem(V_CODE, f"与第{self.village_codes[code]}行的村（社区）代码重复")
        elif code is not None and code in self.known_codes:
            cells.problem(V_CODE, f"代码{code}已是{self.known_codes[code]}的代码")
        if code is not None:
            self.village_codes.setdefault(code, cells.number)
        key = (township_code, name)
        if key in self.villages:
            cells.problem(V_NAME, f"与第{self.villages[key]}行重复（同一乡镇（街道）的同名村（社区））")
        elif key in self.known_villages:
            cells.problem(V_NAME, f"乡镇（街道）{township_code}已有{name}，不能重复导入")
        self.villages.setdefault(key, cells.number)
        return VillageRow(cells.number, township_code, name, kind, code) if kind else None

    def finish(self, rows: list[OrganisationRow], problems: list[CellProblem]) -> None:
        """A village's township is in this file or already the county's."""
        for row in rows:
            code = row.township_code if isinstance(row, VillageRow) else None
            if code is not None and code not in self.towns and code not in self.known:
                message = f"乡镇（街道）{code}既不在本表中，也不是{self.county.name}已有的乡镇（街道）"
                problems.append(CellProblem(row.row, T_CODE, message))

    def write(self, rows: list[OrganisationRow]) -> None:
        towns = dict(self.known)
        for row in rows:
            if isinstance(row, TownshipRow):
                town = Township(code=row.code, name=row.name, kind=row.kind, county=self.county)
                _save(town, row.row)
                towns[row.code] = town
        for row in rows:
            if isinstance(row, VillageRow):
                town = towns[row.township_code]
                _save(Village(township=town, name=row.name, kind=row.kind, code=row.code), row.row)


def _kind(cells: imports.Cells, column: str, kinds: dict[str, str], default: str) -> str:
    label = cells.text(column) or default
    if label not in kinds:
        cells.problem(column, f"{column}只能填{'或'.join(kinds)}")
        return ""
    return kinds[label]


def _save(instance: Township | Village, row: int) -> None:
    """The model's own checks as the last word, named by the row (a race: someone added it)."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise imports.RowsRefused([CellProblem(row, "", "；".join(exc.messages))]) from exc
    instance.save()


def organisation_import(*, county: County, source: str | IO[bytes], dry_run: bool) -> imports.Checked:
    """Check a county's townships and villages sheet; unless `dry_run`, load it all or nothing."""
    return imports.run(OrganisationImporter(county=county), source, dry_run=dry_run)


D_DATE, D_WORKDAY, D_NOTE = "日期", "是否工作日", "说明"
CALENDAR_COLUMNS = (D_DATE, D_WORKDAY)
CALENDAR_OPTIONAL = (D_NOTE,)
YES_NO = {"是": True, "否": False}
FROM_PACKAGE = "国务院安排（chinesecalendar）"


@dataclass(frozen=True)
class DayRow:
    row: int
    date: dt.date
    is_workday: bool
    note: str


def package_covers(year: int) -> bool:
    """Whether the chinesecalendar package holds the State Council's notice for `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class CalendarImporter(imports.Importer[DayRow]):
    """One year's public holidays (否) and make-up working days (是). For a year the package covers,
    only corrections to it (docs/policy.md §1.7)."""

    required = CALENDAR_COLUMNS
    optional = CALENDAR_OPTIONAL

    def __init__(self, *, document: str) -> None:
        self.document = document
        self.year: int | None = None
        self.seen: dict[dt.date, int] = {}

    def row(self, cells: imports.Cells) -> DayRow | None:
        day = cells.date(D_DATE, required=True)
        answer = cells.text(D_WORKDAY, required=True)
        if answer and answer not in YES_NO:
            cells.problem(D_WORKDAY, "是否工作日只能填是或否")
        cells.at_most(D_NOTE, 60)
        if day is None:
            return None
        if day in self.seen:
            cells.problem(D_DATE, f"与第{self.seen[day]}行的日期重复")
        self.seen.setdefault(day, cells.number)
        if self.year is None:
            self.year = day.year
        elif day.year != self.year:
            cells.problem(D_DATE, f"{day}不在{self.year}年：一个表格只录入一个年度")
        if answer not in YES_NO:
            return None
        return DayRow(cells.number, day, YES_NO[answer], cells.text(D_NOTE))

    def finish(self, rows: list[DayRow], problems: list[CellProblem]) -> None:
        if self.year is None:
            return
        entered = CalendarYear.objects.filter(year=self.year).first()
        if entered is not None:
            message = f"{self.year}年的工作日历已录入（{entered.document}），请在系统管理的工作日历中逐日修改"
            problems.append(CellProblem(1, "", message))
        if not package_covers(self.year):
            return
        for row in rows:
            if chinese_calendar.is_workday(row.date) == row.is_workday:
                message = f"{self.year}年的安排已内置，{row.date}与之相同，无需录入；只录入更正的日期"
                problems.append(CellProblem(row.row, D_WORKDAY, message))

    def write(self, rows: list[DayRow]) -> None:
        """The year is marked covered with its days; days entered earlier for it (never read, the
        year not being covered) give way to the sheet's. For a year the package covers, its own
        holidays and make-up days are kept beside the corrections, so the year reads whole."""
        assert self.year is not None  # a checked file has rows of one year
        sheet = {row.date: row for row in rows}
        days = [CalendarDay(date=r.date, is_workday=r.is_workday, note=r.note) for r in rows]
        if package_covers(self.year):
            days += [
                CalendarDay(date=day, is_workday=not (day.weekday() < 5), note=FROM_PACKAGE)
                for day in _year_days(self.year)
                if day not in sheet and chinese_calendar.is_workday(day) != (day.weekday() < 5)
            ]
        CalendarDay.objects.filter(date__year=self.year).delete()
        CalendarYear.objects.create(year=self.year, document=self.document)
        CalendarDay.objects.bulk_create(days)


def _year_days(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=n) for n in range((dt.date(year + 1, 1, 1) - first).days)]


def calendar_import(*, source: str | IO[bytes], document: str, dry_run: bool) -> imports.Checked:
    """Check a year's holiday sheet; unless `dry_run`, load it and mark the year covered."""
    document = document.strip()
    if not document:
        return imports.Checked(problems=[CellProblem(1, "", "请填写国务院办公厅放假安排通知（文号）")])
    return imports.run(CalendarImporter(document=document[:120]), source, dry_run=dry_run)
