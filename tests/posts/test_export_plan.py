"""export_plan and the plan download reproduce the seed tables cell for cell."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from posts.models import Duty, Post
from tests.townships.test_seed import DONGCHANG_2022, YANZHOU_2022
from townships.models import Township, Village


def _village(township: Township) -> Village:
    village = township.villages.first()
    assert village is not None  # every seeded township has villages
    return village


def _duty(line: str) -> Duty:
    duty = Duty.objects.filter(line=line).first()
    assert duty is not None  # the seed has duties for both lines
    return duty


TITLES = {
    "371502": "2022年东昌府区镇（街道）城乡公益性岗位开发计划",
    "370812": "2022年兖州区城乡公益性岗位开发计划分配表",
}


def read_rows(source) -> list[tuple]:
    return list(load_workbook(source, read_only=True).active.iter_rows(values_only=True))


@pytest.mark.parametrize(
    ("county", "expected", "totals"),
    [("371502", DONGCHANG_2022, (3310, 760, 2550)), ("370812", YANZHOU_2022, (2387, 587, 1800))],
)
def test_export_plan_reproduces_the_seed_table(seeded, tmp_path, county, expected, totals) -> None:
    output = tmp_path / "plan.xlsx"
    call_command("export_plan", "--county", county, "--year", "2022", "--output", str(output))
    rows = read_rows(output)
    assert rows[0][0] == TITLES[county]
    assert rows[2][:5] == ("乡镇（街道）代码", "镇（街道）", "总数", "城镇", "乡村")
    body = rows[3:-1]
    assert [(r[0], r[2], r[3], r[4]) for r in body] == expected
    assert all(isinstance(r[0], str) for r in body)
    assert rows[-1][1:5] == ("合计", *totals)


def test_export_plan_counts_posts_filled_per_line(seeded, tmp_path) -> None:
    township = Township.objects.get(code="371502101")
    village = _village(township)
    for n, line in enumerate(["rural", "rural", "urban"]):
        Post.objects.create(
            code=f"P-{n}",
            year=2022,
            township=township,
            village=village,
            line=line,
            duty=_duty(line),
            status=Post.Status.FILLED,
        )
    Post.objects.create(
        code="P-vacant",
        year=2022,
        township=township,
        village=village,
        line="rural",
        duty=_duty("rural"),
    )
    output = tmp_path / "plan.xlsx"
    call_command("export_plan", "--county", "371502", "--year", "2022", "--output", str(output))
    rows = read_rows(output)
    shazhen = next(r for r in rows if r[0] == "371502101")
    assert shazhen[5:8] == (3, 1, 2)
    assert rows[-1][5:8] == (3, 1, 2)


def test_export_plan_names_a_missing_plan(seeded, tmp_path) -> None:
    with pytest.raises(CommandError, match="没有找到区县 371502 的 2031 年开发计划"):
        call_command(
            "export_plan", "--county", "371502", "--year", "2031", "--output", str(tmp_path / "x.xlsx")
        )
    assert not (tmp_path / "x.xlsx").exists()


def test_the_plan_download_gives_the_same_table_for_hr(cast) -> None:
    response = cast.client(cast.hr).get("/plans/370812/2022/xlsx/")
    assert response.status_code == 404  # another county's HR
    response = cast.client(cast.hr_other_county).get("/plans/370812/2022/xlsx/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = read_rows(io.BytesIO(b"".join(response.streaming_content)))
    assert [(r[0], r[2], r[3], r[4]) for r in rows[3:-1]] == YANZHOU_2022


def test_the_plan_page_shows_the_title_and_totals(cast) -> None:
    page = cast.client(cast.auditor).get("/plans/371502/2022/").content.decode()
    assert TITLES["371502"] in page
    assert "<th>合计</th>" in page and "3310" in page


# The plan as last adjusted and the five years (docs/policy.md §2.5, §2.6).


def test_export_plan_gives_the_plan_as_last_adjusted(seeded, tmp_path) -> None:
    from townships import plans
    from townships.models import Plan
    from townships.services import PlanRow

    plan = Plan.objects.get(county__code="370812", year=2022)
    rows = [
        PlanRow(q.township.code, q.urban, q.rural - 10 if q.township.code == "370812101" else q.rural)
        for q in plan.versions.get(number=1).quotas.select_related("township")
    ]
    plans.plan_adjust(
        plan=plan,
        effective_from=dt.date(2022, 9, 1),
        document="兖人社字〔2022〕30号",
        reason="大安镇减少10个乡村岗位",
        declared_urban=587,
        declared_rural=1790,
        rows=rows,
        actor=None,
    )
    output = tmp_path / "plan.xlsx"
    call_command("export_plan", "--county", "370812", "--year", "2022", "--output", str(output))
    body = read_rows(output)
    daan = next(r for r in body if r[0] == "370812101")
    original = next(r for r in YANZHOU_2022 if r[0] == "370812101")
    assert daan[2:5] == (original[1] - 10, original[2], original[3] - 10)
    assert body[-1][1:5] == ("合计", 2377, 587, 1790)


def test_export_plan_five_years_gives_each_year_against_the_target(seeded, tmp_path) -> None:
    township = Township.objects.get(code="370812101")
    Post.objects.create(
        code="P-5y",
        year=2022,
        township=township,
        village=_village(township),
        line="rural",
        duty=_duty("rural"),
        status=Post.Status.FILLED,
    )
    output = tmp_path / "five.xlsx"
    out = io.StringIO()
    call_command(
        "export_plan",
        "--county",
        "370812",
        "--year",
        "2023",
        "--five-years",
        "--output",
        str(output),
        stdout=out,
    )
    assert "目标 7162，已计划 2387，已上岗 1" in out.getvalue()
    book = load_workbook(output, read_only=True)
    by_year = list(book["分年度"].iter_rows(values_only=True))
    assert by_year[0][0] == "兖州区“十四五”城乡公益性岗位开发目标"
    assert by_year[2] == ("年度", "五年目标分解", "年度计划", "已上岗", "空岗")
    assert by_year[3:] == [
        ("2021", 0, None, 0, 0),
        ("2022", 2387, 2387, 1, 0),
        ("2023", 2387, None, 0, 0),
        ("2024", 1194, None, 0, 0),
        ("2025", 1194, None, 0, 0),
        ("合计", 7162, 2387, 1, 0),
    ]
    towns = list(book["分乡镇（街道）"].iter_rows(values_only=True))
    assert towns[2][:6] == (
        "乡镇（街道）代码",
        "镇（街道）",
        "2021年计划",
        "2021年已上岗",
        "2022年计划",
        "2022年已上岗",
    )
    daan = next(r for r in towns if r[0] == "370812101")
    original = next(r for r in YANZHOU_2022 if r[0] == "370812101")
    assert daan[2:6] == (None, 0, original[1], 1)


def test_export_plan_five_years_names_a_missing_target(seeded, tmp_path) -> None:
    with pytest.raises(CommandError, match="没有找到区县 371502 包含 2023 年的五年目标"):
        call_command(
            "export_plan",
            "--county",
            "371502",
            "--year",
            "2023",
            "--five-years",
            "--output",
            str(tmp_path / "x.xlsx"),
        )
    assert not (tmp_path / "x.xlsx").exists()
