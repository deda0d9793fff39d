"""Finance's pages for paying through the bank (docs/policy.md §9.11): the batches and the making
of new ones (a background job), a batch with its totals per township, approval by a second
finance user, the files (after approval, each download recorded), the bank's return with a
preview, the amounts to recover with repayments, and the year's reconciliation. Auditors read."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit import record as audit
from common.jobs import dispatch
from common.models import Job
from common.params import year_param
from common.uploads import UploadRefused, keep, kept_exists, kept_open, kept_remove
from townships.access import AuthedRequest, has_role, require_role, scope_by_county, visible_counties
from townships.models import Role

from . import batches, files, reconciliation, recoveries, returns
from .banks import banks_ensure
from .forms import BatchMakeForm, RepaymentForm
from .models import Batch, Item, Recovery
from .tasks import make_batches

READERS = (Role.FINANCE, Role.AUDITOR)
SHOWN_LINES = 200


def _batch(request: AuthedRequest, pk: int) -> Batch:
    """A batch of the user's county, or 404 (another county's batch is not revealed)."""
    found = scope_by_county(request.user, Batch.objects.select_related("county", "run", "bank__layout"))
    return get_object_or_404(found, pk=pk)


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@login_required
def batch_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    return _list_page(request, None)


def _list_page(request: AuthedRequest, form: BatchMakeForm | None) -> HttpResponse:
    county = visible_counties(request.user).first()
    if county is not None and has_role(request.user, Role.FINANCE):
        banks_ensure(county)
        form = form or BatchMakeForm(county_id=county.pk, initial={"pay_date": timezone.localdate()})
    found = scope_by_county(
        request.user, Batch.objects.select_related("run", "bank", "made_by", "approved_by")
    )
    context = {"batches": found[:100], "form": form, "county": county}
    return render(request, "payments/batch_list.html", context)


@login_required
@require_POST
def batch_make(request: AuthedRequest) -> HttpResponse:
    """Queue the making of batches (a job with progress): refusals end the job with their reason."""
    membership = require_role(request.user, Role.FINANCE)
    form = BatchMakeForm(request.POST, county_id=membership.county_id)  # type: ignore[arg-type]  # finance has a county
    if not form.is_valid():
        messages.error(request, "请选择已锁定的月份并填写代发日期")
        return _list_page(request, form)
    run, bank = form.cleaned_data["run"], form.cleaned_data["bank"]
    title = f"生成代发批次：{run.month:%Y年%m月}{bank.name if bank else '全部银行'}"
    job = Job.objects.create(user=request.user, kind=Job.Kind.PAYMENT_BATCHES, title=title)
    pay_date = form.cleaned_data["pay_date"].isoformat()
    dispatch(job, lambda: make_batches.delay(job.pk, run.pk, bank.pk if bank else None, pay_date))
    messages.success(request, "已开始生成代发批次，完成后在代发批次列表中查看。")
    return redirect("workspace:job-detail", pk=job.pk)


@login_required
def batch_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, *READERS)
    return _detail_page(request, _batch(request, pk))


def _detail_page(request: AuthedRequest, batch: Batch, preview: dict | None = None) -> HttpResponse:
    context = {
        "batch": batch,
        "totals": batches.batch_totals(batch),
        "lines": batch.lines.annotate(shown=batches.line_state()).order_by("seq")[:SHOWN_LINES],
        "failed": batch.lines.filter(state="failed")[:SHOWN_LINES],
        "is_finance": has_role(request.user, Role.FINANCE),
        "preview": preview,
        "shown": SHOWN_LINES,
    }
    return render(request, "payments/batch_detail.html", context)


@login_required
@require_POST
def batch_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.FINANCE)
    batch = _batch(request, pk)
    try:
        batches.batch_approve(batch=batch, actor=request.user)
        messages.success(request, f"{batch}已审核，可以下载代发文件。")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("payments:batch-detail", pk=pk)


@login_required
def batch_download(request: AuthedRequest, pk: int, kind: str) -> HttpResponse | FileResponse:
    """The batch's workbook or text file, once approved; each download is recorded."""
    require_role(request.user, Role.FINANCE)
    batch = _batch(request, pk)
    if kind not in ("xlsx", "txt"):
        raise Http404("没有这种文件")
    buffer = io.BytesIO()
    try:
        batches.download_check(batch)
        count = files.workbook_write(batch, buffer) if kind == "xlsx" else files.text_write(batch, buffer)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("payments:batch-detail", pk=pk)
    what = "Excel文件" if kind == "xlsx" else "文本文件"
    audit.access(batch, f"下载代发{what}（含完整身份证号、银行账号）", rows=count)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=files.file_name(batch, kind))


@login_required
@require_POST
def batch_return(request: AuthedRequest, pk: int) -> HttpResponse:
    """The bank's return: uploaded and previewed (nothing changed), then applied as previewed."""
    require_role(request.user, Role.FINANCE)
    batch = _batch(request, pk)
    if request.POST.get("action") == "apply":
        return _return_apply(request, batch)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择银行回盘文件")
        return redirect("payments:batch-detail", pk=pk)
    try:
        _, checked, _ = returns.return_check(batch=batch, source=upload)
        token = keep(upload) if checked.ok else ""
    except (ValidationError, UploadRefused) as exc:
        messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
        return redirect("payments:batch-detail", pk=pk)
    failed = sum(1 for r in checked.rows if r.failed)
    preview = {"checked": checked, "token": token, "failed": failed, "named": len(checked.rows)}
    if not checked.ok:
        messages.error(request, f"回盘文件有{len(checked.problems)}处错误，未做任何更改。")
    return _detail_page(request, batch, preview)


def _return_apply(request: AuthedRequest, batch: Batch) -> HttpResponse:
    token = request.POST.get("token", "")
    if not token.isalnum() or not kept_exists(token):
        messages.error(request, "回盘文件已过期，请重新上传")
        return redirect("payments:batch-detail", pk=batch.pk)
    try:
        with kept_open(token) as source:
            checked = returns.return_apply(batch=batch, source=source, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("payments:batch-detail", pk=batch.pk)
    finally:
        kept_remove(token)
    if checked.written:
        batch.refresh_from_db()
        messages.success(request, f"回盘已导入：成功{batch.paid_count}笔，失败{batch.failed_count}笔。")
    else:
        messages.error(
            request, "回盘文件有错误，未做任何更改：" + "；".join(p.message for p in checked.problems[:5])
        )
    return redirect("payments:batch-detail", pk=batch.pk)


@login_required
def recovery_list(request: AuthedRequest) -> HttpResponse:
    """The amounts to recover still open, per township and person (listed until settled)."""
    require_role(request.user, *READERS)
    county = visible_counties(request.user).first()
    found = (
        recoveries.open_recoveries(county).select_related("run", "township", "person")[:500] if county else []
    )
    context = {
        "townships": recoveries.township_outstanding(county) if county else [],
        "recoveries": found,
        "form": RepaymentForm(initial={"date": timezone.localdate()}),
        "is_finance": has_role(request.user, Role.FINANCE),
    }
    return render(request, "payments/recoveries.html", context)


@login_required
@require_POST
def recovery_repay(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.FINANCE)
    recovery = get_object_or_404(scope_by_county(request.user, Recovery.objects.all()), pk=pk)
    form = RepaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写退回金额、日期和说明")
        return redirect("payments:recoveries")
    try:
        recoveries.repayment_record(
            recovery=recovery,
            actor=request.user,
            on=form.cleaned_data["date"],
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, "已登记退回。")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("payments:recoveries")


@login_required
def reconciliation_page(request: AuthedRequest) -> HttpResponse:
    """The year's reconciliation per month and township, for each party."""
    require_role(request.user, *READERS)
    county = visible_counties(request.user).first()
    year = year_param(request.GET)
    rows = reconciliation.reconciliation(county, year) if county else []
    context = {
        "county": county,
        "year": year,
        "rows": rows,
        "months": reconciliation.month_totals(rows),
        "total": reconciliation.year_totals(rows),
        "measures": [reconciliation.MEASURE_LABELS[m] for m in reconciliation.MEASURES],
        "states": Item.State.choices,
    }
    return render(request, "payments/reconciliation.html", context)
