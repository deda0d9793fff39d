"""The year's cost split and the insurance roster: totals equal the payroll lines."""

import datetime as dt
from decimal import Decimal as M

from django.core.management import call_command
from openpyxl import load_workbook

from subsidies import payroll
from subsidies.models import PayrollLine
from subsidies.reports import cost_rows, monthly_totals
from tests import factories
from townships.models import County


def test_the_cost_split_of_a_year_adds_up_to_the_payroll(cast, tmp_path) -> None:
    factories.placement("371502101")
    factories.placement("371502102", on_post=dt.date(2022, 3, 16), name="月中人")
    county = County.objects.get(code="371502")
    for m in range(1, 5):
        run = payroll.compute_run(payroll.run_for(county, dt.date(2022, m, 1)), cast.finance)
        if m == 1:
            payroll.approve(run, cast.finance2)  # approved: no longer a draft
    rows = cost_rows(county, 2022)
    lines = PayrollLine.objects.filter(run__county=county)
    for k in ("pay", "province", "city", "district"):
        assert sum(r[k] for r in rows) == sum(getattr(line, k) for line in lines)
    march = [r for r in rows if r["run__month"] == dt.date(2022, 3, 1)]
    assert [(r["township__code"], r["people"], r["pay"]) for r in march] == [
        ("371502101", 1, M("680.00")),
        ("371502102", 1, M("350.97")),
    ]
    assert [m["pay"] for m in monthly_totals(rows)] == [M("680.00"), M("680.00"), M("1030.97"), M("1360.00")]
    path = tmp_path / "cost.xlsx"
    call_command("cost_report", "--county", "371502", "--year", "2022", "--output", str(path))
    summary = list(load_workbook(path)["分月汇总"].iter_rows(values_only=True))
    assert "含未审核的草稿月份：02月、03月、04月" in summary[0][0]
    assert [row[0] for row in summary[2:4]] == ["2022-01", "2022-02（草稿）"]
    assert summary[-3][:2] == ("合计", 3750.97)
    page = cast.client(cast.finance).get("/subsidies/costs/?year=2022").text
    assert page.count("草稿，未审核") == 3


def test_the_run_page_workbook_and_cost_report_count_people_alike(cast) -> None:
    """One 人数: people with a regular line of the month; a back-pay-only person is not counted."""
    from io import BytesIO

    from django.urls import reverse

    from subsidies.exports import payroll_workbook_write

    left = factories.placement("371502101", name="离岗人")
    factories.placement("371502101", name="在岗人")
    county = County.objects.get(code="371502")
    february = payroll.compute_run(payroll.run_for(county, dt.date(2022, 2, 1)), cast.finance)
    payroll.lock(payroll.approve(february, cast.finance2), cast.finance2)
    left.exit_date = dt.date(2022, 1, 31)  # recorded late: February is recovered in March
    left.save()
    march = payroll.compute_run(payroll.run_for(county, dt.date(2022, 3, 1)), cast.finance)
    assert sorted(march.lines.values_list("kind", flat=True)) == ["recovery", "regular"]
    page = cast.client(cast.finance).get(reverse("subsidies:run-detail", args=[march.pk]))
    assert [t["people"] for t in page.context["townships"]] == [1]
    assert "仅有补发/扣回的人员不计入人数" in page.text
    (row,) = [r for r in cost_rows(county, 2022) if r["run__month"] == dt.date(2022, 3, 1)]
    assert row["people"] == 1
    book = BytesIO()
    payroll_workbook_write(run=march, target=book)
    book.seek(0)
    summary = list(load_workbook(book)["汇总"].iter_rows(values_only=True))
    assert [r[2] for r in summary if r[0] == "371502101"] == [1]


def test_the_insurance_roster_lists_rural_holders_on_post(cast, tmp_path) -> None:
    on = factories.placement("371502101", name="乡村人")
    factories.placement("371502101", line="urban", name="城镇人", birth="19680101")
    factories.placement("371502101", exit_date=dt.date(2022, 2, 1), name="已离岗")
    path = tmp_path / "insurance.xlsx"
    call_command("insurance_roster", "--county", "371502", "--on", "2022-03-01", "--output", str(path))
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert [r[3] for r in rows[2:-2] if r and r[0] != "制表人："] == ["乡村人"]
    assert rows[2][4] == on.person.id_number


def test_the_cost_page_draws_the_chart_from_local_files(cast) -> None:
    from django.urls import reverse

    factories.placement("371502101")
    payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), dt.date(2022, 3, 1)))
    page = cast.client(cast.finance).get(reverse("subsidies:costs"), {"year": 2022}).content.decode()
    assert "/static/vendor/chart-4.6.1.umd.min.js" in page and "https://" not in page
    assert '"province": ["333.33"]' in page and '"labels": ["2022-03"]' in page
    download = cast.client(cast.finance).get(
        reverse("subsidies:costs-download"), {"county": "371502", "year": 2022}
    )
    assert download.status_code == 200
    other = cast.client(cast.hr_other_county).get(
        reverse("subsidies:costs-download"), {"county": "371502", "year": 2022}
    )
    assert other.status_code == 404


def test_the_cost_page_follows_a_recomputation_though_it_is_kept_in_the_cache(cast) -> None:
    from django.urls import reverse

    from subsidies.models import Attendance

    placement = factories.placement("371502101")
    county = County.objects.get(code="371502")
    run = payroll.compute_run(payroll.run_for(county, dt.date(2022, 3, 1)))
    client = cast.client(cast.finance)
    assert '"province": ["333.33"]' in client.get(reverse("subsidies:costs"), {"year": 2022}).content.decode()
    Attendance.objects.create(placement=placement, month=run.month, days=11, recorded_by=cast.clerk)
    payroll.compute_run(run)
    again = client.get(reverse("subsidies:costs"), {"year": 2022}).content.decode()
    assert '"province": ["183.33"]' in again


def test_a_year_that_is_no_number_is_read_as_this_year(cast) -> None:
    from django.urls import reverse

    response = cast.client(cast.finance).get(
        reverse("subsidies:costs-download"), {"county": "371502", "year": "二〇二二"}
    )
    assert response.status_code == 200
