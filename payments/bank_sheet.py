"""A county's banks from a sheet (docs/policy.md §9.11), through the one import pipeline
(common.imports): one bank per row, each checked by the banks page's rule (bank_entry.bank_check)
against the county's banks and the sheet's earlier rows; a preview that writes nothing, then every
bank saved by bank_save in one transaction, or none. A sheet adds banks; it never changes one."""

from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError

from common import imports
from common.sheets import CellProblem, Table
from townships.models import County

from .bank_entry import aliases_split, bank_check, bank_save, layout_names, names_taken
from .banks import _plain
from .models import Bank

K_NAME, K_ALIASES, K_LAYOUT = "银行名称", "别名", "代发文件格式"
BANK_COLUMNS = (K_NAME, K_LAYOUT)
BANK_OPTIONAL = (K_ALIASES,)
COLUMN = {"name": K_NAME, "aliases": K_ALIASES, "layout": K_LAYOUT}


@dataclass(frozen=True)
class BankRow:
    row: int
    name: str
    aliases: list[str]
    layout: str


class BankImporter(imports.Importer[BankRow]):
    required = BANK_COLUMNS
    optional = BANK_OPTIONAL

    def __init__(self, *, county: County) -> None:
        self.county = county
        self.seen: dict[str, int] = {}  # a name or alias of the sheet (spaces dropped) -> its row

    def prepare(self, table: Table) -> None:
        self.taken = names_taken(Bank.objects.filter(county=self.county))
        self.layouts = layout_names(self.county)

    def row(self, cells: imports.Cells) -> BankRow | None:
        name = cells.text(K_NAME, required=True)
        cells.at_most(K_NAME, 60)
        layout = cells.text(K_LAYOUT, required=True)
        aliases = aliases_split(cells.text(K_ALIASES))
        if not name or not layout:
            return None
        errors = bank_check(name=name, aliases=aliases, layout=layout, layouts=self.layouts, taken=self.taken)
        for field, messages in errors.items():
            for message in messages:
                cells.problem(COLUMN[field], message)
        for column, text in [(K_NAME, name), *((K_ALIASES, a) for a in aliases)]:
            if _plain(text) in self.seen:
                cells.problem(column, f"「{text}」与第{self.seen[_plain(text)]}行的银行名称或别名重复")
        for text in (name, *aliases):
            self.seen.setdefault(_plain(text), cells.number)
        return BankRow(cells.number, name, aliases, layout)

    def write(self, rows: list[BankRow]) -> None:
        for row in rows:
            try:
                bank_save(county=self.county, name=row.name, aliases=row.aliases, layout=row.layout)
            except ValidationError as exc:  # a bank added meanwhile (a race)
                raise imports.RowsRefused([CellProblem(row.row, "", "；".join(exc.messages))]) from exc


def banks_import(*, county: County, source: str | IO[bytes], dry_run: bool) -> imports.Checked[BankRow]:
    """Check a county's banks sheet; unless `dry_run`, add every bank or none."""
    return imports.run(BankImporter(county=county), source, dry_run=dry_run)


NOTES = [
    "第一行为列标题，请勿修改；从第二行起每行一家代发银行。",
    "银行名称：如 农商银行、农业银行；本区县已有的银行不能重复导入（其他区县的同名银行不受影响）。",
    "别名：人员开户银行中可能出现的其他写法，如 农商行、农村商业银行，用顿号或逗号分隔；"
    "不能与其他银行的名称或别名相同。",
    "代发文件格式：填本区县已有的格式名称，或内置的两种格式之一（页面上列出）。",
    "有任何错误时不导入任何数据；先“只检查”预览。",
]
