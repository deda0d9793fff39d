"""Hostile and oversized uploads are refused before anything parses them, quickly and without
memory growing with what the file claims or hides: a file above UPLOAD_MAX_MB; parts that
unpack to hundreds of megabytes, with their declared sizes forged or not (the shared strings,
the workbook part, a sheet); a sheet whose one far cell would make calamine lay out 550 GB.
Every import (applicants, rosters, attendance, 新老衔接) reads through the same checks; each
refusal says why in Chinese and imports nothing."""

import datetime as dt
import io
import resource
import time

import pytest
from django.urls import reverse

from common import uploads
from common.models import Job
from common.sheets import SheetError, read_table
from common.uploads import MAX_OTHER_PART_BYTES, MAX_PART_BYTES, MB
from people.imports import COLUMNS, ImportReport, applicants_import
from people.models import Person, Roster
from people.rosters import RosterReport, roster_file_import
from placements.migration import COLUMNS as HOLDER_COLUMNS
from placements.migration import MigrationReport, placements_import
from subsidies.attendance import AttendanceReport, attendance_import
from tests import factories
from townships.models import County, Township

from .hostile import forge_size, padded_xml, replace_part, template, with_row

SHEET = "xl/worksheets/sheet1.xml"
MAIN = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def applicants() -> bytes:
    return template(
        COLUMNS,
        [["甲", factories.id_number("19700101"), "", "沙镇东村", "", "", "脱贫享受政策人口", "", "", ""]],
    )


def huge_shared_strings(size: int) -> bytes:
    head = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    )
    return replace_part(applicants(), "xl/sharedStrings.xml", padded_xml(head, b"</t></si></sst>", size))


def huge_workbook_part(size: int) -> bytes:
    data = applicants()
    import zipfile

    workbook = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    head, tail = workbook.split(b"</workbook>")[0], b"</workbook>"
    return replace_part(data, "xl/workbook.xml", padded_xml(head, tail, size))


def huge_sheet(size: int) -> bytes:
    return replace_part(
        applicants(), SHEET, padded_xml(MAIN + b"<sheetData>", b"</sheetData></worksheet>", size)
    )


def refused(data: bytes) -> tuple[str, float, int]:
    """read_table's refusal message, the seconds it took and the growth of peak memory (kB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(SheetError) as refusal:
        read_table(io.BytesIO(data), required=COLUMNS)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak
    return str(refusal.value), time.monotonic() - started, grown


def test_shared_strings_that_unpack_past_the_limit_are_refused_while_unpacking() -> None:
    data = huge_shared_strings(MAX_PART_BYTES + 20 * MB)
    assert len(data) < 1 * MB  # a small file …
    message, seconds, grown = refused(data)
    assert "「xl/sharedStrings.xml」解压后超过 100 MB" in message
    assert seconds < 5 and grown < 50 * 1024  # … read one megabyte at a time, never all at once


def test_a_forged_declared_size_does_not_let_a_large_part_through() -> None:
    data = forge_size(huge_shared_strings(MAX_PART_BYTES + 20 * MB), "xl/sharedStrings.xml", 1000)
    message, seconds, grown = refused(data)
    assert "解压后超过 100 MB" in message and seconds < 5 and grown < 50 * 1024


def test_a_part_whose_real_size_is_not_the_declared_one_is_a_damaged_file() -> None:
    data = forge_size(huge_shared_strings(2 * MB), "xl/sharedStrings.xml", 1000)
    assert refused(data)[0] == "文件已损坏（压缩包登记的大小与实际内容不符），无法读取"


def test_a_huge_workbook_part_is_refused_before_it_is_parsed() -> None:
    data = huge_workbook_part(300 * MB)  # the 311 KB file that hung a web worker until gunicorn killed it
    message, seconds, grown = refused(data)
    assert f"「xl/workbook.xml」解压后超过 {MAX_OTHER_PART_BYTES // MB} MB" in message
    assert seconds < 5 and grown < 50 * 1024


def test_a_sheet_past_the_limit_is_refused_and_so_is_the_whole_file() -> None:
    assert "「xl/worksheets/sheet1.xml」解压后超过 100 MB" in refused(huge_sheet(MAX_PART_BYTES + MB))[0]


def test_one_far_cell_that_would_make_calamine_abort_the_process_is_refused() -> None:
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    message, _seconds, _grown = refused(with_row(applicants(), far))
    assert "范围过大（1048576行×16384列）" in message
    unreferenced = "<row>" + "<c><v>1</v></c>" * 10 + "</row>"  # positions implied: still counted
    assert read_table(io.BytesIO(with_row(applicants(), unreferenced)), required=COLUMNS).rows


def test_a_file_above_the_upload_limit_is_refused_without_reading_it_whole(settings) -> None:
    settings.UPLOAD_MAX_MB = 1
    big = io.BytesIO(b"PK" + b"\0" * (2 * MB))
    with pytest.raises(SheetError, match="文件超过 1 MB，未导入任何数据"):
        read_table(big, required=COLUMNS)
    assert big.tell() == MB + 1  # the limit and one byte, no more


@pytest.fixture
def bomb() -> bytes:
    return forge_size(huge_shared_strings(MAX_PART_BYTES + 20 * MB), "xl/sharedStrings.xml", 1000)


def test_every_import_refuses_the_file_and_imports_nothing(cast, bomb) -> None:
    town = Township.objects.get(code="371502101")
    county = County.objects.get(code="371502")
    reports: list[ImportReport | RosterReport | AttendanceReport | MigrationReport] = [
        applicants_import(township=town, source=io.BytesIO(bomb), dry_run=False),
        roster_file_import(
            county=county,
            kind="civil_affairs",
            roster_date=dt.date(2022, 2, 1),
            source=io.BytesIO(bomb),
            file_name="x.xlsx",
            actor=cast.hr,
        ),
        attendance_import(
            township=town, month=dt.date(2022, 3, 1), source=io.BytesIO(bomb), actor=cast.clerk
        ),
        placements_import(county=county, source=io.BytesIO(bomb), dry_run=False, actor=cast.hr),
    ]
    for report in reports:
        assert ["解压后超过 100 MB" in p.message for p in report.problems] == [True], report.problems
    assert not Person.objects.exists() and not Roster.objects.exists()


def upload(data: bytes, name: str = "file.xlsx") -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def kept_files() -> set[str]:
    """The files waiting in the storage for a background job."""
    try:
        return set(uploads.storage().listdir(uploads.KEPT_DIR)[1])
    except FileNotFoundError:
        return set()


def test_the_upload_pages_refuse_a_file_above_the_limit_and_keep_nothing(cast, settings) -> None:
    settings.UPLOAD_MAX_MB = 1
    big = bytes(2 * MB)
    before = kept_files()
    page = cast.client(cast.clerk).post(reverse("people:import-upload"), {"file": upload(big)})
    assert page.status_code == 200 and "文件超过 1 MB，未导入任何数据" in page.content.decode()
    after = kept_files()
    assert after == before  # nothing was kept for a preview
    roster = cast.client(cast.hr).post(
        reverse("people:roster-list"),
        {"kind": "civil_affairs", "roster_date": "2022-02-01", "file": upload(big)},
    )
    assert "文件超过 1 MB，未导入任何数据" in roster.content.decode() and not Roster.objects.exists()
    attendance = cast.client(cast.clerk).post(
        reverse("subsidies:attendance"), {"month": "2022-03", "file": upload(big)}
    )
    assert "文件超过 1 MB，未导入任何数据" in attendance.content.decode()
    holders = cast.client(cast.hr).post(
        reverse("placements:migration-upload"), {"file": upload(big)}, follow=True
    )
    assert "文件超过 1 MB，未导入任何数据" in holders.content.decode()
    assert not Job.objects.exists()  # no job was queued for it
    after = kept_files()
    assert after == before


def roster_page(client, data: bytes, capture, name: str = "file.xlsx"):
    """HR's roster upload; the import job it starts runs (eagerly, on commit): the job's page."""
    form = {"kind": "civil_affairs", "roster_date": "2022-02-01", "file": upload(data, name)}
    with capture(execute=True):
        started = client.post(reverse("people:roster-list"), form)
    assert started.status_code == 302, started
    return client.get(started["Location"])


@pytest.fixture
def eager(monkeypatch):
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def test_the_roster_page_refuses_a_hidden_bomb_with_its_reason(
    cast, bomb, eager, django_capture_on_commit_callbacks
) -> None:
    page = roster_page(cast.client(cast.hr), bomb, django_capture_on_commit_callbacks)
    assert "解压后超过 100 MB" in page.content.decode() and not Roster.objects.exists()


def test_a_long_file_name_is_cut_to_its_column_keeping_its_ending(
    cast, eager, django_capture_on_commit_callbacks
) -> None:
    data = template(["身份证号", "姓名"], [[factories.id_number("19700101"), "甲"]])
    long_name = "名" * 100 + "a" * 150 + ".xlsx"
    page = roster_page(cast.client(cast.hr), data, django_capture_on_commit_callbacks, long_name)
    assert "名单 1 人" in page.content.decode()
    name = Roster.objects.get().file_name
    assert len(name) <= 200 and name.endswith(".xlsx")


def test_a_roster_name_longer_than_its_column_is_named_not_a_500(
    cast, eager, django_capture_on_commit_callbacks
) -> None:
    data = template(["身份证号", "姓名"], [[factories.id_number("19700101"), "甲" * 51]])
    page = roster_page(cast.client(cast.hr), data, django_capture_on_commit_callbacks)
    assert page.status_code == 200 and "姓名不能超过50个字" in page.content.decode()
    assert not Roster.objects.exists()


def test_a_hidden_first_sheet_is_not_what_gets_read() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    hidden = wb.active
    hidden.title = "旧表"
    hidden.append(["甲", "乙"])
    hidden.append(["hidden", "row"])
    hidden.sheet_state = "hidden"
    shown = wb.create_sheet("本次")
    shown.append(["甲", "乙"])
    shown.append(["shown", "row"])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    table = read_table(buffer, required=["甲", "乙"])
    assert table.sheet == "本次" and table.rows == [(2, {"甲": "shown", "乙": "row"})]
    buffer.seek(0)
    with pytest.raises(SheetError, match="工作表「本次」的列标题不符合模板.*读取的是第一个未隐藏的工作表"):
        read_table(buffer, required=["丙"])


def test_the_holders_template_still_reads() -> None:
    table = read_table(io.BytesIO(template(HOLDER_COLUMNS, [])), required=HOLDER_COLUMNS)
    assert table.rows == []


def test_the_applicant_page_imports_the_visible_sheet_not_a_hidden_first_one(
    cast, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from openpyxl import Workbook

    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    wb = Workbook()
    hidden = wb.active
    hidden.title = "去年"
    hidden.append(COLUMNS)
    person = ["", "", "", "沙镇东村", "", "", "脱贫享受政策人口", "", "", ""]
    hidden.append(["旧人", factories.id_number("19600101"), *person[2:]])
    hidden.sheet_state = "hidden"
    shown = wb.create_sheet("今年")
    shown.append(COLUMNS)
    shown.append(["新人", factories.id_number("19800101"), *person[2:]])
    buffer = io.BytesIO()
    wb.save(buffer)
    client = cast.client(cast.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = client.post(reverse("people:import-upload"), {"file": upload(buffer.getvalue())})
    preview = client.get(uploaded["Location"])
    assert [row["name"] for row in preview.context["result"]["rows"]] == ["新人"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:import-confirm", args=[preview.context["token"]]))
    assert list(Person.objects.values_list("name", flat=True)) == ["新人"]
