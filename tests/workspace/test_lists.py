"""Every list is searchable, filterable, sortable, paginated and exports exactly what it shows
(every page of it) to .xlsx; another township's rows never appear, in the page or the file."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from subsidies import payroll
from tests import factories
from townships.models import County


def sheet_rows(response) -> list[list]:
    """The data rows of a list export (title, subtitle and header rows skipped)."""
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0]  # the title
    return [list(row) for row in rows[3:]]


def test_the_people_list_sorts_by_registration_both_ways_and_ignores_unknown_sorts(cast) -> None:
    for birth, name in (("19700101", "七零"), ("19650101", "六五"), ("19800101", "八零")):
        factories.person("371502101", birth=birth, name=name)
    client = cast.client(cast.clerk)
    url = reverse("people:person-list")
    up = client.get(url, {"sort": "registered"}).content.decode()
    assert up.index("七零") < up.index("六五") < up.index("八零")
    down = client.get(url, {"sort": "-registered"}).content.decode()
    assert down.index("八零") < down.index("六五") < down.index("七零")
    unknown = client.get(url, {"sort": "id_number"})  # not offered: the default order, no error
    assert unknown.status_code == 200 and all(
        name in unknown.content.decode() for name in ("七零", "六五", "八零")
    )


def test_a_sortable_column_header_links_to_the_other_direction(cast) -> None:
    factories.placement("371502101")
    page = (
        cast.client(cast.clerk).get(reverse("placements:placement-list"), {"status": "on"}).content.decode()
    )
    assert 'aria-sort="ascending"><a href="?status=on&amp;sort=-on_post">上岗日期 ▲</a>' in page


def test_the_people_export_holds_what_the_list_shows_masked(cast) -> None:
    kept = factories.person("371502101", name="李四", groups=["rural_disabled"])
    factories.person("371502101", name="王五", birth="19710101")
    factories.person("371502102", name="李别镇", birth="19720101")
    response = cast.client(cast.hr).get(reverse("people:person-list"), {"q": "李", "export": "xlsx"})
    rows = sheet_rows(response)
    assert [(r[0], r[2]) for r in rows] == [("李四", "沙镇镇"), ("李别镇", "堂邑镇")]
    assert rows[0][1] == kept.id_number[:6] + "********" + kept.id_number[-4:]
    clerk_rows = sheet_rows(cast.client(cast.clerk).get(reverse("people:person-list"), {"export": "xlsx"}))
    assert sorted(r[0] for r in clerk_rows) == ["李四", "王五"]


def test_the_application_queue_searches_filters_and_exports(recruiting) -> None:
    first, second = recruiting.apply(2)
    hr = recruiting.cast.client(recruiting.cast.hr)
    page = hr.get(reverse("placements:queue"), {"q": first.person.name}).content.decode()
    assert first.person.name in page and second.person.name not in page
    assert (
        "没有符合条件的申请"
        in hr.get(reverse("placements:queue"), {"township": "371502102"}).content.decode()
    )
    rows = sheet_rows(hr.get(reverse("placements:queue"), {"sort": "name", "export": "xlsx"}))
    assert sorted(r[0] for r in rows) == sorted([first.person.name, second.person.name])
    assert {r[6] for r in rows} == {"报名申请"}
    other = recruiting.cast.client(recruiting.cast.other_clerk)
    assert sheet_rows(other.get(reverse("placements:queue"), {"export": "xlsx"})) == []


def test_the_placement_list_filters_on_post_and_exited(cast) -> None:
    factories.placement("371502101", name="在岗甲")
    factories.placement("371502101", name="离岗乙", exit_date=dt.date(2022, 6, 30))
    factories.placement("371502102", name="别镇丙")
    client = cast.client(cast.clerk)
    url = reverse("placements:placement-list")
    on_post = client.get(url, {"status": "on"}).content.decode()
    assert "在岗甲" in on_post and "离岗乙" not in on_post and "别镇丙" not in on_post
    rows = sheet_rows(client.get(url, {"status": "exited", "export": "xlsx"}))
    assert [(r[0], r[7]) for r in rows] == [("离岗乙", dt.datetime(2022, 6, 30))]


def test_the_post_list_filters_by_line_and_exports(cast) -> None:
    factories.placement("371502101", line="rural")
    factories.placement("371502101", line="urban", birth="19800101")
    client = cast.client(cast.clerk)
    rows = sheet_rows(client.get(reverse("posts:post-list"), {"line": "urban", "export": "xlsx"}))
    assert [(r[2], r[4]) for r in rows] == [("沙镇镇", "城镇")]


@pytest.mark.parametrize("sort", ["township", "-township", "pay"])  # "pay" is not offered: the default
def test_the_payroll_lines_list_exports_amounts_that_add_up(cast, sort) -> None:
    factories.placement("371502101", name="甲")
    factories.placement("371502101", name="乙", on_post=dt.date(2022, 2, 15))
    factories.placement("371502102", name="丙")
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), dt.date(2022, 2, 1)))
    url = reverse("subsidies:run-lines", args=[run.pk])
    finance = cast.client(cast.finance)
    rows = sheet_rows(finance.get(url, {"township": "371502101", "sort": sort, "export": "xlsx"}))
    assert sorted(r[2] for r in rows) == ["乙", "甲"]
    pays = [Decimal(str(r[9])).quantize(Decimal("0.01")) for r in rows]
    expected = run.lines.filter(township__code="371502101").order_by("pay")
    assert sorted(pays) == [line.pay for line in expected]
    assert "丙" not in finance.get(url, {"township": "371502101"}).content.decode()
    assert cast.client(cast.hr_other_county).get(url).status_code == 404
