"""Bad input, generated (hypothesis): malformed spreadsheets, ID numbers, dates and form posts
thrown at the imports and the pages. Whatever comes in: no 500, nothing half saved, and every
rejection explained in Chinese (with its Excel row for a spreadsheet).

The examples of one test share its database transaction, so each example runs inside a savepoint
that is rolled back (`rolled_back`) and checks the rows it could have written itself."""

import datetime as dt
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from common.idcard import IdNumberError, check_character, parse_id_number
from common.sheets import CellProblem, cell_text, normalise_header
from people.imports import COLUMNS as APPLICANT_COLUMNS
from people.imports import applicants_import
from people.models import GroupClaim, Person, TargetGroup
from placements.models import Application
from posts.models import Announcement, Post
from subsidies.attendance import COLUMNS as ATTENDANCE_COLUMNS
from subsidies.attendance import OPTIONAL as ATTENDANCE_OPTIONAL
from subsidies.attendance import attendance_import
from subsidies.models import Attendance
from tests import factories
from tests.placements.conftest import recruiting  # noqa: F401
from townships.models import Township

CHINESE = re.compile(r"[\u3400-\u9fff]")
MARCH = dt.date(2022, 3, 1)
DB_EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- strategies -------------------------------------------------------------------------------

# Text openpyxl can store (no control characters but tab and newline) and a browser can post.
TEXT = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n")
POSTABLE = st.characters(exclude_categories=["Cs"])  # NUL and other controls included


def _id(area: str, born: dt.date, sequence: int) -> str:
    first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


valid_ids = st.builds(
    _id,
    st.sampled_from(["371502", "370812", "110105", "372501"]),
    st.dates(dt.date(1900, 1, 1), dt.date(2010, 12, 31)),
    st.integers(0, 999),
)


@st.composite
def damaged_ids(draw: st.DrawFn) -> str:
    """A valid number with one character replaced, dropped or doubled, or oddly cased and padded."""
    number = list(draw(valid_ids))
    at = draw(st.integers(0, 17))
    how = draw(st.sampled_from(["replace", "drop", "double", "pad", "lower"]))
    if how == "replace":
        number[at] = draw(st.sampled_from(list("0123456789Xx１٣²Ⅻ -")))
    elif how == "drop":
        del number[at]
    elif how == "double":
        number.insert(at, number[at])
    text = "".join(number)
    if how == "pad":
        text = draw(st.sampled_from([" ", "\u3000", "\t", "\xa0", "\n"])) + text + " "
    return text.lower() if how == "lower" else text


id_like = st.one_of(
    valid_ids,
    damaged_ids(),
    st.text(alphabet="0123456789Xx", min_size=15, max_size=20),
    st.from_regex(r"\A[0-9]{6}(1[89]|20|00|99)[0-9]{2}[0-9]{2}[0-9]{2}[0-9]{3}[0-9Xx]\Z"),
    st.text(POSTABLE, max_size=30),
)

long_text = st.builds(
    lambda piece, times: piece * times, st.text(TEXT, min_size=1, max_size=4), st.integers(60, 1500)
)
junk_cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(dt.date(1900, 1, 1), dt.date(9999, 12, 31)),
    st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31)),
    st.sampled_from(
        ["=1+1", '=HYPERLINK("http://example.com","点我")', "+1", "-1", "@SUM(A1)", "\u3000", " ", "x"]
    ),
    st.text(TEXT, max_size=30),
    long_text,
)


def as_numbers(ids: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """IDs stored as numbers, as Excel does in a column not formatted as text."""
    return ids.filter(str.isdigit).flatmap(lambda n: st.sampled_from([int(n), float(n)]))


@dataclass
class Sheet:
    headers: list[Any]
    rows: list[list[Any]]
    formulas: frozenset[tuple[int, int]]  # (row index, column index) written as formulas

    def workbook(self) -> io.BytesIO:
        wb = Workbook()
        ws = wb.active
        ws.append(self.headers)
        for r, row in enumerate(self.rows):
            ws.append(row)
            for c, value in enumerate(row):
                if isinstance(value, str) and value.startswith("=") and (r, c) not in self.formulas:
                    ws.cell(row=r + 2, column=c + 1).data_type = "s"  # text that looks like a formula
        buffer = io.BytesIO()
        wb.save(buffer)
        buffer.seek(0)
        return buffer

    def read_rows(self) -> list[dict[str, str]]:
        """The non-empty rows as the reader should see them (formulas have no cached value)."""
        names = [normalise_header(cell_text(h)[0]) for h in self.headers]
        seen = []
        for r, row in enumerate(self.rows):
            values = {
                name: ("" if (r, c) in self.formulas else cell_text(value)[0])
                for c, (name, value) in enumerate(zip(names, row, strict=False))
            }
            if any(values.values()):
                seen.append(values)
        return seen


@st.composite
def header_sets(draw: st.DrawFn, required: list[str], optional: list[str], *, damaged: bool) -> list[Any]:
    """The right headers in any order, with optional ones and harmless spelling variants; when
    `damaged`, one is missing, unknown, duplicated or not text."""
    headers: list[Any] = list(draw(st.permutations(required)))
    headers += draw(st.lists(st.sampled_from(optional), unique=True)) if optional else []
    headers = [draw(st.sampled_from([h, f" {h} ", h.replace("（", "(").replace("）", ")")])) for h in headers]
    damage = draw(st.sampled_from(["drop", "unknown", "duplicate"])) if damaged else ""
    if damage == "drop":
        del headers[draw(st.integers(0, len(headers) - 1))]
    elif damage == "unknown":
        headers.insert(
            draw(st.integers(0, len(headers))), draw(st.one_of(st.text(TEXT, max_size=8), junk_cells))
        )
    elif damage == "duplicate":
        headers.append(draw(st.sampled_from(headers)))
    return headers


@dataclass
class Cells:
    """What a column holds in a good file, and what goes wrong in it in a bad one."""

    good: dict[str, st.SearchStrategy]
    bad: dict[str, st.SearchStrategy]

    def draw(self, draw: st.DrawFn, name: str, *, bad: bool) -> Any:
        if name not in self.good:
            return draw(junk_cells)
        if not bad:
            return draw(self.good[name])
        return draw(st.one_of(self.bad.get(name, junk_cells), junk_cells))


@st.composite
def sheets(draw: st.DrawFn, required: list[str], optional: list[str], cells: Cells) -> Sheet:
    """A clean file (which should import), one with a single bad cell, or a noisy one (bad cells
    everywhere, headers perhaps damaged, short rows); empty rows anywhere."""
    mode = draw(st.sampled_from(["clean", "one bad cell", "noisy"]), label="mode")
    headers = draw(header_sets(required, optional, damaged=mode == "noisy" and draw(st.booleans())))
    names = [normalise_header(cell_text(h)[0]) for h in headers]
    rows: list[list[Any]] = []
    for _ in range(draw(st.integers(0 if mode == "noisy" else 1, 6))):
        if draw(st.integers(0, 7)) == 0:
            rows.append([None] * len(headers))
            continue
        bad = [mode == "noisy" and draw(st.integers(0, 3)) == 0 for _ in names]
        rows.append([cells.draw(draw, name, bad=b) for name, b in zip(names, bad, strict=True)])
        if mode == "noisy" and draw(st.integers(0, 5)) == 0:
            rows[-1].pop()
    filled = [r for r, row in enumerate(rows) if any(v is not None for v in row)]
    if mode == "one bad cell" and filled:
        r = draw(st.sampled_from(filled))
        c = draw(st.integers(0, len(names) - 1))
        rows[r][c] = cells.draw(draw, names[c], bad=True)
    formulas = {
        (r, c)
        for r, row in enumerate(rows)
        for c, value in enumerate(row)
        if isinstance(value, str) and value.startswith("=") and draw(st.booleans())
    }
    return Sheet(headers=headers, rows=rows, formulas=frozenset(formulas))


def date_texts(low: dt.date = dt.date(1, 1, 1), high: dt.date = dt.date(9999, 12, 31)) -> st.SearchStrategy:
    """Dates written the many ways people and browsers write them, and things that are not dates."""
    formats = [
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%Y%m%d",
        "%d-%m-%Y",
        "%Y年%m月%d日",
        "%Y-%m",
        "%m/%d/%Y",
        "%Y-%m-%dT%H",
    ]
    return st.one_of(
        st.builds(lambda d, f: d.strftime(f), st.dates(low, high), st.sampled_from(formats)),
        st.sampled_from(["", " ", "2022-02-30", "2022-13-01", "0000-01-01", "2022-3-1", "now", "-1"]),
        st.text(POSTABLE, max_size=20),
    )


# --- helpers ----------------------------------------------------------------------------------


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run one example in a savepoint and undo whatever it wrote."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_explained(problems: list[CellProblem], columns: list[str]) -> None:
    """Every problem names an Excel row (and a known column or none) and says why in Chinese,
    and none is an internal error passed on to the user."""
    for problem in problems:
        assert problem.row >= 1, problem
        assert problem.column in ("", *columns), problem
        assert CHINESE.search(problem.message), problem
        assert not problem.message.startswith(("导入失败：", "无法导入：")), problem


def rows_of(model: type[Model], *fields: str) -> list[tuple]:
    return sorted(model._default_manager.values_list("pk", *fields))


# --- ID numbers -------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(raw=id_like)
def test_it_accepts_only_valid_id_numbers_and_explains_the_rest(raw: str) -> None:
    try:
        parsed = parse_id_number(raw)
    except IdNumberError as exc:
        event("refused")
        assert CHINESE.search(exc.message), exc.message
        return
    number = parsed.number
    assert re.fullmatch(r"[0-9]{17}[0-9X]", number)
    assert number == raw.strip().upper()
    assert number[17] == check_character(number[:17])
    assert parsed.birth_date == dt.datetime.strptime(number[6:14], "%Y%m%d").date()
    assert dt.date(1900, 1, 1) <= parsed.birth_date <= dt.date.today()
    assert parsed.sex == ("male" if int(number[16]) % 2 else "female")


# --- applicant import -------------------------------------------------------------------------


@dataclass
class ApplicantWorld:
    township: Township
    cells: Cells
    people: list[Person]  # registered before: one here, one in the neighbouring township


@pytest.fixture
def applicant_world(cast) -> ApplicantWorld:
    township = Township.objects.get(code="371502101")
    here = factories.person(township.code, name="本镇老人")
    there = factories.person("371502102", name="邻镇人")
    group_names = [g.label for g in TargetGroup] + ["脱贫人口", "残疾人", "大龄人员"]
    good = {
        "姓名": st.sampled_from(["李四", "王五", "欧阳·娜娜", "Anna Li", "买买提•艾力"]),
        "身份证号": st.one_of(valid_ids, valid_ids.map(str.lower), st.just(here.id_number)),
        "联系电话": st.sampled_from(["13800138000", 13800138000, "0635-8221234", ""]),
        "村（社区）": st.sampled_from([v.name for v in township.villages.all()]),
        "户籍地址": st.sampled_from(["沙镇东村1号", "", "-"]),
        "户号": st.sampled_from(["H001", 1024, 1024.0, ""]),
        "人员类别": st.lists(st.sampled_from(group_names), min_size=1, max_size=3).map("、".join),
        "银行账号": st.sampled_from(["6228480012345678901", "622848001234", ""]),
        "开户银行": st.sampled_from(["农业银行", ""]),
        "备注": st.sampled_from(["", "无"]),
    }
    bad = {
        "姓名": st.one_of(st.sampled_from(["=1+2", "李四1", "", "·李", "@李"]), long_text),
        "身份证号": st.one_of(damaged_ids(), st.just(there.id_number), as_numbers(valid_ids)),
        "联系电话": st.sampled_from(["12345", "1380013800０", 1.5, "+8613800138000"]),
        "村（社区）": st.sampled_from(["不存在村", "沙镇", "", "堂邑"]),
        "人员类别": st.sampled_from(["未知类别", "、", "", "脱贫人口、未知"]),
        "银行账号": st.sampled_from([float("6228480012345678901"), "62284800123X", "1" * 30, "１" * 16]),
        "户籍地址": st.one_of(st.sampled_from(["=1+1", "@x", "+1", "-x"]), long_text),
        "户号": st.sampled_from(["H" * 41]),
        "备注": st.one_of(st.sampled_from(["=1+1"]), long_text),
    }
    return ApplicantWorld(township=township, cells=Cells(good, bad), people=[here, there])


@DB_EXAMPLES
@given(data=st.data())
def test_a_generated_applicant_file_imports_whole_or_not_at_all(applicant_world, data) -> None:
    world = applicant_world
    sheet = data.draw(sheets(APPLICANT_COLUMNS, [], world.cells), label="sheet")
    people_fields = ("id_number", "name", "township_id", "updated_at", "bank_account")
    with rolled_back():
        people, claims = rows_of(Person, *people_fields), rows_of(GroupClaim, "group", "status")
        report = applicants_import(township=world.township, source=sheet.workbook(), dry_run=False)
        assert_explained(report.problems, APPLICANT_COLUMNS)
        assert report.imported == report.ok
        event("imported" if report.imported else "refused")
        if not report.imported:
            assert rows_of(Person, *people_fields) == people
            assert rows_of(GroupClaim, "group", "status") == claims
            return
        expected = sheet.read_rows()
        assert len(report.rows) == len(expected)
        numbers = {parse_id_number(row["身份证号"]).number for row in expected}
        assert Person.objects.filter(township=world.township, id_number__in=numbers).count() == len(numbers)
        assert Person.objects.count() == len(people) + report.created
        unnamed = Person.objects.filter(id_number__in=numbers, claims__isnull=True)
        assert not unnamed.exists(), "every imported person has the groups of the file"


@DB_EXAMPLES
@given(
    junk=st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b),  # looks like a zip (xlsx)
        st.binary(max_size=500).map(lambda b: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b),  # looks like .xls
        st.text(TEXT, max_size=200).map(lambda t: ("姓名,身份证号\n" + t).encode()),  # a CSV
    )
)
def test_bytes_that_are_not_a_workbook_are_refused_clearly(applicant_world, junk: bytes) -> None:
    with rolled_back():
        before = Person.objects.count(), GroupClaim.objects.count()
        report = applicants_import(township=applicant_world.township, source=io.BytesIO(junk), dry_run=False)
        assert not report.imported and len(report.problems) == 1
        assert report.problems[0].row == 1 and "无法读取文件" in report.problems[0].message
        assert (Person.objects.count(), GroupClaim.objects.count()) == before


# --- attendance import ------------------------------------------------------------------------


@dataclass
class AttendanceWorld:
    township: Township
    cells: Cells
    numbers: list[str]  # ID numbers of the township's people on post in March


@pytest.fixture
def attendance_world(cast) -> AttendanceWorld:
    mine = [factories.placement("371502101", name=n) for n in ("甲一", "乙二", "丙三")]
    later = factories.placement("371502101", on_post=dt.date(2022, 4, 1), name="四月人")
    other = factories.placement("371502102", name="邻镇人")
    Attendance.objects.create(placement=mine[0], month=MARCH, days=7, note="原有", recorded_by=cast.clerk)
    numbers = [p.person.id_number for p in mine]
    good = {
        "身份证号": st.one_of(st.sampled_from(numbers), st.sampled_from(numbers).map(str.lower)),
        "出勤天数": st.one_of(st.integers(0, 31), st.integers(0, 31).map(str), st.just(15.0)),
        "备注": st.sampled_from(["", "病假"]),
        "姓名": st.sampled_from(["甲一", ""]),
        "序号": st.integers(1, 9),
        "暂停发放": st.sampled_from(["", "否"]),
    }
    bad = {
        "身份证号": st.one_of(
            st.just(later.person.id_number),
            st.just(other.person.id_number),
            valid_ids,
            damaged_ids(),
            as_numbers(st.sampled_from(numbers)),
        ),
        "出勤天数": st.one_of(
            st.sampled_from([-1, 32, 15.5, "15.5", " 20 ", "１５", "²", "٣", "0x1", "1e1", "十八", ""]),
            st.text(st.characters(categories=("Nd", "No")), min_size=1, max_size=3),
        ),
        "备注": st.one_of(st.just("=1+1"), long_text),
        "暂停发放": st.sampled_from(["是", "暂停", "1", "Y", 1, True]),
    }
    return AttendanceWorld(township=mine[0].township, cells=Cells(good, bad), numbers=numbers)


def attendance_state() -> list[tuple]:
    return rows_of(Attendance, "placement_id", "month", "days", "withheld", "note")


@DB_EXAMPLES
@given(data=st.data())
def test_a_generated_attendance_sheet_saves_whole_or_not_at_all(attendance_world, cast, data) -> None:
    world = attendance_world
    sheet = data.draw(sheets(ATTENDANCE_COLUMNS, ATTENDANCE_OPTIONAL, world.cells), label="sheet")
    with rolled_back():
        before = attendance_state()
        report = attendance_import(
            township=world.township, month=MARCH, source=sheet.workbook(), actor=cast.clerk
        )
        assert_explained(report.problems, ATTENDANCE_COLUMNS + ATTENDANCE_OPTIONAL)
        event("saved" if report.ok else "refused")
        if not report.ok:
            assert report.saved == 0 and attendance_state() == before
            return
        expected = sheet.read_rows()
        assert report.saved == len(expected) > 0
        for row in expected:
            saved = Attendance.objects.get(
                placement__person__id_number=parse_id_number(row["身份证号"]).number
            )
            assert (saved.month, saved.days) == (MARCH, int(row["出勤天数"]))
        assert Attendance.objects.count() <= len(before) + len(expected)


@DB_EXAMPLES
@given(
    days=st.one_of(
        st.text(st.characters(categories=("Nd", "No", "Nl")), min_size=1, max_size=3),
        st.text(TEXT, max_size=5),
        st.sampled_from(["9" * 5000, "0" * 40 + "7", "0", "31", "32"]),
        st.integers(-40, 40),
        st.floats(allow_nan=False, allow_infinity=False),
    )
)
def test_any_days_cell_is_saved_as_that_number_or_refused(attendance_world, cast, days: Any) -> None:
    number = attendance_world.numbers[1]
    source = Sheet(headers=ATTENDANCE_COLUMNS, rows=[[number, days]], formulas=frozenset()).workbook()
    with rolled_back():
        before = attendance_state()
        report = attendance_import(
            township=attendance_world.township, month=MARCH, source=source, actor=cast.clerk
        )
        assert_explained(report.problems, ATTENDANCE_COLUMNS)
        event("saved" if report.ok else "refused")
        if report.ok:
            saved = Attendance.objects.get(placement__person__id_number=number)
            assert saved.days == int(cell_text(days)[0]) and 0 <= saved.days <= 31
        else:
            assert {p.column for p in report.problems} == {"出勤天数"}
            assert attendance_state() == before


# --- form posts -------------------------------------------------------------------------------

any_text = st.text(POSTABLE, max_size=60)


@st.composite
def form_posts(
    draw: st.DrawFn, good: dict[str, st.SearchStrategy], bad: dict[str, st.SearchStrategy]
) -> dict:
    """A POST body: every field good; all good but one (left out or bad); or anything (each field
    left out, good or bad)."""
    mode = draw(st.sampled_from(["good", "one bad field", "anything"]), label="mode")
    if mode == "anything":
        return draw(st.fixed_dictionaries({}, optional={k: st.one_of(good[k], bad[k]) for k in good}))
    body = {name: draw(value) for name, value in good.items()}
    if mode == "one bad field":
        name = draw(st.sampled_from(sorted(good)))
        if draw(st.booleans()):
            del body[name]
        else:
            body[name] = draw(bad[name])
    return body


def assert_page_explains(page: Any) -> None:
    text = page.content.decode()
    alerts = re.findall(r'role="alert">(.*?)<', text, re.S)
    assert alerts, text[-2000:]
    assert all(CHINESE.search(alert) for alert in alerts), alerts


@DB_EXAMPLES
@given(data=st.data())
def test_the_person_form_registers_a_person_or_explains_why_not(cast, data) -> None:
    township = Township.objects.get(code="371502101")
    villages = [v.name for v in township.villages.all()]
    good = {
        "name": st.sampled_from(["李四", "欧阳·娜娜", "Anna Li"]),
        "id_number": st.one_of(valid_ids, valid_ids.map(lambda n: f" {n.lower()} ")),
        "village": st.sampled_from(villages),
        "groups": st.lists(st.sampled_from(TargetGroup.values), min_size=1, max_size=3),
        "phone": st.sampled_from(["13800138000", "", "0635-8221234"]),
        "address": st.sampled_from(["沙镇东村1号", ""]),
        "household_no": st.sampled_from(["H001", ""]),
        "retirement_category": st.sampled_from(["", "male_60", "female_55", "female_50"]),
        "bank_account": st.sampled_from(["6228480012345678901", "", "6228 4800 1234 5678 901"]),
        "bank_name": st.sampled_from(["农业银行", ""]),
        "note": st.sampled_from(["", "无"]),
    }
    bad = {name: any_text for name in good} | {
        "name": st.one_of(any_text, long_text, st.sampled_from(["=1+2", "李\x00四", "A" * 51])),
        "id_number": id_like,
        "groups": st.one_of(st.just([]), st.lists(any_text, min_size=1, max_size=2)),
        "address": st.one_of(st.sampled_from(["=cmd|' /C calc'!A0", "@x"]), long_text),
        "note": long_text,
    }
    body = data.draw(form_posts(good, bad), label="body")
    client = cast.client(cast.clerk)
    with rolled_back():
        before = Person.objects.count()
        page = client.post(reverse("people:person-create"), body)
        event(f"status {page.status_code}")
        if page.status_code == 302:
            person = Person.objects.get(id_number=parse_id_number(body["id_number"]).number)
            assert page["Location"] == reverse("people:person-detail", args=[person.pk])
            assert person.township == township and Person.objects.count() == before + 1
            assert person.claims.count() == len(set(body["groups"]))
        else:
            assert page.status_code == 200
            assert Person.objects.count() == before
            assert_page_explains(page)


@dataclass
class ApplyWorld:
    announcement: Announcement
    foreign_announcement: Announcement
    posts: list[Post]
    foreign_post: Post
    people: list[Person]  # an applicant of the township, an old one, one of the neighbouring township


@pytest.fixture
def apply_world(cast) -> ApplyWorld:
    township = Township.objects.get(code="371502101")
    other = Township.objects.get(code="370812001")
    duty = factories.duty_for("rural")

    def post(town: Township, n: int) -> Post:
        return Post.objects.create(
            code=f"H-{town.code}-{n}",
            year=2022,
            township=town,
            village=factories.village_of(town),
            line="rural",
            duty=duty,
            status=Post.Status.VACANT,
        )

    posts = [post(township, 1), post(township, 2)]
    foreign_post = post(other, 3)
    ours = Announcement.objects.create(
        county=township.county, title="招聘", deadline=dt.date(2099, 12, 31), published_by=cast.hr
    )
    ours.posts.set(posts)
    theirs = Announcement.objects.create(
        county=other.county,
        title="兖州招聘",
        deadline=dt.date(2099, 12, 31),
        published_by=cast.hr_other_county,
    )
    theirs.posts.set([foreign_post])
    people = [
        factories.person(township.code, name="甲一"),
        factories.person(township.code, name="老人", birth="19400101"),
        factories.person("371502102", name="邻镇人"),
    ]
    return ApplyWorld(ours, theirs, posts, foreign_post, people)


bad_pks = st.one_of(
    st.sampled_from(["", "0", "-1", "abc", "1.0", "1e3", "99999999999999999999", "\x00", "1 OR 1=1"]),
    st.text(POSTABLE, max_size=8),
)


@DB_EXAMPLES
@given(data=st.data())
def test_the_apply_form_records_an_application_or_explains_why_not(cast, apply_world, data) -> None:
    world = apply_world
    first = world.people[0].id_number
    good = {
        "announcement": st.just(str(world.announcement.pk)),
        "post": st.sampled_from([str(p.pk) for p in world.posts]),
        "id_number": st.sampled_from([first, f" {first.lower()} "]),
        "on": st.dates(dt.date(2022, 1, 1), dt.date(2027, 12, 31)).map(dt.date.isoformat),
    }
    bad = {
        "announcement": st.one_of(bad_pks, st.just(str(world.foreign_announcement.pk))),
        "post": st.one_of(bad_pks, st.just(str(world.foreign_post.pk))),
        "id_number": st.one_of(
            st.sampled_from([p.id_number for p in world.people[1:]] + [f"{first[:17]}\x00", "\x00"]), id_like
        ),
        "on": date_texts(),
    }
    body = data.draw(form_posts(good, bad), label="body")
    client = cast.client(cast.clerk)
    with rolled_back():
        before = Application.objects.count()
        page = client.post(reverse("placements:apply"), body)
        event(f"status {page.status_code}")
        if page.status_code == 302:
            made = Application.objects.get()
            assert page["Location"] == reverse("placements:application-detail", args=[made.pk])
            assert made.post in world.posts and made.person in world.people[:2]
            return
        assert Application.objects.count() == before
        if page.status_code == 404:  # an announcement or post that is not ours to apply for
            ours = {str(world.announcement.pk)}, {str(p.pk) for p in world.posts}
            assert body.get("announcement") not in ours[0] or body.get("post") not in ours[1], body
            return
        assert page.status_code == 200
        assert_page_explains(page)


@DB_EXAMPLES
@given(data=st.data())
def test_the_attendance_page_saves_a_sheet_or_explains_why_not(cast, attendance_world, data) -> None:
    good = {
        "month": st.sampled_from(["2022-03", "2022-3", " 2022-03 "]),
        "file": sheets(ATTENDANCE_COLUMNS, ATTENDANCE_OPTIONAL, attendance_world.cells).map(Sheet.workbook),
    }
    bad = {
        "month": date_texts(),
        "file": st.binary(max_size=300).map(io.BytesIO),
    }
    body = data.draw(form_posts(good, bad), label="body")
    if "file" in body:
        body["file"].name = data.draw(
            st.sampled_from(["考勤.xlsx", "a.xls", "x.csv", "无后缀"]), label="name"
        )
    client = cast.client(cast.clerk)
    with rolled_back():
        before = attendance_state()
        page = client.post(reverse("subsidies:attendance"), body, follow=True)
        assert page.status_code == 200
        saved = "已导入" in page.content.decode()
        event("saved" if saved else "refused")
        if not saved:
            assert attendance_state() == before
            assert_page_explains(page)


# --- the reproductions of issue 23 (each was a 500; tests/security/test_fuzz_pages.py sweeps all) --


@pytest.fixture
def computed_run(recruiting):  # noqa: F811
    from subsidies import payroll
    from subsidies.models import Finding

    (application,) = recruiting.to_approved(1)
    recruiting.to_placed(application)
    run = payroll.compute_run(payroll.run_for(application.township.county, dt.date(2022, 4, 1)))
    finding = Finding.objects.create(run=run, kind=Finding.Kind.NO_BANK, blocking=True, message="无银行账号")
    return run, finding


@pytest.mark.parametrize("year", ["0", "-1", "99999", "9" * 30, "2022\x00", "\x00"])
def test_the_cost_report_takes_any_year_and_shows_one_it_works_in(cast, year: str) -> None:
    client = cast.client(cast.finance)
    page = client.get(reverse("subsidies:costs"), {"year": year})
    assert page.status_code == 200
    shown = page.context["year"]
    assert 2000 <= shown <= 2100 and shown == (2022 if year == "2022\x00" else dt.date.today().year)
    download = client.get(reverse("subsidies:costs-download"), {"county": "371502\x00", "year": year})
    assert download.status_code == 200 and f"costs-371502-{shown}.xlsx" in download["Content-Disposition"]


def test_a_nul_in_the_sheets_township_is_dropped_before_the_query(cast, computed_run) -> None:
    run, _ = computed_run
    page = cast.client(cast.finance).get(
        reverse("subsidies:run-sheet", args=[run.pk]), {"township": "371502101\x00"}
    )
    assert page.status_code == 200 and page.context["sheet"].township.code == "371502101"


def test_a_findings_resolution_longer_than_its_column_is_explained(cast, computed_run) -> None:
    run, finding = computed_run
    page = cast.client(cast.finance).post(
        reverse("subsidies:run-decide", args=[run.pk]),
        {"action": "resolve", "finding": finding.pk, "resolution": "已核实" * 101},
        follow=True,
    )
    assert page.status_code == 200 and "处理说明：确保" in page.content.decode()
    finding.refresh_from_db()
    assert finding.resolved_at is None
    for bad in ("abc", "9" * 30, "\x00"):
        answer = cast.client(cast.finance).post(
            reverse("subsidies:run-decide", args=[run.pk]),
            {"action": "resolve", "finding": bad, "resolution": "x"},
        )
        assert answer.status_code == 404


@pytest.mark.parametrize("bad", ["²", "１", "٣", "\x00", "9" * 30])
def test_a_key_written_in_other_digits_or_with_a_nul_finds_nothing_and_answers_no_500(cast, bad: str) -> None:
    """ "²" and "١" are digits to str.isdigit() but not to int(): every key read from a request
    goes through common.params.pk_of."""
    from common.params import pk_of

    assert pk_of(bad) == 0 and pk_of(" 12 ") == 12 and pk_of(str(2**63)) == 0
    finance = cast.client(cast.finance)
    lines = finance.get(reverse("workspace:export-new"), {"list": "payroll_lines", "run": bad})
    assert lines.status_code == 404
    log = cast.client(cast.auditor).get(reverse("audit:county-log"), {"action": bad, "kind": bad})
    assert log.status_code == 200
    clerk = cast.client(cast.clerk)
    for name, ask in (
        ("people:import-preview", clerk.get),
        ("people:import-confirm", clerk.post),
        ("people:import-errors", clerk.get),
    ):
        assert ask(reverse(name, args=["a" * 31 + bad])).status_code == 404
        assert ask(reverse(name, args=["a" * 32 + "\n"])).status_code == 404
