"""Pages about plans and posts. Thin: scope through townships.access, read through selectors."""

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from townships.access import get_county_or_404, membership_of, visible_counties, visible_townships
from townships.models import Plan

from .exports import plan_filename, plan_workbook_write
from .selectors import plan_report, plan_report_table


def _scoped_plan(request: HttpRequest, county_code: str, year: int) -> Plan:
    county = get_county_or_404(request.user, county_code)
    return get_object_or_404(Plan.objects.select_related("county"), county=county, year=year)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's landing page: its counties' latest plans against posts filled."""
    if membership_of(request.user) is None:
        return render(request, "posts/no_role.html", status=403)
    townships = visible_townships(request.user)
    reports = []
    for county in visible_counties(request.user):
        plan = county.plans.order_by("-year").first()
        if plan is not None:
            reports.append(plan_report(plan=plan, townships=townships))
    return render(request, "posts/home.html", {"reports": reports})


@login_required
def plan_detail(request: HttpRequest, county_code: str, year: int) -> HttpResponse:
    plan = _scoped_plan(request, county_code, year)
    report = plan_report(plan=plan, townships=visible_townships(request.user))
    headers, rows, totals = plan_report_table(report)
    return render(
        request,
        "posts/plan_detail.html",
        {"report": report, "headers": headers, "rows": rows, "totals": totals},
    )


@login_required
def plan_download(request: HttpRequest, county_code: str, year: int) -> FileResponse:
    plan = _scoped_plan(request, county_code, year)
    report = plan_report(plan=plan, townships=visible_townships(request.user))
    buffer = io.BytesIO()
    plan_workbook_write(report=report, target=buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=plan_filename(report))
