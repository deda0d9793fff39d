"""A year's plan (or an adjustment) from a sheet, through the one import pipeline (common.imports):
one row per township of the county, urban and rural; every row checked, a preview that writes
nothing, then the plan service (townships.plans) writes it all or nothing (docs/policy.md §2.2)."""

import re
from collections.abc import Callable
from typing import IO

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font

from common import imports
from common.sheets import CellProblem, Table

from .models import County, Township
from .services import PlanRow

P_CODE, P_NAME, P_URBAN, P_RURAL = "乡镇（街道）代码", "乡镇（街道）名称", "城镇岗位数", "乡村岗位数"
PLAN_COLUMNS = (P_CODE, P_URBAN, P_RURAL)
PLAN_OPTIONAL = (P_NAME,)
Save = Callable[[list[PlanRow]], object]
FILE_ROW = 1  # problems of the whole file (a township missing, totals) are named on the header row


class PlanImporter(imports.Importer[PlanRow]):
    """The township rows of a plan. `save` is the plan service, called with every row once all
    passed (plans.plan_enter or plans.plan_adjust, whose own checks are the last word)."""

    required = PLAN_COLUMNS
    optional = PLAN_OPTIONAL

    def __init__(
        self,
        *,
        county: County,
        declared_urban: int,
        declared_rural: int,
        save: Callable[[list[PlanRow]], object],
    ) -> None:
        self.county, self.save = county, save
        self.declared_urban, self.declared_rural = declared_urban, declared_rural
        self.seen: dict[str, int] = {}  # township code -> its row

    def prepare(self, table: Table) -> None:
        codes = {values.get(P_CODE, "").strip() for _, values in table.rows}
        self.known = {t.code: t for t in Township.objects.filter(code__in=codes).select_related("county")}

    def row(self, cells: imports.Cells) -> PlanRow | None:
        code = cells.text(P_CODE, required=True)
        urban, rural = _count(cells, P_URBAN), _count(cells, P_RURAL)
        if not code:
            return None
        if not re.fullmatch(r"\d{9}", code):
            cells.problem(P_CODE, "乡镇（街道）代码必须是9位数字")
            return None
        town = self.known.get(code)
        if town is None:
            cells.problem(P_CODE, f"{code}不是{self.county.name}的乡镇（街道）")
        elif town.county_id != self.county.pk:
            cells.problem(P_CODE, f"{code}是{town.county.name}的{town.name}，不属于{self.county.name}")
        if code in self.seen:
            cells.problem(P_CODE, f"与第{self.seen[code]}行的乡镇（街道）重复")
        self.seen.setdefault(code, cells.number)
        if urban is None or rural is None:
            return None
        return PlanRow(township_code=code, urban=urban, rural=rural)

    def finish(self, rows: list[PlanRow], problems: list[CellProblem]) -> None:
        """Every township of the county given; the rows adding up to the declared totals."""
        missing = [t.name for t in self.county.townships.all() if t.code not in self.seen]
        if missing:
            message = f"缺少{self.county.name}的乡镇（街道）：{'、'.join(missing)}（没有岗位的填0）"
            problems.append(CellProblem(FILE_ROW, "", message))
        if problems:
            return  # the sums of a file with bad rows say nothing
        for column, declared, got in (
            (P_URBAN, self.declared_urban, sum(r.urban for r in rows)),
            (P_RURAL, self.declared_rural, sum(r.rural for r in rows)),
        ):
            if got != declared:
                problems.append(
                    CellProblem(FILE_ROW, column, f"{column}合计{got}个，与所列合计{declared}个不一致")
                )

    def write(self, rows: list[PlanRow]) -> None:
        self.save(rows)


def _count(cells: imports.Cells, column: str) -> int | None:
    value = cells.text(column, required=True)
    if not value:
        return None
    if re.fullmatch(r"-\d+(\.0+)?", value):
        cells.problem(column, f"{column}不能为负数")
        return None
    if not re.fullmatch(r"\d+(\.0+)?", value):
        cells.problem(column, f"{column}须为整数")
        return None
    return int(value.split(".")[0])


def plan_import(
    *,
    county: County,
    declared_urban: int,
    declared_rural: int,
    source: str | IO[bytes],
    save: Save,
    dry_run: bool,
) -> imports.Checked[PlanRow]:
    """Check a plan sheet; unless `dry_run` (the preview, nothing written), hand all rows to `save`
    in one transaction."""
    importer = PlanImporter(
        county=county, declared_urban=declared_urban, declared_rural=declared_rural, save=save
    )
    return imports.run(importer, source, dry_run=dry_run)


def template_write(*, townships: QuerySet[Township], target: str | IO[bytes]) -> None:
    """The plan sheet for a county: its townships listed, the numbers to fill in."""
    book = Workbook()
    sheet = book.active
    sheet.title = "年度计划"
    sheet.append([P_CODE, P_NAME, P_URBAN, P_RURAL])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in (("A", 20), ("B", 18), ("C", 14), ("D", 14)):
        sheet.column_dimensions[column].width = width
    for row, township in enumerate(townships.order_by("code"), start=2):
        sheet.append([township.code, township.name])
        sheet.cell(row=row, column=1).number_format = "@"
    book.save(target)
