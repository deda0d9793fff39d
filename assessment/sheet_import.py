"""Scores by sheet (docs/policy.md §8.14) through the one import pipeline (common.imports): 身份证号
and a column per part (村（社区）评分, 乡镇（街道）评分, 民主评议), a part's cell left empty leaving it as
it is; each row judged as on the page (who may enter which part, 0 to the part's weight, holders
on post in the period), then all rows written at once, or none."""

from typing import IO

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from common import imports
from common.sheets import CellProblem

from .models import Sheet
from .scores import PARTS, Entering, Entry, parse_score, scores_enter

COLUMN_PART = {label: part for part, label in PARTS.items()}


class ScoreImporter(imports.Importer[Entry]):
    required = ["身份证号"]
    optional = ["姓名", "序号", *PARTS.values()]

    def __init__(self, *, sheet: Sheet, actor: User) -> None:
        self.sheet, self.actor = sheet, actor
        self.entering = Entering(actor, sheet)
        self.by_id = {p.person.id_number: p for p in self.entering.holders.values()}
        self.seen: dict[str, int] = {}

    def row(self, cells: imports.Cells) -> Entry | None:
        id_number = cells.id_number_once(self.seen)
        if id_number is None:
            return None
        placement = self.by_id.get(id_number)
        if placement is None:
            where = self.sheet.township.name
            cells.problem("身份证号", f"该人员在本考核期不在{where}的公益性岗位上")
            return None
        values = {}
        for column, part in COLUMN_PART.items():
            text = cells.text(column)
            if not text:
                continue
            try:
                value = parse_score(text)
            except ValidationError as exc:
                cells.problem(column, "；".join(exc.messages))
                continue
            problem = self.entering.may_enter(placement, part) or self.entering.value_problem(part, value)
            if problem:
                cells.problem(column, problem)
                continue
            values[part] = value
        return Entry(placement.pk, **values)

    def write(self, rows: list[Entry]) -> None:
        scores_enter(actor=self.actor, sheet=self.sheet, entries=rows)


def scores_import(*, sheet: Sheet, actor: User, source: str | IO[bytes]) -> list[CellProblem]:
    """Import a sheet of scores, all or nothing: the problems (none: every row written)."""
    importer = ScoreImporter(sheet=sheet, actor=actor)
    try:
        importer.entering.sheet_check()
    except ValidationError as exc:
        return [CellProblem(1, "", "；".join(exc.messages))]
    return imports.run(importer, source, dry_run=False).problems
