"""Plan pages (docs/policy.md §2): a county's plans and five-year targets, a new year's plan on a
page or from a sheet, adjustments (动态调整) as dated versions with their history and print page,
and the five-year report. County roles read; HR and the county administrator write. Everything
is fetched through the gate (townships.access): another county answers 404."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from common.imports import Checked
from common.sheets import CellProblem
from posts.exports import five_year_filename, five_year_workbook_write
from posts.selectors import five_year_report, five_year_tables

from . import plan_sheet, plans
from .access import COUNTY_ROLES, AuthedRequest, get_county_or_404, has_role, require_role
from .forms import (
    AdjustmentForm,
    AdjustmentSheetForm,
    FiveYearPlanForm,
    FiveYearRowFormSet,
    PlanForm,
    PlanSheetForm,
    QuotaRowFormSet,
)
from .models import County, FiveYearPlan, Plan, PlanVersion, Role
from .services import PlanRow

WRITERS = (Role.HR, Role.COUNTY_ADMIN)


def _county(request: AuthedRequest, code: str, *roles: str) -> County:
    require_role(request.user, *(roles or COUNTY_ROLES))
    return get_county_or_404(request.user, code)


def _plan(request: AuthedRequest, code: str, year: int, *roles: str) -> Plan:
    return get_object_or_404(
        Plan.objects.select_related("county"), county=_county(request, code, *roles), year=year
    )


@login_required
def plan_list(request: AuthedRequest, county_code: str) -> HttpResponse:
    county = _county(request, county_code)
    context = {
        "county": county,
        "plans": county.plans.prefetch_related("versions").order_by("-year"),
        "five_year_plans": county.five_year_plans.prefetch_related("years"),
        "can_write": has_role(request.user, *WRITERS),
    }
    return render(request, "townships/plan_list.html", context)


def _rows(formset: QuotaRowFormSet) -> list[PlanRow]:  # type: ignore[valid-type]  # a formset class
    return [
        PlanRow(township_code=data["code"], urban=data["urban"], rural=data["rural"])
        for data in formset.cleaned_data  # type: ignore[attr-defined]  # a valid formset's rows
    ]


def _formset(request: AuthedRequest, county: County, initial: dict[str, tuple[int, int]]) -> QuotaRowFormSet:  # type: ignore[valid-type]  # a formset class
    rows = [
        {
            "code": t.code,
            "name": t.name,
            "urban": initial.get(t.code, ("", ""))[0],
            "rural": initial.get(t.code, ("", ""))[1],
        }
        for t in county.townships.order_by("code")
    ]
    return QuotaRowFormSet(request.POST or None, initial=rows, prefix="rows")


def _warn(request: AuthedRequest, county: County, year: int, urban: int, rural: int) -> None:
    shown = plans.against_target(county=county, year=year, urban=urban, rural=rural)
    for warning in shown.warnings if shown else []:
        messages.warning(request, warning)


@login_required
def plan_new(request: AuthedRequest, county_code: str) -> HttpResponse:
    """A new year's plan on a page: the county's townships as rows (docs/policy.md §2.2)."""
    county = _county(request, county_code, *WRITERS)
    form = PlanForm(request.POST or None)
    formset = _formset(request, county, {})
    if request.method == "POST" and form.is_valid() and formset.is_valid():  # type: ignore[attr-defined]
        data = form.cleaned_data
        try:
            plan = plans.plan_enter(county=county, rows=_rows(formset), actor=request.user, **data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"已录入{plan.title}。")
            _warn(request, county, plan.year, plan.declared_urban, plan.declared_rural)
            return redirect("townships:plan-versions", county.code, plan.year)
    context = {"county": county, "form": form, "formset": formset, "heading": "录入年度开发计划"}
    return render(request, "townships/plan_form.html", context)


@login_required
def plan_adjust(request: AuthedRequest, county_code: str, year: int) -> HttpResponse:
    """动态调整: a new dated version, the form filled with the plan as last adjusted (§2.6)."""
    plan = _plan(request, county_code, year, *WRITERS)
    latest = plans.latest_version(plan)
    current = (
        {q.township.code: (q.urban, q.rural) for q in latest.quotas.select_related("township")}
        if latest
        else {}
    )
    initial = (
        {"declared_urban": latest.declared_urban, "declared_rural": latest.declared_rural} if latest else {}
    )
    if request.method == "POST" and "file" in request.FILES:
        return _adjust_from_sheet(request, plan)
    form = AdjustmentForm(request.POST or None, initial=initial)
    formset = _formset(request, plan.county, current)
    if request.method == "POST" and form.is_valid() and formset.is_valid():  # type: ignore[attr-defined]
        try:
            version = plans.plan_adjust(
                plan=plan, rows=_rows(formset), actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request, f"已录入{plan.title}第{version.number}版（{version.effective_from}起执行）。"
            )
            _warn(request, plan.county, year, version.declared_urban, version.declared_rural)
            return redirect("townships:plan-versions", plan.county.code, year)
    context = {
        "county": plan.county,
        "plan": plan,
        "form": form,
        "formset": formset,
        "heading": f"调整{plan.title}",
        "sheet_form": AdjustmentSheetForm(initial=initial),
    }
    return render(request, "townships/plan_form.html", context)


def _adjust_from_sheet(request: AuthedRequest, plan: Plan) -> HttpResponse:
    """An adjustment from a sheet: preview first (nothing written), then all or nothing (§2.6)."""
    sheet_form = AdjustmentSheetForm(request.POST, request.FILES)
    checked: Checked | None = None
    if sheet_form.is_valid():
        data = dict(sheet_form.cleaned_data)
        source, commit = data.pop("file"), data.pop("commit") == "1"

        def save(rows: list[PlanRow]) -> PlanVersion:
            return plans.plan_adjust(plan=plan, rows=rows, actor=request.user, **data)

        totals = {"declared_urban": data["declared_urban"], "declared_rural": data["declared_rural"]}
        checked = plan_sheet.plan_import(
            county=plan.county, source=source, save=save, dry_run=not commit, **totals
        )
        if checked.written:
            messages.success(
                request, f"已从表格录入{plan.title}的调整（{len(checked.rows)}个乡镇（街道））。"
            )
            _warn(request, plan.county, plan.year, data["declared_urban"], data["declared_rural"])
            return redirect("townships:plan-versions", plan.county.code, plan.year)
    columns = [*plan_sheet.PLAN_COLUMNS, *plan_sheet.PLAN_OPTIONAL]
    read = checked.read if checked and checked.ok else []
    context = {
        "county": plan.county,
        "plan": plan,
        "heading": f"调整{plan.title}",
        "sheet_form": sheet_form,
        "checked": checked,
        "columns": columns,
        "preview": [(n, [v.get(c, "") for c in columns]) for n, v in read],
    }
    return render(request, "townships/plan_form.html", context)


@login_required
def plan_versions(request: AuthedRequest, county_code: str, year: int) -> HttpResponse:
    """A plan's versions, newest first, each with its totals and a print link; the plan as last
    adjusted against the five-year target."""
    plan = _plan(request, county_code, year)
    versions = plan.versions.select_related("recorded_by").order_by("-number")
    latest = versions.first()
    shown = (
        plans.against_target(
            county=plan.county, year=year, urban=latest.declared_urban, rural=latest.declared_rural
        )
        if latest
        else None
    )
    context = {
        "plan": plan,
        "versions": versions,
        "target": shown,
        "can_write": has_role(request.user, *WRITERS),
    }
    return render(request, "townships/plan_versions.html", context)


@login_required
def plan_version_print(request: AuthedRequest, county_code: str, year: int, number: int) -> HttpResponse:
    plan = _plan(request, county_code, year)
    version: PlanVersion = get_object_or_404(plan.versions, number=number)
    quotas = version.quotas.select_related("township").order_by("position", "township__code")
    previous = plan.versions.filter(number=number - 1).first()
    before = {q.township_id: q for q in previous.quotas.all()} if previous else {}
    rows = [(q, before.get(q.township_id)) for q in quotas]
    context = {"plan": plan, "version": version, "rows": rows, "previous": previous}
    return render(request, "townships/plan_version_print.html", context)


@login_required
def plan_import(request: AuthedRequest, county_code: str) -> HttpResponse:
    """A new year's plan from a sheet: preview first (nothing written), then all or nothing."""
    county = _county(request, county_code, *WRITERS)
    form = PlanSheetForm(request.POST or None, request.FILES or None)
    checked: Checked | None = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        source, commit = data.pop("file"), data.pop("commit") == "1"

        def save(rows: list[PlanRow]) -> Plan:
            return plans.plan_enter(county=county, rows=rows, actor=request.user, **data)

        refused = plans.plan_new_check(county=county, year=data["year"], title=data["title"])
        checked = Checked(problems=[CellProblem(0, "", message) for message in refused]) if refused else None
        checked = checked or plan_sheet.plan_import(
            county=county,
            declared_urban=data["declared_urban"],
            declared_rural=data["declared_rural"],
            source=source,
            save=save,
            dry_run=not commit,
        )
        if checked.written:
            messages.success(request, f"已导入{data['title']}（{len(checked.rows)}个乡镇（街道））。")
            _warn(request, county, data["year"], data["declared_urban"], data["declared_rural"])
            return redirect("townships:plan-versions", county.code, data["year"])
    columns = [*plan_sheet.PLAN_COLUMNS, *plan_sheet.PLAN_OPTIONAL]
    preview = (
        [(n, [v.get(c, "") for c in columns]) for n, v in checked.read] if checked and checked.ok else []
    )
    context = {"county": county, "form": form, "checked": checked, "columns": columns, "preview": preview}
    return render(request, "townships/plan_import.html", context)


@login_required
def plan_import_template(request: AuthedRequest, county_code: str) -> FileResponse:
    county = _county(request, county_code, *WRITERS)
    buffer = io.BytesIO()
    plan_sheet.template_write(townships=county.townships.all(), target=buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"{county.code}-plan-template.xlsx")


def _five_year(request: AuthedRequest, county_code: str, first_year: int) -> FiveYearPlan:
    county = _county(request, county_code)
    return get_object_or_404(
        FiveYearPlan.objects.select_related("county"), county=county, first_year=first_year
    )


@login_required
def five_year_detail(request: AuthedRequest, county_code: str, first_year: int) -> HttpResponse:
    five = _five_year(request, county_code, first_year)
    report = five_year_report(five_year=five, townships=five.county.townships.all())
    headers, rows, totals, town_headers, town_rows = five_year_tables(report)
    download = reverse("townships:five-year-download", args=[five.county.code, first_year])
    context = {
        "five": five,
        "report": report,
        "headers": headers,
        "rows": rows,
        "totals": totals,
        "town_headers": town_headers,
        "town_rows": town_rows,
        "download": download,
    }
    return render(request, "townships/five_year_detail.html", context)


@login_required
def five_year_download(request: AuthedRequest, county_code: str, first_year: int) -> FileResponse:
    five = _five_year(request, county_code, first_year)
    report = five_year_report(five_year=five, townships=five.county.townships.all())
    buffer = io.BytesIO()
    five_year_workbook_write(report=report, target=buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=five_year_filename(report))


@login_required
def five_year_new(request: AuthedRequest, county_code: str) -> HttpResponse:
    """A five-year target and its yearly split (docs/policy.md §2.5); one starting the same year
    is replaced."""
    county = _county(request, county_code, *WRITERS)
    start = timezone.localdate().year
    form = FiveYearPlanForm(request.POST or None, initial={"first_year": start})
    rows = FiveYearRowFormSet(
        request.POST or None, initial=[{"year": start + i} for i in range(5)], prefix="years"
    )
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        years = [
            plans.YearSplit(r["year"], r["total"], r.get("urban"), r.get("rural")) for r in rows.cleaned_data
        ]
        try:
            five = plans.five_year_plan_save(county=county, years=years, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"已保存{five.title}。")
            return redirect("townships:five-year-detail", county.code, five.first_year)
    context = {"county": county, "form": form, "rows": rows}
    return render(request, "townships/five_year_form.html", context)
