"""The county administrator's onboarding pages: a county's townships and villages, and a new
year's working-day calendar, from sheets (docs/policy.md §1.6, §1.7). Preview first, then all or
nothing (townships.onboarding)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from . import onboarding
from .access import AuthedRequest, require_role, visible_counties
from .forms import CalendarUploadForm, OrganisationUploadForm
from .models import CalendarYear, Role


@login_required
def organisation_load(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    form = OrganisationUploadForm(visible_counties(request.user), request.POST or None, request.FILES or None)
    checked = None
    if request.method == "POST" and form.is_valid():
        county = form.cleaned_data["county"]
        checked = onboarding.organisation_import(
            county=county, source=form.cleaned_data["file"], dry_run=form.cleaned_data["commit"] != "1"
        )
        if checked.written:
            messages.success(request, f"已导入{county.name}的乡镇（街道）和村（社区）{len(checked.rows)}行。")
            return redirect("townships:organisation-load")
    columns = [*onboarding.ORGANISATION_COLUMNS, *onboarding.ORGANISATION_OPTIONAL]
    context = {
        "form": form,
        "checked": checked,
        "columns": columns,
        "preview": checked.preview(columns) if checked else [],
    }
    return render(request, "townships/organisation_load.html", context)


@login_required
def calendar_load(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    form = CalendarUploadForm(request.POST or None, request.FILES or None)
    checked = None
    if request.method == "POST" and form.is_valid():
        checked = onboarding.calendar_import(
            source=form.cleaned_data["file"],
            document=form.cleaned_data["document"],
            dry_run=form.cleaned_data["commit"] != "1",
        )
        if checked.written:
            messages.success(request, f"已导入工作日历{len(checked.rows)}天。")
            return redirect("townships:calendar-load")
    columns = [*onboarding.CALENDAR_COLUMNS, *onboarding.CALENDAR_OPTIONAL]
    context = {
        "form": form,
        "checked": checked,
        "columns": columns,
        "preview": checked.preview(columns) if checked else [],
        "years": CalendarYear.objects.all(),
    }
    return render(request, "townships/calendar_load.html", context)
