"""The printable payment sheet and its PDF: the workbook's payment sheets (one row per person with
the net, nets below 0 apart as 待扣回), per township or for the county, 草稿 until locked; the same
roles as the workbook; too large a PDF points to the xlsx."""

import io
import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from pypdf import PdfReader

from subsidies import payroll
from subsidies.models import PayrollLine, PayrollRun
from tests import factories
from townships.models import County


@pytest.fixture
def run(cast) -> PayrollRun:
    """March 2022 of 东昌府区: two people in 沙镇镇 (one part of the month), one in 堂邑镇."""
    import datetime as dt

    factories.placement("371502101", name="王秀英")
    factories.placement("371502101", name="李建国", on_post=dt.date(2022, 3, 16))
    factories.placement("371502102", name="赵红梅")
    county = County.objects.get(code="371502")
    return payroll.compute_run(payroll.run_for(county, payroll.month_start("2022-03")))


def _text(response) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def test_it_prints_the_county_with_totals_equal_to_the_sum_of_its_lines(cast, run) -> None:
    page = cast.client(cast.finance).get(reverse("subsidies:run-sheet", args=[run.pk])).content.decode()
    sums = PayrollLine.objects.filter(run=run).aggregate(
        *(Sum(k) for k in ("pay", "province", "city", "district"))
    )
    grand = [sums[f"{k}__sum"] for k in ("pay", "province", "city", "district")]
    totals = re.findall(r'<tr class="totals">(.*?)</tr>', page)
    assert len(totals) == 3  # the summary, then 沙镇镇 and 堂邑镇
    assert [_money(v) for v in grand] == re.findall(r'class="num">([\d.]+)</td>', totals[0])[1:5]
    shazhen = PayrollLine.objects.filter(run=run, township__code="371502101").aggregate(Sum("pay"))
    assert "合计（2人）" in totals[1] and _money(shazhen["pay__sum"]) in totals[1]
    assert "草稿" in page and "王秀英" in page and "赵红梅" in page
    assert "制表人" in page and "审核人" in page and "data-print" in page and "js/print.js" in page
    assert all(
        h in page
        for h in ("序号", "村（社区）", "身份证号", "当月补贴", "补发", "扣回", "实发金额", "银行账号")
    )


def test_one_township_sheet_holds_only_its_lines(cast, run) -> None:
    url = reverse("subsidies:run-sheet", args=[run.pk]) + "?township=371502102"
    page = cast.client(cast.auditor).get(url).content.decode()
    assert "赵红梅" in page and "王秀英" not in page and "堂邑镇" in page


def test_the_pdf_of_a_township_names_its_people_and_amounts(cast, run) -> None:
    url = reverse("subsidies:run-sheet-pdf", args=[run.pk]) + "?township=371502101"
    response = cast.client(cast.hr).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('payroll-371502-2022-03-371502101-draft.pdf"')
    assert response.content.startswith(b"%PDF")
    text = _text(response)
    pay = PayrollLine.objects.filter(run=run, township__code="371502101").aggregate(Sum("pay"))["pay__sum"]
    assert "王秀英" in text and "李建国" in text and "赵红梅" not in text
    assert "680.00" in text and _money(pay) in text and "草稿" in text


def test_a_locked_month_prints_without_the_draft_mark(cast, run) -> None:
    payroll.approve(run, cast.finance)
    payroll.lock(run, cast.finance2)
    page = cast.client(cast.finance).get(reverse("subsidies:run-sheet", args=[run.pk])).content.decode()
    assert "草稿" not in page
    pdf = cast.client(cast.finance).get(reverse("subsidies:run-sheet-pdf", args=[run.pk]))
    assert pdf["Content-Disposition"].endswith('payroll-371502-2022-03.pdf"') and "草稿" not in _text(pdf)


def test_a_county_too_large_for_a_pdf_is_sent_to_the_workbook(cast, run, settings) -> None:
    settings.PAYROLL_PDF_MAX_LINES = 2
    client = cast.client(cast.finance)
    refused = client.get(reverse("subsidies:run-sheet-pdf", args=[run.pk]), follow=True)
    assert refused.redirect_chain[-1][0] == reverse("subsidies:run-detail", args=[run.pk])
    assert "东昌府区2022年03月共3条发放记录，超过打印上限2条：请按镇街分别打印，或下载发放表（.xlsx）" in (
        refused.content.decode()
    )
    one = client.get(reverse("subsidies:run-sheet-pdf", args=[run.pk]) + "?township=371502101")
    assert one["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("who", ["clerk", "other_clerk", "hr_other_county", "county_admin", "nobody"])
def test_the_sheet_is_out_of_reach_outside_the_county_and_role(cast, run, who) -> None:
    client = cast.client(getattr(cast, who))
    for name in ("subsidies:run-sheet", "subsidies:run-sheet-pdf"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 404
        assert client.get(reverse(name, args=[run.pk]) + "?township=371502101").status_code == 404


def test_a_township_of_another_county_is_not_found(cast, run) -> None:
    client = cast.client(cast.finance)
    for code in ("370812001", "999"):
        assert (
            client.get(reverse("subsidies:run-sheet", args=[run.pk]) + f"?township={code}").status_code == 404
        )


def test_the_run_page_links_the_sheet_of_the_county_and_of_each_township(cast, run) -> None:
    page = cast.client(cast.finance).get(reverse("subsidies:run-detail", args=[run.pk])).content.decode()
    sheet = reverse("subsidies:run-sheet", args=[run.pk])
    assert f'href="{sheet}"' in page and f'href="{sheet}?township=371502102"' in page
    assert reverse("subsidies:run-sheet-pdf", args=[run.pk]) + "?township=371502101" in page


def test_a_leaver_with_only_a_recovery_is_not_paid_but_listed_to_recover(cast) -> None:
    """docs/policy.md §9.8: the printed sheet pays one net per person; a net below 0 (a leaver's
    recovery) is not a payment: it is listed apart, without a bank account."""
    import datetime as dt

    from subsidies.models import Attendance

    holder = factories.placement("371502101", name="离岗人", bank_account="6228480099998888777")
    stays = factories.placement("371502101", name="在岗人")
    county = County.objects.get(code="371502")
    march = payroll.compute_run(payroll.run_for(county, payroll.month_start("2022-03")))
    payroll.approve(march, cast.finance)
    payroll.lock(march, cast.finance2)
    Attendance.objects.create(
        placement=holder,
        month=dt.date(2022, 3, 1),
        days=0,
        withheld=True,
        note="未到岗",
        recorded_by=cast.clerk,
    )
    Attendance.objects.filter(placement=stays).delete()
    type(holder).objects.filter(pk=holder.pk).update(exit_date=dt.date(2022, 3, 31))
    april = payroll.compute_run(payroll.run_for(county, payroll.month_start("2022-04")))
    assert PayrollLine.objects.get(run=april, placement=holder).pay == Decimal("-680.00")
    page = cast.client(cast.finance).get(reverse("subsidies:run-sheet", args=[april.pk])).content.decode()
    paid, recover = page.split('id="to-recover"')
    assert "在岗人" in paid and "离岗人" not in paid and "-680.00" not in paid
    assert "离岗人" in recover and "-680.00" in recover and "680.00" in recover
    assert "6228480099998888777" not in recover
