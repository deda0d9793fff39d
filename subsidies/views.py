"""Finance pages for the monthly run: list and start, the run with a progress bar that moves
while a worker computes, approve, lock, and the payroll workbook download."""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audit import record as audit
from common.listing import export, wants_export
from common.paging import CappedPaginator
from common.params import pk_param, year_param
from common.pdf import pdf_response
from common.search import searchable
from townships.access import (
    Act,
    AuthedRequest,
    act_township,
    has_role,
    require_role,
    scope_by_county,
    visible_counties,
    visible_townships,
)
from townships.models import Line, Role

from . import payroll, selectors
from . import social_insurance as social
from .attendance import attendance_import, corrected
from .checks import finding_resolve
from .exports import payroll_workbook_write
from .listings import LINES
from .models import PEOPLE_NOTE, PayrollLine, PayrollRun
from .printing import PayrollSheet, payroll_sheet
from .reports import cost_workbook_write, monthly_totals
from .services import month_wage_warnings
from .tasks import dispatch

READERS = (Role.FINANCE, Role.HR, Role.AUDITOR, Role.COUNTY_ADMIN)
# Who may take the payroll itself away: the workbook, the printable sheet and its PDF.
SHEET_READERS = (Role.FINANCE, Role.HR, Role.AUDITOR)


def _run(request: HttpRequest, pk: int) -> PayrollRun:
    return get_object_or_404(
        scope_by_county(request.user, PayrollRun.objects.select_related("county", "job")), pk=pk
    )


@login_required
def run_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    return _run_list_page(request)


def _run_list_page(request: AuthedRequest, month: str = "") -> HttpResponse:
    """The runs, and the start form with `month` (what was typed, after a refusal)."""
    runs = scope_by_county(request.user, PayrollRun.objects.select_related("county", "job"))[:60]
    context = {"runs": runs, "can_start": has_role(request.user, Role.FINANCE), "month": month}
    return render(request, "subsidies/run_list.html", context)


@login_required
@require_POST
def run_start(request: AuthedRequest) -> HttpResponse:
    """Start (or re-start) a month: the run flips to 计算中 and a worker computes it."""
    require_role(request.user, Role.FINANCE)
    county = visible_counties(request.user).first()
    try:
        month = payroll.month_start(request.POST.get("month", ""))
        run = payroll.start(payroll.run_for(county, month), request.user)  # type: ignore[arg-type]  # finance (required above) sees its county
    except ValidationError as exc:  # the list again, with the month typed (issue 19)
        messages.error(request, "；".join(exc.messages))
        return _run_list_page(request, request.POST.get("month", "")[:7])
    try:
        dispatch(run)
    except Exception as exc:  # the broker is down: say so, and leave the run startable again
        payroll.fail(run, f"计算任务未能提交（任务队列不可用：{exc.__class__.__name__}），请稍后重试")
        messages.error(request, "计算任务未能提交：任务队列暂时不可用，请稍后重试。")
        return redirect("subsidies:run-detail", pk=run.pk)
    messages.success(request, f"已开始计算{run}。")
    return redirect("subsidies:run-detail", pk=run.pk)


@login_required
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, *READERS)
    return _run_page(request, _run(request, pk))


def _run_page(request: AuthedRequest, run: PayrollRun, kept: dict[str, str] | None = None) -> HttpResponse:
    """The run's page; `kept`: the finding and resolution typed before a refusal, shown again."""
    context = {
        "kept": kept or {},
        "run": run,
        "townships": selectors.township_totals(run, request.user),
        "payment": selectors.payment_totals(run, request.user),
        "is_finance": has_role(request.user, Role.FINANCE),
        "stalled": payroll.stalled(run),
        "stale_minutes": settings.PAYROLL_STALE_MINUTES,
        "findings": run.findings.select_related("resolved_by")[:500],
        "people_note": PEOPLE_NOTE,
        "wage_warnings": month_wage_warnings(run.county, run.month),
        "social_total": social.run_total(run, request.user),
    }
    return render(request, "subsidies/run_detail.html", context)


@login_required
@searchable
def run_lines(request: AuthedRequest, pk: int) -> HttpResponse:
    """The run's lines, searched (person), filtered (township, line, kind), sorted, exported."""
    require_role(request.user, *READERS)
    run = _run(request, pk)
    params = LINES.params(request.GET) | {"run": str(run.pk)}
    lines = LINES.queryset(request.user, params)
    if wants_export(request):
        return export(request, LINES, params, lines)
    context = {
        "run": run,
        "page": CappedPaginator(lines, 50).get_page(request.GET.get("page")),
        "params": params,
        "townships": visible_townships(request.user).filter(county=run.county),
        "lines": Line.choices,
        "kinds": PayrollLine.Kind.choices,
    }
    return render(request, "subsidies/run_lines.html", context)


@login_required
def run_social(request: AuthedRequest, pk: int) -> HttpResponse:
    """The run's social-insurance subsidy per township and party (docs/policy.md §8.13)."""
    require_role(request.user, *READERS)
    run = _run(request, pk)
    policy = social.policy_on(run.county_id, run.month)
    context = {
        "run": run,
        "policy": policy,
        "about": social.subtitle_of(policy),
        "rows": social.township_party_totals(run, request.user),
        "total": social.run_total(run, request.user),
        "can_download": has_role(request.user, *SHEET_READERS),
    }
    return render(request, "subsidies/social_insurance.html", context)


@login_required
def run_social_download(request: AuthedRequest, pk: int) -> FileResponse:
    """The agency's workbook: ID numbers whole for finance (recorded), masked for the others."""
    require_role(request.user, *SHEET_READERS)
    run = _run(request, pk)
    buffer = io.BytesIO()
    full = has_role(request.user, Role.FINANCE)
    count = social.agency_workbook_write(run=run, user=request.user, full=full, target=buffer)
    if full:
        audit.access(run, "下载社会保险补贴申报表（含完整身份证号）", rows=count)
    buffer.seek(0)
    draft = "" if run.state == PayrollRun.State.LOCKED else "-draft"
    name = f"social-insurance-{run.county.code}-{run.month:%Y-%m}{draft}.xlsx"
    return FileResponse(buffer, as_attachment=True, filename=name)


@login_required
def run_progress(request: AuthedRequest, pk: int) -> JsonResponse:
    require_role(request.user, *READERS)
    run = _run(request, pk)
    return JsonResponse(
        {
            "state": run.state,
            "label": run.get_state_display(),
            "done": run.progress_done,
            "total": run.progress_total,
            "error": run.error,
            "finished": run.state != PayrollRun.State.COMPUTING,
        }
    )


@login_required
@require_POST
def run_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.FINANCE)
    run = _run(request, pk)
    try:
        if request.POST.get("action") == "approve":
            payroll.approve(run, request.user)
            messages.success(request, f"{run}已审核。")
        elif request.POST.get("action") == "resolve":
            finding = get_object_or_404(run.findings, pk=pk_param(request.POST, "finding"))
            typed = request.POST.get("resolution", "")
            try:
                finding_resolve(finding=finding, resolution=typed, actor=request.user)
            except ValidationError as exc:  # the page again, with the resolution typed (issue 19)
                messages.error(request, "；".join(exc.messages))
                return _run_page(request, run, {"finding": str(finding.pk), "resolution": typed[:500]})
            messages.success(request, "已处理该检查问题。")
        elif request.POST.get("action") == "lock":
            payroll.lock(run, request.user)
            messages.success(request, f"{run}已锁定，此后不再变动。")
        else:
            raise ValidationError("未知的操作")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("subsidies:run-detail", pk=pk)


@login_required
def run_download(request: AuthedRequest, pk: int) -> FileResponse:
    require_role(request.user, *SHEET_READERS)
    run = _run(request, pk)
    buffer = io.BytesIO()
    full = has_role(request.user, Role.FINANCE)
    count = payroll_workbook_write(run=run, target=buffer, full=full)
    if full:
        audit.access(run, "下载补贴发放表（含完整身份证号、银行账号）", rows=count)
    buffer.seek(0)
    draft = "" if run.state == PayrollRun.State.LOCKED else "-draft"
    name = f"payroll-{run.county.code}-{run.month:%Y-%m}{draft}.xlsx"
    return FileResponse(buffer, as_attachment=True, filename=name)


def _sheet(request: HttpRequest, pk: int, limit: int) -> PayrollSheet:
    """The run's printable sheet, of one township when ?township=CODE names one of its county."""
    require_role(request.user, *SHEET_READERS)
    run = _run(request, pk)
    code = request.GET.get("township", "")
    township = get_object_or_404(run.county.townships, code=code) if code else None
    full = has_role(request.user, Role.FINANCE)
    sheet = payroll_sheet(run=run, township=township, limit=limit, full=full)
    if full:
        scope = township.name if township else "全区县"
        audit.access(
            run,
            f"打印补贴发放表·{scope}（含完整身份证号、银行账号）",
            rows=sum(len(s.rows) for s in sheet.sections) + len(sheet.recover_rows),
        )
    return sheet


@login_required
def run_sheet(request: AuthedRequest, pk: int) -> HttpResponse:
    """The payroll sheet to print from the browser (landscape A4, print.css)."""
    try:
        sheet = _sheet(request, pk, settings.PAYROLL_PRINT_MAX_LINES)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("subsidies:run-detail", pk=pk)
    return render(request, "subsidies/run_sheet.html", {"sheet": sheet, "run": sheet.run})


@login_required
def run_sheet_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The same sheet as a PDF; limited to PAYROLL_PDF_MAX_LINES (a township's worth: laying out
    is slow, docs/performance.md P11), above which the user is sent to the workbook."""
    try:
        sheet = _sheet(request, pk, settings.PAYROLL_PDF_MAX_LINES)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("subsidies:run-detail", pk=pk)
    run = sheet.run
    scope = f"-{sheet.township.code}" if sheet.township else ""
    name = f"payroll-{run.county.code}-{run.month:%Y-%m}{scope}{'-draft' if sheet.draft else ''}.pdf"
    return pdf_response(request, "subsidies/run_sheet.html", {"sheet": sheet, "run": run}, filename=name)


@login_required
def attendance(request: AuthedRequest) -> HttpResponse:
    """A clerk uploads the month's attendance of the township's people on post."""
    # a clerk's township, or a contracted agency's (docs/policy.md §1.5)
    township = act_township(request.user, Act.ATTENDANCE, request.GET.get("township", ""))
    report = None
    if request.method == "POST":
        try:
            month = payroll.month_start(request.POST.get("month", ""))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("subsidies:attendance")
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择考勤表")
            return redirect("subsidies:attendance")
        report = attendance_import(township=township, month=month, source=upload, actor=request.user)
        if report.ok:
            messages.success(request, f"已导入{month:%Y年%m月}考勤{report.saved}人。{corrected(report)}")
            return redirect("subsidies:attendance")
        messages.error(request, f"共{len(report.problems)}处错误，未导入任何数据。")
    return render(request, "subsidies/attendance.html", {"report": report})


@login_required
def costs(request: AuthedRequest) -> HttpResponse:
    """The year's cost split per township and month, with a chart of each party's monthly amounts
    (Chart.js from our own static files: deployments are often on closed networks)."""
    require_role(request.user, Role.FINANCE, Role.HR, Role.AUDITOR, Role.COUNTY_ADMIN)
    county = visible_counties(request.user).first()
    year = year_param(request.GET)
    rows = selectors.cost_report(county, year) if county else []
    months = monthly_totals(rows)
    chart = {
        "labels": [f"{m['month']:%Y-%m}" for m in months],
        "province": [str(m["province"]) for m in months],
        "city": [str(m["city"]) for m in months],
        "district": [str(m["district"]) for m in months],
    }
    context = {"county": county, "year": year, "rows": rows, "months": months, "chart": chart}
    return render(request, "subsidies/costs.html", context)


@login_required
def costs_download(request: AuthedRequest) -> FileResponse:
    require_role(request.user, Role.FINANCE, Role.HR, Role.AUDITOR, Role.COUNTY_ADMIN)
    county = get_object_or_404(visible_counties(request.user), code=request.GET.get("county", ""))
    year = year_param(request.GET)
    buffer = io.BytesIO()
    cost_workbook_write(county=county, year=year, target=buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"costs-{county.code}-{year}.xlsx")
