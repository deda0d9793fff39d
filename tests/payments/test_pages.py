"""Finance's pages for paying through the bank (docs/policy.md §9.11), driven through their URLs:
make (a job), approve (never the maker), download (after approval, recorded), the return with
its preview, the amounts to recover, the reconciliation; another county's batch is not found."""

import datetime as dt
import io
from decimal import Decimal as M

from django.urls import reverse

from audit.models import Entry
from common.models import Job
from payments.batches import batch_approve, batches_make, item_state
from payments.models import Batch, Item, Recovery

from .test_returns import return_workbook

D = dt.date


def test_finance_makes_the_batches_of_a_locked_month_as_a_job(
    cast, eager, january, django_capture_on_commit_callbacks
) -> None:
    client = cast.client(cast.finance)
    page = client.get(reverse("payments:batch-list"))
    assert page.status_code == 200 and "生成代发批次" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("payments:batch-make"), {"run": january.pk, "bank": "", "pay_date": "2022-01-31"}
        )
    job = Job.objects.get(user=cast.finance, kind=Job.Kind.PAYMENT_BATCHES)
    assert answer.url == reverse("workspace:job-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.state == Job.State.DONE and "已生成3个代发批次" in job.message
    assert "已生成3个代发批次" in client.get(answer.url).content.decode()
    assert Batch.objects.count() == 3
    listed = client.get(reverse("payments:batch-list")).content.decode()
    assert "农商银行" in listed and "1360.00" in listed


def test_a_refused_making_ends_the_job_with_the_reason(
    cast, eager, january, django_capture_on_commit_callbacks
) -> None:
    batches_make(run=january, actor=cast.finance, pay_date=D(2022, 1, 31))
    with django_capture_on_commit_callbacks(execute=True):
        cast.client(cast.finance).post(
            reverse("payments:batch-make"), {"run": january.pk, "pay_date": "2022-01-31"}
        )
    job = Job.objects.get(user=cast.finance, kind=Job.Kind.PAYMENT_BATCHES)
    assert job.state == Job.State.FAILED and "已生成的批次不能重复生成" in job.error
    assert Batch.objects.count() == 3


def test_an_unlocked_month_cannot_be_chosen(cast, county, holders) -> None:
    from subsidies import payroll

    run = payroll.compute_run(payroll.run_for(county, D(2022, 1, 1)), cast.finance)
    answer = cast.client(cast.finance).post(
        reverse("payments:batch-make"), {"run": run.pk, "pay_date": "2022-01-31"}
    )
    assert answer.status_code == 200 and "请选择已锁定的月份" in answer.content.decode()
    assert not Job.objects.filter(kind=Job.Kind.PAYMENT_BATCHES).exists() and not Batch.objects.exists()


def test_the_maker_cannot_approve_and_nothing_downloads_before_approval(cast, january) -> None:
    batch = batches_make(run=january, actor=cast.finance, pay_date=D(2022, 1, 31))[0]
    maker = cast.client(cast.finance)
    download = reverse("payments:batch-download", args=[batch.pk, "xlsx"])
    answer = maker.get(download, follow=True)
    assert "须经另一名财务人员审核后才能下载文件" in answer.content.decode()
    answer = maker.post(reverse("payments:batch-approve", args=[batch.pk]), follow=True)
    assert "须由另一名财务人员审核" in answer.content.decode()
    assert Batch.objects.get(pk=batch.pk).state == "made"
    assert not Entry.objects.filter(changes__icontains="下载代发").exists()
    cast.client(cast.finance2).post(reverse("payments:batch-approve", args=[batch.pk]))
    assert Batch.objects.get(pk=batch.pk).state == "approved"
    for kind in ("xlsx", "txt"):
        answer = maker.get(reverse("payments:batch-download", args=[batch.pk, kind]))
        assert answer.status_code == 200
        assert answer["Content-Disposition"].endswith(f'.{kind}"')
    entries = Entry.objects.filter(object_id=batch.pk, action=Entry.Action.ACCESS)
    assert entries.count() == 2 and all(e.actor == cast.finance for e in entries)
    assert entries.first().county_id == january.county_id


def test_another_countys_finance_and_an_auditor(cast, january) -> None:
    batch = batches_make(run=january, actor=cast.finance, pay_date=D(2022, 1, 31))[0]
    batch_approve(batch=batch, actor=cast.finance2)
    other = cast.client(cast.hr_other_county)
    assert other.get(reverse("payments:batch-detail", args=[batch.pk])).status_code == 404
    upload = io.BytesIO(b"x")
    upload.name = "return.xlsx"
    assert other.post(reverse("payments:batch-return", args=[batch.pk]), {"file": upload}).status_code == 404
    auditor = cast.client(cast.auditor)
    assert auditor.get(reverse("payments:batch-detail", args=[batch.pk])).status_code == 200
    assert auditor.get(reverse("payments:batch-download", args=[batch.pk, "xlsx"])).status_code == 404


def test_the_return_is_previewed_then_applied(cast, january) -> None:
    batch = next(
        b
        for b in batches_make(run=january, actor=cast.finance, pay_date=D(2022, 1, 31))
        if b.bank.name == "农商银行"
    )
    batch_approve(batch=batch, actor=cast.finance2)
    client = cast.client(cast.finance)
    source = return_workbook(batch, {2: ("失败", "账户已销户")})
    source.name = "return.xlsx"
    preview = client.post(reverse("payments:batch-return", args=[batch.pk]), {"file": source})
    text = preview.content.decode()
    assert "其中失败<strong>1</strong>笔" in text
    assert Batch.objects.get(pk=batch.pk).state == "approved"  # nothing applied by the preview
    token = preview.context["preview"]["token"]
    answer = client.post(
        reverse("payments:batch-return", args=[batch.pk]), {"action": "apply", "token": token}, follow=True
    )
    assert "回盘已导入：成功1笔，失败1笔" in answer.content.decode()
    assert "账户已销户" in answer.content.decode()
    shown = (
        Item.objects.filter(lines__batch=batch).annotate(shown=item_state()).values_list("shown", flat=True)
    )
    assert sorted(shown) == ["failed", "paid"]


def test_a_malformed_return_is_refused_with_its_rows_named(cast, january) -> None:
    batch = batches_make(run=january, actor=cast.finance, pay_date=D(2022, 1, 31))[0]
    batch_approve(batch=batch, actor=cast.finance2)
    client = cast.client(cast.finance)
    source = return_workbook(batch, {1: ("退票", "")})
    source.name = "return.xlsx"
    page = client.post(reverse("payments:batch-return", args=[batch.pk]), {"file": source})
    text = page.content.decode()
    assert "回盘文件有" in text and "结果应为「成功」或「失败」" in text
    garbage = io.BytesIO(b"PK\x03\x04 not a workbook")
    garbage.name = "return.xlsx"
    page = client.post(reverse("payments:batch-return", args=[batch.pk]), {"file": garbage})
    assert "无法读取文件" in page.content.decode()
    assert Batch.objects.get(pk=batch.pk).state == "approved"


def test_recoveries_and_reconciliation_pages(cast, march) -> None:
    batches_make(run=march, actor=cast.finance, pay_date=D(2022, 3, 31))
    client = cast.client(cast.finance)
    page = client.get(reverse("payments:recoveries")).content.decode()
    assert "沙镇镇" in page and "340.00" in page
    owed = Recovery.objects.get()
    client.post(
        reverse("payments:recovery-repay", args=[owed.pk]),
        {"amount": "40", "date": "2022-04-02", "note": "收据7"},
    )
    owed.refresh_from_db()
    assert owed.balance == M("300.00")
    page = client.get(reverse("payments:reconciliation") + "?year=2022")
    assert page.status_code == 200
    total = page.context["total"]
    assert total.amounts["to_recover"]["total"] == M("340.00") and total.amounts["recovered"]["total"] == M(
        "40.00"
    )
    assert "发放对账" in page.content.decode()
    (march_total,) = [m for m in page.context["months"] if m.month == D(2022, 3, 1)]
    assert march_total.amounts["computed"]["total"] == M("2380.00") and march_total.balanced


def test_finances_landing_page_links_to_the_bank_pages(cast) -> None:
    page = cast.client(cast.finance).get(reverse("home")).content.decode()
    assert reverse("payments:batch-list") in page and reverse("payments:reconciliation") in page
    assert reverse("payments:batch-list") not in cast.client(cast.hr).get(reverse("home")).content.decode()
