"""The one import pipeline (common.imports): a check reads and checks a file and writes nothing;
a commit writes every row or none; problems are named by Excel row and column, a spoilt cell once."""

import io
import re
import zipfile

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from common import imports
from common.sheets import SheetError, read_table
from people.imports import COLUMNS, applicants_import
from people.models import Person
from placements.migration import placements_import
from placements.models import Placement
from tests import factories
from tests.people.test_import import row
from tests.placements.test_migration import HEADERS, holder
from townships.models import County, Township, Village

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|COPY|CREATE)\b", re.IGNORECASE)


class Villages(imports.Importer[str]):
    """A small importer for the tests: village names of one township."""

    required = ["名称"]
    optional = ["备注"]

    def __init__(self, township: Township, fail: Exception | None = None) -> None:
        self.township, self.fail = township, fail

    def row(self, cells: imports.Cells) -> str | None:
        name = cells.text("名称", required=True)
        if name.startswith("="):
            cells.problem("名称", "名称不能以 = 开头")
        return name

    def write(self, rows: list[str]) -> None:
        Village.objects.bulk_create([Village(township=self.township, name=name) for name in rows])
        if self.fail is not None:
            raise self.fail


@pytest.fixture
def shazhen(seeded) -> Township:
    return Township.objects.get(code="371502101")


def writes_during(action) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        action()
    return [q["sql"] for q in queries.captured_queries if WRITES.match(q["sql"])]


def test_a_check_reads_every_row_and_writes_nothing(shazhen) -> None:
    rows: list[list[str | None]] = [
        ["新村甲", ""],
        [None, None],
        ["=1", ""],
        ["", "名称空着"],
        ["新村乙", ""],
    ]
    source = factories.xlsx(rows, ["名称", "备注"])
    results = []
    assert not writes_during(lambda: results.append(imports.check(Villages(shazhen), source)))
    checked = results[0]
    assert checked.rows == ["新村甲", "新村乙"]
    assert [(p.row, p.column, p.message) for p in checked.problems] == [
        (4, "名称", "名称不能以 = 开头"),
        (5, "名称", "名称不能为空"),
    ]
    assert [number for number, _ in checked.read] == [2, 4, 5, 6]  # the blank row is skipped
    assert not Village.objects.filter(name__startswith="新村").exists()


def test_a_commit_writes_every_row_in_one_transaction(shazhen) -> None:
    importer = Villages(shazhen)
    checked = imports.run(importer, factories.xlsx([["新村甲"], ["新村乙"]], ["名称"]), dry_run=False)
    assert checked.written and checked.ok
    assert Village.objects.filter(name__startswith="新村").count() == 2


@pytest.mark.parametrize(
    "failure, message",
    [
        (imports.RowsRefused([imports.CellProblem(3, "名称", "写入时才发现的问题")]), "写入时才发现的问题"),
        (IntegrityError("duplicate key (名称)=(新村乙)"), imports.WRITE_FAILED),
    ],
    ids=["refused while writing", "database error"],
)
def test_what_writing_refuses_rolls_back_every_row_and_is_reported(shazhen, failure, message) -> None:
    checked = imports.run(
        Villages(shazhen, fail=failure), factories.xlsx([["新村甲"], ["新村乙"]], ["名称"]), dry_run=False
    )
    assert not checked.written and [p.message for p in checked.problems] == [message]
    assert "新村乙" not in str(checked.problems)  # the database's own text may quote a row
    assert not Village.objects.filter(name__startswith="新村").exists()


def test_a_file_with_problems_is_not_written(shazhen) -> None:
    checked = imports.run(Villages(shazhen), factories.xlsx([["新村甲"], ["=1"]], ["名称"]), dry_run=False)
    assert not checked.written and [(p.row, p.column) for p in checked.problems] == [(3, "名称")]
    assert not Village.objects.filter(name__startswith="新村").exists()


def test_a_cell_excel_spoilt_is_named_once(shazhen) -> None:
    number = factories.id_number()
    while not number[-1].isdigit():
        number = factories.id_number()
    report = applicants_import(
        township=shazhen, source=factories.xlsx([row(number=int(number))], COLUMNS), dry_run=True
    )
    assert [(p.row, p.column) for p in report.problems] == [(2, "身份证号")]
    assert "超过15位的部分已丢失" in report.problems[0].message


def test_the_applicant_preview_writes_nothing(shazhen) -> None:
    mine = factories.person("371502101", name="本镇人")
    source = factories.xlsx([row(), row(number=mine.id_number, name="本镇人改")], COLUMNS)
    reports = []
    assert not writes_during(
        lambda: reports.append(applicants_import(township=shazhen, source=source, dry_run=True))
    )
    assert reports[0].ok and (reports[0].created, reports[0].updated) == (1, 1)
    assert list(Person.objects.values_list("name", flat=True)) == ["本镇人"]


def test_the_placements_check_judges_old_terms_and_writes_nothing(cast) -> None:
    old = {"身份证号": factories.id_number("19500305"), "人员类别": "大龄人员", "原月补贴标准": "1200"}
    source = factories.xlsx([holder(), holder(**old)], HEADERS)
    reports = []
    county = County.objects.get(code="371502")

    def check() -> None:
        reports.append(placements_import(county=county, source=source, dry_run=True, actor=cast.hr))

    assert not writes_during(check)
    assert reports[0].ok and reports[0].legacy == 1 and len(reports[0].rows) == 2
    assert not Person.objects.exists() and not Placement.objects.exists()


def test_a_sheet_of_prefixed_elements_is_measured_too() -> None:
    """Excel writes no namespace prefixes, but a program may (<x:c …>): such a sheet's extent is
    still counted before calamine lays it out."""
    data = factories.xlsx([["新村甲"]], ["名称"]).getvalue()
    source = zipfile.ZipFile(io.BytesIO(data))
    sheet = "xl/worksheets/sheet1.xml"
    xml = source.read(sheet).decode()
    xml = xml.replace(
        "<sheetData>", '<sheetData><x:row xmlns:x="urn:x" r="1048576"><x:c r="XFD1048576"/></x:row>', 1
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, xml if item.filename == sheet else source.read(item.filename))
    with pytest.raises(SheetError, match="范围过大"):
        read_table(io.BytesIO(out.getvalue()), required=["名称"])
