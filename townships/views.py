"""The county administrator's onboarding pages: a county's townships and villages, and a new
year's working-day calendar, from sheets (docs/policy.md §1.6, §1.7). Preview first, then all or
nothing (townships.onboarding)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render

from common.imports import template_response

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


@login_required
def organisation_template(request: AuthedRequest) -> FileResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    notes = [
        "第一行为列标题，请勿修改；从第二行起每行一个乡镇（街道）或村（社区）。",
        "不填村（社区）名称的一行是乡镇（街道）：9位代码，以区县的6位代码开头。",
        "填了村（社区）名称的一行是该乡镇（街道）的村（社区）；村（社区）代码可不填，填时为12位、前9位为乡镇（街道）代码。",
        "类型可不填：名称以“街道”“社区”结尾的按街道、社区，其余按镇、村。",
    ]
    return template_response(
        onboarding.OrganisationImporter, name="乡镇村", filename="organisation-template.xlsx", notes=notes
    )


@login_required
def calendar_template(request: AuthedRequest) -> FileResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    notes = [
        "第一行为列标题，请勿修改；从第二行起每行一天，只填一个年度。",
        "放假日填“否”，调休上班日填“是”；其余周一至周五为工作日、周末为休息日，不必填写。",
        "日期按 2027-10-01 的格式填写。",
    ]
    return template_response(
        onboarding.CalendarImporter, name="工作日历", filename="calendar-template.xlsx", notes=notes
    )
