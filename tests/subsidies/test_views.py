"""Finance's run pages: start a month, see progress and totals, approve, lock, download; other
counties and other roles get nothing."""

import pytest
from django.urls import reverse

from subsidies.models import Finding, PayrollRun
from tests import factories


@pytest.fixture
def eager(monkeypatch):
    """Run the computation in the test process (CI has a broker but no worker for these tests)."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def test_finance_computes_approves_locks_and_downloads_a_month(cast, eager) -> None:
    factories.placement("371502101")
    client = cast.client(cast.finance)
    started = client.post(reverse("subsidies:run-start"), {"month": "2022-03"}, follow=True)
    page = started.content.decode()
    assert "已开始计算" in page and "已计算" in page and "680.00" in page
    run = PayrollRun.objects.get()
    progress = client.get(reverse("subsidies:run-progress", args=[run.pk])).json()
    assert progress["state"] == "computed" and progress["done"] == progress["total"] == 14
    assert client.post(reverse("subsidies:run-start"), {"month": "2022-03"}, follow=True).status_code == 200
    refused = client.post(reverse("subsidies:run-decide", args=[run.pk]), {"action": "approve"}, follow=True)
    assert "由您计算，须由另一名财务人员审核" in refused.content.decode()  # who computed never approves
    checker = cast.client(cast.finance2)
    checker.post(reverse("subsidies:run-decide", args=[run.pk]), {"action": "approve"})
    locked = checker.post(reverse("subsidies:run-decide", args=[run.pk]), {"action": "lock"}, follow=True)
    assert "已锁定，此后不再变动" in locked.content.decode()
    again = client.post(reverse("subsidies:run-start"), {"month": "2022-03"}, follow=True).content.decode()
    assert "已锁定，不能重新计算" in again
    download = client.get(reverse("subsidies:run-download", args=[run.pk]))
    assert download["Content-Disposition"].endswith('payroll-371502-2022-03.xlsx"')


def test_a_bad_month_is_refused_clearly(cast) -> None:
    page = cast.client(cast.finance).post(reverse("subsidies:run-start"), {"month": "三月"}, follow=True)
    assert "月份「三月」应写成 2022-03 的格式" in page.content.decode()
    assert not PayrollRun.objects.exists()


@pytest.mark.parametrize("who", ["hr_other_county", "clerk", "nobody"])
def test_runs_are_out_of_reach_outside_the_county_and_role(cast, eager, who) -> None:
    factories.placement("371502101")
    cast.client(cast.finance).post(reverse("subsidies:run-start"), {"month": "2022-03"})
    run = PayrollRun.objects.get()
    client = cast.client(getattr(cast, who))
    for name in ("subsidies:run-detail", "subsidies:run-progress", "subsidies:run-download"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 404
    assert (
        client.post(reverse("subsidies:run-decide", args=[run.pk]), {"action": "approve"}).status_code == 404
    )
    assert cast.client(cast.hr).post(reverse("subsidies:run-start"), {"month": "2022-04"}).status_code == 404


def test_a_large_county_is_split_per_township_and_gives_the_same_lines(cast, eager, settings) -> None:
    factories.placement("371502101")
    factories.placement("371502102", name="邻镇人")
    factories.placement("371502103", name="无账号", bank_account="")
    client = cast.client(cast.finance)
    client.post(reverse("subsidies:run-start"), {"month": "2022-03"})
    single = sorted(
        PayrollRun.objects.get().lines.values_list("placement_id", "pay", "province", "city", "district")
    )
    Finding.objects.all().delete()
    settings.PAYROLL_SPLIT_AT = 1
    client.post(reverse("subsidies:run-start"), {"month": "2022-03"})
    run = PayrollRun.objects.get()
    assert (run.state, run.progress_done, run.progress_total) == ("computed", 14, 14)
    split = sorted(run.lines.values_list("placement_id", "pay", "province", "city", "district"))
    assert split == single and len(split) == 3
    # the checks ran as a task of the split run too
    assert list(run.findings.values_list("kind", flat=True)) == [Finding.Kind.NO_BANK]


def test_with_the_queue_down_starting_a_month_says_so_and_the_month_can_be_started_again(
    cast, monkeypatch
) -> None:
    """A real Redis client against a port where nothing listens: the page stays up, finance is
    told the task could not be queued, and the run is left startable (计算失败 with the reason)."""
    from config.celery import app

    factories.placement("371502101")
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(app.conf, "broker_write_url", None)
    monkeypatch.setitem(app.conf, "task_publish_retry", False)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    client = cast.client(cast.finance)
    page = client.post(reverse("subsidies:run-start"), {"month": "2022-03"}, follow=True)
    assert page.status_code == 200
    assert "计算任务未能提交：任务队列暂时不可用，请稍后重试。" in page.content.decode()
    run = PayrollRun.objects.get()
    assert run.state == PayrollRun.State.FAILED and "任务队列不可用" in run.error
    assert not run.lines.exists()
