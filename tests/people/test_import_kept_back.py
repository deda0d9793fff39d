"""The applicant import against the kind of spreadsheets the county keeps back: every file goes
through the command and through the upload page (preview, error report, confirm) as a clerk.
A file with any bad row imports nothing and names every bad row; a good file imports every row.
Only what tests/people/test_import.py and test_views.py do not cover already."""

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from audit.models import Entry
from common.idcard import check_character
from common.models import Job
from common.uploads import kept_exists
from people.imports import COLUMNS
from people.models import GroupClaim, Person
from tests import factories
from tests.conftest import Cast
from townships.models import Township

TOWNSHIP = "371502101"  # 沙镇镇, the clerk's township
VECTOR = "11010519491231002X"  # docs/policy.md §4.1: valid, ends in X
LOST = "该单元格被Excel存成了数字，超过15位的部分已丢失，请把该列设为文本后重新填写"
BAD_NAME = "姓名只能包含汉字、字母和间隔号「·」"
UNKNOWN_GROUP = (
    "无法识别的人员类别：{}（可填：脱贫享受政策人口（含监测对象）、农村低收入人口、农村残疾人、农村大龄人员、"
    "城镇零就业家庭人员、城镇大龄失业人员、未成年子女单亲家长、登记失业青年、抚育两个以上未成年子女的登记失业妇女）"
)
CHANNELS = ["command", "page"]


# --- files ------------------------------------------------------------------------------------


def valid_id(birth: str = "19700101", sequence: int = 1) -> str:
    first17 = f"371502{birth}{sequence:03d}"
    return first17 + check_character(first17)


def digits_id() -> str:
    """A valid ID number ending in a digit (one Excel could at least try to hold as a number)."""
    number = factories.id_number()
    while not number[-1].isdigit():
        number = factories.id_number()
    return number


def wrong_check(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def ids(count: int) -> list[str]:
    """`count` distinct valid ID numbers (900 a day from 1970-01-01)."""
    start = dt.date(1970, 1, 1)
    return [
        valid_id((start + dt.timedelta(days=i // 900)).strftime("%Y%m%d"), i % 900 + 1) for i in range(count)
    ]


def row(name: str = "李四", number: Any = None, **cells: Any) -> list[Any]:
    values = {
        "姓名": name,
        "身份证号": number or factories.id_number(),
        "联系电话": "13800138000",
        "村（社区）": "沙镇东村",
        "户籍地址": "沙镇东村1号",
        "户号": "H001",
        "人员类别": "脱贫享受政策人口",
        "银行账号": "6228480012345678901",
        "开户银行": "农业银行",
        "备注": "",
    }
    values.update(cells)
    return [values[c] for c in COLUMNS]


def workbook(
    rows: list[list[Any]],
    headers: list[Any] | None = COLUMNS,
    formulas: frozenset[tuple[int, int]] = frozenset(),
) -> bytes:
    """An .xlsx: text starting with = stays text unless its (row, column), 1-based, is in `formulas`."""
    wb = Workbook()
    ws = wb.active
    if headers is not None:
        ws.append(headers)
    for values in rows:
        ws.append(values)
        for column, value in enumerate(values, start=1):
            if isinstance(value, str) and value.startswith("=") and (ws.max_row, column) not in formulas:
                ws.cell(row=ws.max_row, column=column).data_type = "s"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def big_workbook(rows: list[list[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("申请人")
    ws.append(COLUMNS)
    for values in rows:
        ws.append(values)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def with_error_cell(data: bytes, cell: str, value: str = "#N/A") -> bytes:
    """`data` with `cell` of the first sheet turned into an Excel error value such as #N/A."""
    source = zipfile.ZipFile(io.BytesIO(data))
    sheet = "xl/worksheets/sheet1.xml"
    xml = re.sub(
        rf'<c r="{cell}"[^>]*>.*?</c>', f'<c r="{cell}" t="e"><v>{value}</v></c>', source.read(sheet).decode()
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, xml if item.filename == sheet else source.read(item.filename))
    return out.getvalue()


# --- running a file through the command and the page --------------------------------------------


@dataclass
class Outcome:
    imported: bool
    problems: list[tuple[int, str, str]]  # (Excel row, column, message) as the user is told
    output: str  # the command's output, or the preview page's text
    preview: dict[int, tuple[str, list[str]]]  # page only: Excel row -> (action, errors)


def snapshot() -> tuple[list, list, list]:
    """Every person, claim and audit entry about them: what a refused file must leave alone."""
    kinds = ContentType.objects.get_for_models(Person, GroupClaim).values()
    return (
        sorted(Person.objects.values_list()),
        sorted(GroupClaim.objects.values_list()),
        sorted(Entry.objects.filter(content_type__in=kinds).values_list("pk", "object_pk", "changes")),
    )


def page_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def by_command(data: bytes, tmp_path: Path, township: str = TOWNSHIP) -> Outcome:
    path = tmp_path / "applicants.xlsx"
    path.write_bytes(data)
    out, err = StringIO(), StringIO()
    try:
        call_command("import_applicants", str(path), "--township", township, stdout=out, stderr=err)
    except CommandError as exc:
        assert exc.returncode != 0
        assert str(exc).endswith("处错误，未导入任何数据。"), exc
        lines = err.getvalue().splitlines()
        problems = []
        for line in lines:
            found = re.fullmatch(r"第(\d+)行(?:「(.+?)」)?：(.*)", line)
            assert found, line
            problems.append((int(found[1]), found[2] or "", found[3]))
        assert f"共 {len(problems)} 处错误" in str(exc)
        return Outcome(False, problems, err.getvalue() + str(exc), {})
    assert "已导入" in out.getvalue()
    return Outcome(True, [], out.getvalue(), {})


def by_page(data: bytes, client: Any, capture: Callable, name: str = "applicants.xlsx") -> Outcome:
    """Upload → the check runs as a background job (eagerly here) → its preview page → confirm."""
    upload = io.BytesIO(data)
    upload.name = name
    with capture(execute=True):
        uploaded = client.post(reverse("people:import-upload"), {"file": upload})
    assert uploaded.status_code == 302
    preview = client.get(uploaded["Location"])
    assert preview.status_code == 200
    result, token = preview.context["result"], preview.context["token"]
    problems = [(row, column, message) for row, column, message in result.get("problems", [])]
    rows = {r["row"]: (r["action"], r["errors"]) for r in result["rows"]}
    text = page_text(preview.content.decode())
    if problems:
        assert "下载错误报告（.xlsx）" in text and "确认导入" not in text
        assert not kept_exists(token), "a refused file is removed at once"
        errors = client.get(reverse("people:import-errors", args=[token]))
        assert errors.status_code == 200 and errors["Content-Disposition"].startswith("attachment")
        sheet = load_workbook(io.BytesIO(b"".join(errors.streaming_content))).active
        listed = [(int(r), c or "", m) for r, c, m in sheet.iter_rows(min_row=3, values_only=True)]
        assert listed[: len(problems)] == problems, "the error report lists the problems of the preview"
        assert len(listed) == result["problem_count"]
        # a refused file confirmed anyway (a crafted POST) imports nothing
        assert client.post(reverse("people:import-confirm", args=[token])).status_code == 404
        return Outcome(False, problems, text, rows)
    assert f"全部通过检查：新增 {result['created']} 人，更新 {result['updated']} 人" in text
    with capture(execute=True):
        done = client.post(reverse("people:import-confirm", args=[token]))
    assert done.status_code == 302
    job = Job.objects.order_by("-pk").first()
    assert job is not None  # confirming queued the import's job
    assert job.state == Job.State.DONE, job.error
    return Outcome(True, problems, text, rows)


@pytest.fixture
def eager(monkeypatch: pytest.MonkeyPatch) -> None:
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.fixture
def attempt(
    cast: Cast, eager: None, tmp_path: Path, django_capture_on_commit_callbacks: Callable
) -> Callable[[str, bytes], Outcome]:
    clerk = cast.client(cast.clerk)

    def run(channel: str, data: bytes) -> Outcome:
        if channel == "command":
            return by_command(data, tmp_path)
        return by_page(data, clerk, django_capture_on_commit_callbacks)

    return run


def assert_refused(outcome: Outcome, before: tuple, expected: list[tuple[int, str, str]]) -> None:
    """Nothing written, exactly the expected problems, and each bad row marked in the preview."""
    assert not outcome.imported
    assert snapshot() == before, "a refused file changed people, claims or audit entries"
    assert outcome.problems == expected
    for number, column, message in expected:
        if outcome.preview and number > 1:
            action, errors = outcome.preview[number]
            assert action == "有错误" and f"{column}：{message}" in errors


# --- bad cells: one bad row among good ones ---------------------------------------------------


def _tomorrow_id() -> str:
    return valid_id((dt.date.today() + dt.timedelta(days=1)).strftime("%Y%m%d"))


ID, PHONE, BANK = "身份证号", "联系电话", "银行账号"
NOT_A_DATE = "身份证号中的出生日期{}不是有效日期"
NO_FORMULA = "{}不能以 = + - @ 开头"
BAD_CELLS: dict[str, tuple[Callable[[], dict[str, Any]], str, str]] = {
    # name: (the bad row's cells, column, message)
    "wrong check character": (lambda: {ID: wrong_check(VECTOR)}, ID, "身份证号校验位错误：应为X，实际为0"),
    "birth date 19990230": (lambda: {ID: "371502199902300011"}, ID, NOT_A_DATE.format("19990230")),
    "birth date 20991301": (lambda: {ID: "371502209913010011"}, ID, NOT_A_DATE.format("20991301")),
    "birth date tomorrow": (
        lambda: {ID: _tomorrow_id()},
        ID,
        f"身份证号中的出生日期{(dt.date.today() + dt.timedelta(days=1)):%Y%m%d}晚于今天",
    ),
    "15-digit ID": (lambda: {ID: "371502700101001"}, ID, "身份证号应为18位，实际为15位"),
    "17-digit ID": (lambda: {ID: VECTOR[:17]}, ID, "身份证号应为18位，实际为17位"),
    "full-width digits": (
        lambda: {ID: "１１０１０５１９４９１２３１００２Ｘ"},
        ID,
        "身份证号只能包含数字，最后一位可以是X",
    ),
    "ID as an int cell": (lambda: {ID: int(digits_id())}, ID, LOST),
    "ID as a float cell": (lambda: {ID: 3.71502199001011e17}, ID, LOST),
    "ID ending in X as a number": (lambda: {ID: int(VECTOR[:17])}, ID, LOST),
    "bank number as a float": (lambda: {BANK: float("6228480012345678901")}, BANK, LOST),
    "bank number as an int": (lambda: {BANK: 6228480012345678901}, BANK, LOST),
    "landline lost its zero": (
        lambda: {PHONE: 6358221234},
        PHONE,
        "联系电话应为11位手机号或带区号的固定电话",
    ),
    "name +86": (lambda: {"姓名": "+8613800138000"}, "姓名", BAD_NAME),
    "name -x": (lambda: {"姓名": "-x"}, "姓名", BAD_NAME),
    "name @SUM": (lambda: {"姓名": "@SUM(A1)"}, "姓名", BAD_NAME),
    "name =HYPERLINK": (lambda: {"姓名": '=HYPERLINK("http://x.example","李四")'}, "姓名", BAD_NAME),
    "note =1+1": (lambda: {"备注": "=1+1"}, "备注", NO_FORMULA.format("备注")),
    "bank name @": (lambda: {"开户银行": "@SUM(A1)"}, "开户银行", NO_FORMULA.format("开户银行")),
    "village of another township": (
        lambda: {"村（社区）": "堂邑东村"},
        "村（社区）",
        "「堂邑东村」不是沙镇镇的村（社区）",
    ),
    "unknown group": (lambda: {"人员类别": "贫困户"}, "人员类别", UNKNOWN_GROUP.format("贫困户")),
    "one unknown among groups": (
        lambda: {"人员类别": "脱贫人口、低保户"},
        "人员类别",
        UNKNOWN_GROUP.format("低保户"),
    ),
    "no group": (lambda: {"人员类别": ""}, "人员类别", "人员类别不能为空"),
}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("case", BAD_CELLS, ids=str)
def test_one_bad_cell_among_good_rows_imports_nothing_and_is_named_once(
    attempt: Callable, channel: str, case: str
) -> None:
    cells, column, message = BAD_CELLS[case]
    if case == "village of another township":
        assert Township.objects.get(code="371502102").villages.filter(name="堂邑东村").exists()
    rows = [row(), row(name="王五", **cells()), [None] * 10, row(name="赵六"), ["  "] * 10]
    before = snapshot()
    assert_refused(attempt(channel, workbook(rows)), before, [(3, column, message)])


# --- good files --------------------------------------------------------------------------------


def _reordered(headers: list[str]) -> tuple[list[str], Callable[[list[Any]], list[Any]]]:
    order = [COLUMNS.index(h) for h in headers]
    return headers, lambda values: [values[i] for i in order]


GOOD_LAYOUTS: dict[str, tuple[list[Any], Callable[[list[Any]], list[Any]]]] = {
    "template headers": (COLUMNS, list),
    "headers in another order": _reordered(list(reversed(COLUMNS))),
    "headers with spaces": ([f" {h[0]} {h[1:]}\n" for h in COLUMNS], list),
    "half-width brackets": ([h.replace("（", "(").replace("）", ")") for h in COLUMNS], list),
    "mixed brackets": ([h.replace("（", "(") for h in COLUMNS], list),
}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("layout", GOOD_LAYOUTS, ids=str)
def test_a_good_file_imports_every_row_whatever_its_header_layout_and_blank_rows(
    attempt: Callable, channel: str, layout: str
) -> None:
    headers, arrange = GOOD_LAYOUTS[layout]
    plain = digits_id()
    rows = [
        row(number=VECTOR.lower(), name="欧阳·娜娜", 人员类别="脱贫享受政策人口、农村残疾人"),
        [None] * 10,
        ["   "] * 10,
        row(number=f" {plain}\u3000", name="王五", 联系电话=13800138000, 户号=1024.0, 银行账号=622848001234),
        row(name="赵六", 人员类别="低收入人口，残疾人；大龄人员", 联系电话="0635-8221234"),
        ["\u3000"] * 10,
        [None] * 10,
    ]
    outcome = attempt(channel, workbook([arrange(r) for r in rows], headers=headers))
    assert outcome.imported, outcome.problems
    assert Person.objects.filter(township__code=TOWNSHIP).count() == 3
    nana = Person.objects.get(id_number=VECTOR)
    assert (nana.name, nana.sex, nana.birth_date) == ("欧阳·娜娜", "female", dt.date(1949, 12, 31))
    assert sorted(nana.claims.values_list("group", flat=True)) == ["poverty", "rural_disabled"]
    wang = Person.objects.get(id_number=plain)
    assert (wang.phone, wang.household_no, wang.bank_account) == ("13800138000", "1024", "622848001234")
    zhao = Person.objects.get(name="赵六")
    assert sorted(zhao.claims.values_list("group", flat=True)) == [
        "low_income",
        "rural_disabled",
        "rural_older",
    ]


def test_the_downloaded_template_filled_in_imports(
    cast: Cast, eager: None, django_capture_on_commit_callbacks: Callable
) -> None:
    client = cast.client(cast.clerk)
    template = client.get(reverse("people:import-template"))
    assert isinstance(template, StreamingHttpResponse)  # the template is a file download
    wb = load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    for number, values in enumerate([row(number=VECTOR), row(name="王五")], start=2):
        for column, value in enumerate(values, start=1):
            wb.active.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    wb.save(buffer)
    outcome = by_page(buffer.getvalue(), client, django_capture_on_commit_callbacks)
    assert outcome.imported, outcome.problems
    assert Person.objects.count() == 2


def test_an_old_xls_file_imports_through_the_page(
    cast: Cast, eager: None, django_capture_on_commit_callbacks: Callable
) -> None:
    data = (Path(__file__).parent / "applicants.xls").read_bytes()
    outcome = by_page(data, cast.client(cast.clerk), django_capture_on_commit_callbacks, name="申请人.xls")
    assert outcome.imported, outcome.problems
    assert list(Person.objects.values_list("name", "township__code")) == [("李四", TOWNSHIP)]


# --- duplicates and people registered before ---------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
def test_the_same_id_with_an_upper_and_a_lower_case_x_is_a_duplicate(attempt: Callable, channel: str) -> None:
    before = snapshot()
    outcome = attempt(channel, workbook([row(number=VECTOR), row(), row(number=VECTOR.lower(), name="王五")]))
    assert_refused(outcome, before, [(4, "身份证号", "与第2行的身份证号重复")])


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_duplicate_of_a_row_with_another_error_is_named_too(attempt: Callable, channel: str) -> None:
    # row 2 is bad for its village; row 3 repeats its ID number and must be named as a duplicate
    number = factories.id_number()
    before = snapshot()
    outcome = attempt(
        channel, workbook([row(number=number, **{"村（社区）": "无此村"}), row(number=number, name="王五")])
    )
    assert_refused(
        outcome,
        before,
        [(2, "村（社区）", "「无此村」不是沙镇镇的村（社区）"), (3, "身份证号", "与第2行的身份证号重复")],
    )


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("elsewhere", ["371502102", "370812001"], ids=["same county", "other county"])
def test_a_person_of_another_township_is_refused_and_left_as_they_were(
    attempt: Callable, channel: str, elsewhere: str
) -> None:
    other = factories.person(elsewhere, name="邻镇人")
    before = snapshot()
    outcome = attempt(channel, workbook([row(), row(number=other.id_number.lower(), name="改名")]))
    assert_refused(outcome, before, [(3, "身份证号", "该身份证号已在其他乡镇（街道）登记，不能重复登记")])


@pytest.mark.parametrize("channel", CHANNELS)
def test_reimporting_a_person_of_the_township_updates_them_with_one_audit_entry(
    attempt: Callable, channel: str
) -> None:
    first17 = VECTOR[:17]
    mine = factories.person(TOWNSHIP, name="本镇人")
    Person.objects.filter(pk=mine.pk).update(id_number=first17 + check_character(first17))
    kind = ContentType.objects.get_for_model(Person)
    entries = Entry.objects.filter(content_type=kind, object_pk=str(mine.pk)).count()
    outcome = attempt(channel, workbook([row(number=VECTOR.lower(), name="本镇人改", 人员类别="农村残疾人")]))
    assert outcome.imported, outcome.problems
    person = Person.objects.get()
    assert (person.pk, person.name, person.id_number) == (mine.pk, "本镇人改", VECTOR)
    assert list(person.claims.values_list("group", flat=True)) == ["rural_disabled"]
    assert Entry.objects.filter(content_type=kind, object_pk=str(mine.pk)).count() == entries + 1
    # the same file again changes nothing and records nothing
    assert attempt(channel, workbook([row(number=VECTOR, name="本镇人改", 人员类别="农村残疾人")])).imported
    assert Entry.objects.filter(content_type=kind, object_pk=str(mine.pk)).count() == entries + 1


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_refused_file_leaves_the_townships_people_it_names_unchanged(
    attempt: Callable, channel: str
) -> None:
    mine = factories.person(TOWNSHIP, name="本镇人", groups=["poverty"])
    before = snapshot()
    rows = [row(number=mine.id_number, name="本镇人改", 人员类别="农村残疾人"), row(name="=1+1")]
    assert_refused(attempt(channel, workbook(rows)), before, [(3, "姓名", BAD_NAME)])


# --- cells that are formulas or Excel errors ---------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("column", ["姓名", "银行账号", "备注"], ids=["name", "bank number", "note"])
def test_a_cell_that_really_is_a_formula_is_refused_as_a_formula(
    attempt: Callable, channel: str, column: str
) -> None:
    # openpyxl writes the formula without a cached value: the reader must not take it for ""
    index = COLUMNS.index(column) + 1
    data = workbook([row(), row(name="王五", **{column: "=1+1"})], formulas=frozenset({(3, index)}))
    before = snapshot()
    outcome = attempt(channel, data)
    assert not outcome.imported and snapshot() == before
    assert [(r, c) for r, c, _ in outcome.problems] == [(3, column)]
    assert "公式" in outcome.problems[0][2]


@pytest.mark.parametrize("channel", CHANNELS)
def test_an_excel_error_value_in_a_cell_is_refused(attempt: Callable, channel: str) -> None:
    # a failed VLOOKUP leaves #N/A in the bank number: it is not an empty bank number
    data = with_error_cell(workbook([row(), row(name="王五")]), "H3")
    before = snapshot()
    outcome = attempt(channel, data)
    assert not outcome.imported and snapshot() == before
    assert [(r, c) for r, c, _ in outcome.problems] == [(3, "银行账号")]


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_name_that_is_too_long_is_told_so(attempt: Callable, channel: str) -> None:
    before = snapshot()
    outcome = attempt(channel, workbook([row(name="李" * 60)]))
    assert not outcome.imported and snapshot() == before
    assert [(r, c) for r, c, _ in outcome.problems] == [(2, "姓名")]
    assert "50" in outcome.problems[0][2], outcome.problems


@pytest.mark.parametrize("channel", CHANNELS)
def test_an_empty_village_is_told_it_is_empty(attempt: Callable, channel: str) -> None:
    # e.g. a village merged over several rows: only the first row holds the name
    before = snapshot()
    outcome = attempt(channel, workbook([row(), row(name="王五", **{"村（社区）": ""})]))
    assert not outcome.imported and snapshot() == before
    assert [(r, c) for r, c, _ in outcome.problems] == [(3, "村（社区）")]
    assert "不能为空" in outcome.problems[0][2], outcome.problems  # not 「」不是沙镇镇的村（社区）


# --- files that are wrong as a whole -------------------------------------------------------------


def _truncated() -> bytes:
    data = workbook([row()])
    return data[: len(data) // 2]


UNREADABLE = "无法读取文件：请上传 Excel 文件（.xlsx 或 .xls，可用模板填写）"
WHOLE_FILE: dict[str, tuple[Callable[[], bytes], tuple[int, str]]] = {
    # name: (the file, (the problem's row, what its message says))
    "a missing column": (lambda: workbook([row()[:-1]], headers=COLUMNS[:-1]), (1, "缺少列：备注")),
    "a misspelt header": (
        lambda: workbook([row()], headers=["姓命", *COLUMNS[1:]]),
        (1, "无法识别的列：姓命"),
    ),
    "an extra column": (
        lambda: workbook([[*row(), "男"]], headers=[*COLUMNS, "性别"]),
        (1, "无法识别的列：性别"),
    ),
    "a header twice": (lambda: workbook([[*row(), "x"]], headers=[*COLUMNS, "备注"]), (1, "重复的列：备注")),
    "headers under a title row": (
        lambda: workbook([COLUMNS, row()], headers=["沙镇镇申请人名单"]),
        (1, "缺少列：姓名、身份证号"),
    ),
    "an empty sheet": (lambda: workbook([], headers=None), (1, "工作表「Sheet」是空的：第一行应为列标题")),
    "a header-only sheet": (lambda: workbook([]), (2, "文件中没有数据行")),
    "headers and blank rows only": (lambda: workbook([[None] * 10, ["  "] * 10]), (2, "文件中没有数据行")),
    "text renamed .xlsx": (lambda: "姓名,身份证号\n李四,11010519491231002X\n".encode(), (1, UNREADABLE)),
    "a truncated xlsx": (_truncated, (1, UNREADABLE)),
}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("case", WHOLE_FILE, ids=str)
def test_a_wrong_file_imports_nothing_and_says_why_where_the_clerk_sees_it(
    attempt: Callable, channel: str, case: str
) -> None:
    make, (number, says) = WHOLE_FILE[case]
    before = snapshot()
    outcome = attempt(channel, make())
    assert not outcome.imported and snapshot() == before
    assert [(r, c) for r, c, _ in outcome.problems] == [(number, "")]
    assert says in outcome.problems[0][2]
    assert says in outcome.output, "the reason is shown (stderr, or the preview page)"


# --- a file of 10,001 rows (two of the import's batches of 10,000) ------------------------------


@pytest.fixture
def ten_thousand_and_one() -> list[list[Any]]:
    return [row(number=number, name="李四") for number in ids(10_001)]


def test_a_file_of_10001_good_rows_imports_every_row(
    seeded: Any, tmp_path: Path, ten_thousand_and_one: list[list[Any]]
) -> None:
    outcome = by_command(big_workbook(ten_thousand_and_one), tmp_path)
    assert outcome.imported and "已导入 10001 人（新增 10001，更新 0）" in outcome.output
    assert Person.objects.filter(township__code=TOWNSHIP).count() == 10_001
    assert GroupClaim.objects.count() == 10_001


@pytest.mark.parametrize("where", ["last row bad", "duplicate across the batches"])
def test_a_file_of_10001_rows_with_one_bad_row_after_the_first_batch_imports_nothing(
    seeded: Any, tmp_path: Path, ten_thousand_and_one: list[list[Any]], where: str
) -> None:
    rows = ten_thousand_and_one
    if where == "last row bad":
        good = rows[-1][1]
        rows[-1] = row(number=wrong_check(good))
        expected = (10_002, "身份证号", f"身份证号校验位错误：应为{good[-1]}，实际为{wrong_check(good)[-1]}")
    else:
        rows.append(row(number=rows[0][1], name="王五"))
        expected = (10_003, "身份证号", "与第2行的身份证号重复")
    before = snapshot()
    outcome = by_command(big_workbook(rows), tmp_path)
    assert not outcome.imported and snapshot() == before
    assert outcome.problems == [expected]


# --- who may import --------------------------------------------------------------------------


def test_only_the_uploading_clerk_sees_the_preview_error_report_and_confirm(
    cast: Cast, eager: None, django_capture_on_commit_callbacks: Callable
) -> None:
    clerk = cast.client(cast.clerk)
    upload = io.BytesIO(workbook([row(), row(name="=1+1")]))
    upload.name = "bad.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = clerk.post(reverse("people:import-upload"), {"file": upload})
    token = uploaded["Location"].rstrip("/").rsplit("/", 1)[1]
    outsiders: list[User] = [
        cast.other_clerk,
        cast.clerk_other_county,
        cast.hr,
        cast.county_admin,
        cast.nobody,
    ]
    for user in outsiders:
        client = cast.client(user)
        assert client.get(reverse("people:import-errors", args=[token])).status_code == 404, user
        assert client.get(reverse("people:import-preview", args=[token])).status_code == 404, user
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("people:import-confirm", args=[token])).status_code == 404, user
    for user in [cast.hr, cast.county_admin, cast.nobody]:
        assert cast.client(user).get(reverse("people:import-upload")).status_code == 404, user
    assert not Job.objects.exclude(kind=Job.Kind.APPLICANT_PREVIEW).exists() and not Person.objects.exists()
    assert clerk.get(reverse("people:import-errors", args=[token])).status_code == 200
