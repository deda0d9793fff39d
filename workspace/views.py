"""Each role's landing page: a clerk's township queue and alerts, HR's approvals, quotas and
alerts, finance's monthly run; pictures drawn by static/js/dashboard.js from json_script data."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from assessment.selectors import exit_proposals
from common.jobs import job_get
from common.models import Job
from common.search import revealed, searchable
from placements import followup
from placements import selectors as placement_selectors
from townships.access import AuthedRequest, membership_of, require_role
from townships.agencies import contracts_running
from townships.models import Role

from . import jobs, selectors


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    membership = membership_of(request.user)
    if membership is None:
        return render(request, "posts/no_role.html", status=403)
    if membership.role == Role.VILLAGE:  # a village user's work is their village's month (issue 19)
        return redirect("subsidies:village-home")
    if membership.role in (Role.CITY, Role.PROVINCE):  # above the county: their area (docs/policy.md §1.4)
        return redirect("supervision:home")
    if membership.role == Role.AGENCY:  # a contracted agency: its contracts' acts (docs/policy.md §1.5)
        agency = membership.agency
        running = contracts_running(agency=agency, on=timezone.localdate())  # type: ignore[arg-type]
        return render(request, "townships/agency_home.html", {"agency": agency, "contracts": running})
    today = dt.date.today()
    user = request.user
    reports = selectors.plans(user)
    for report in reports:
        report.chart = selectors.plan_chart(report).as_json()  # type: ignore[attr-defined]
    context: dict = {
        "today": today,
        "reports": reports,
        "alerts": None,
    }
    if membership.role != Role.FINANCE:  # expiries are the clerks' and HR's work, not finance's
        alerts = context["alerts"] = selectors.alert_counts(user, today)
        context["alert_chart"] = (
            selectors.alert_chart(alerts).as_json() if any(n for _, _, n, _ in alerts) else None
        )
    if membership.role == Role.CLERK:
        context["queue"] = placement_selectors.queue_counts(user=user)
    if membership.role in (Role.CLERK, Role.HR):  # repeated failure proposes an exit (docs/policy.md §8.14)
        context["assessment_exits"] = len(exit_proposals(user))
    if membership.role in (Role.HR, Role.AUDITOR, Role.COUNTY_ADMIN, Role.CLERK):
        context["people"] = selectors.people_counts(user)
        context["group_chart"] = selectors.placed_by_group_chart(user).as_json()
    if membership.role in (Role.HR, Role.AUDITOR, Role.COUNTY_ADMIN):
        context["waiting"] = selectors.waiting_for_approval(user, today)
        # the year's leavers and their follow-up (docs/policy.md §7.10)
        context["figures"] = followup.figures(user, today)
    if membership.role in (Role.FINANCE, Role.HR, Role.AUDITOR, Role.COUNTY_ADMIN):
        runs = context["runs"] = selectors.runs(user)
        if runs:  # the year of the latest month computed
            chart = selectors.spending_chart(runs[0].county, runs[0].month.year)
            context["spending_chart"] = chart.as_json() if chart else None
        context["this_month"] = today.replace(day=1)
    template = f"workspace/home_{'clerk' if membership.role == Role.CLERK else 'county'}.html"
    return render(request, template, context)


PARAM_LABELS = {
    "q": "查找",
    "township": "乡镇（街道）代码",
    "line": "城乡",
    "group": "人员类别",
    "status": "状态",
    "step": "环节",
    "kind": "类型",
    "flag": "名单提示",
}


@login_required
@searchable
def export_new(request: AuthedRequest) -> HttpResponse:
    """A list too long to download at once: confirm, then export it in the background."""
    if membership_of(request.user) is None:
        raise Http404("无权访问")
    listing = jobs.listing_get(request.GET.get("list", ""))
    if listing.roles:
        require_role(request.user, *listing.roles)
    params = listing.params(request.GET)
    listing.queryset(request.user, params)  # its selector answers 404 for what the user may not see
    if request.method == "POST":
        # the job keeps the search itself (in the database, never in an address)
        data = {name: revealed(value) for name, value in params.items()}
        job = jobs.export_start(user=request.user, name=listing.name, data=data)
        messages.success(request, f"已开始{job.title}，完成后可在此下载；离开本页也可在“我的任务”中找到。")
        return redirect("workspace:job-detail", pk=job.pk)
    conditions = [
        (PARAM_LABELS.get(k, k), revealed(v)) for k, v in params.items() if v and k not in ("run", "sort")
    ]
    return render(request, "workspace/export_new.html", {"listing": listing, "conditions": conditions})


@login_required
def job_list(request: AuthedRequest) -> HttpResponse:
    found = Job.objects.filter(user=request.user)[:50]
    return render(request, "workspace/job_list.html", {"jobs": found})


@login_required
def job_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return render(request, "workspace/job_detail.html", {"job": job_get(user=request.user, pk=pk)})


@login_required
def job_progress(request: AuthedRequest, pk: int) -> JsonResponse:
    job = job_get(user=request.user, pk=pk)
    return JsonResponse(
        {
            "state": job.state,
            "label": job.get_state_display(),
            "done": job.done,
            "total": job.total,
            "finished": job.finished,
            "message": job.message or job.error,
        }
    )


@login_required
def job_download(request: AuthedRequest, pk: int) -> FileResponse:
    job = job_get(user=request.user, pk=pk)
    if job.state != Job.State.DONE or not job.file:
        raise Http404("文件尚未生成")
    if not jobs.file_allowed(request.user, job):  # the role may have gone since the job ran
        raise Http404("无权下载这个文件")
    # an export's file is the list's; an import's, the problems of the refused file
    exported = job.kind == Job.Kind.EXPORT
    filename = jobs.listing_get(job.listing).filename() if exported else "import-errors.xlsx"
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=filename)
