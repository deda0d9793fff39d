"""The city and province users' pages (docs/policy.md §1.4): their area (the province grouped by
city, a city's counties) and one county's reports, read-only, each downloadable as a workbook
(?export=xlsx). Counties outside the user's area answer 404; everyone else gets 404 here. Each
page shown and each workbook downloaded is one entry of the audit log (_recorded)."""

import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import FileResponse, Http404
from django.http.response import HttpResponseBase
from django.shortcuts import render

from audit import record as audit
from common.params import year_param
from posts.selectors import plan_report, plan_report_table
from townships.access import AuthedRequest, get_supervised_county_or_404, require_role
from townships.models import County, Role

from . import exports, selectors

SUPERVISORS = (Role.CITY, Role.PROVINCE)


def _xlsx(request: AuthedRequest) -> bool:
    return request.GET.get("export") == "xlsx"


def _recorded(request: AuthedRequest, read: Model, what: str) -> None:
    """One audit entry for a page shown or a workbook downloaded (docs/policy.md §1.4), by the
    mechanism the JSON API's calls use (audit.record.access): a county's on the county, so its
    auditors and administrator read it in their log; an area's on the reader's own user, in no
    county's log (the administrator of every county reads it). Called once found: a 404 leaves none."""
    audit.access(read, f"督导查阅：{what}（{'导出Excel' if _xlsx(request) else '页面'}）")


@login_required
def home(request: AuthedRequest) -> HttpResponseBase:
    """A province user's province, grouped by city; a city user's city."""
    membership = require_role(request.user, *SUPERVISORS)
    if membership.role == Role.CITY:
        return _area_page(request, membership.city.code if membership.city else "")
    return _area_page(request, "")


@login_required
def city(request: AuthedRequest, code: str) -> HttpResponseBase:
    """One city's counties: a province user's drill-down, a city user's own (another city: 404)."""
    require_role(request.user, *SUPERVISORS)
    return _area_page(request, code)


def _area_page(request: AuthedRequest, city_code: str) -> HttpResponseBase:
    counties = selectors.area_counties(request.user, city_code)
    found = list(counties)
    if city_code and not found:
        raise Http404("无权访问")
    title = found[0].city.name if city_code else "山东省"
    year = year_param(request.GET, default=selectors.default_year(counties, dt.date.today()))
    area = selectors.area(user=request.user, counties=counties, year=year, title=title)
    _recorded(request, request.user, f"{title}{year}年{'各区县' if city_code else '各市'}汇总")
    if _xlsx(request):
        buffer = io.BytesIO()
        exports.area_workbook_write(area=area, target=buffer)
        buffer.seek(0)
        name = f"supervision-{city_code or '37'}-{year}.xlsx"
        return FileResponse(buffer, as_attachment=True, filename=name)
    context = {
        "area": area,
        "city_code": city_code,
        "party_label": selectors.PARTY_LABELS.get(area.party, ""),
    }
    return render(request, "supervision/area.html", context)


def _month(request: AuthedRequest, locked: list[dt.date]) -> dt.date | None:
    """?month=YYYY-MM among the locked months of the page's year; the latest of them otherwise."""
    wanted = request.GET.get("month", "")
    return next((m for m in locked if f"{m:%Y-%m}" == wanted), locked[-1] if locked else None)


@login_required
def county(request: AuthedRequest, code: str) -> HttpResponseBase:
    """A county's reports for the year: its plan report, its locked months' totals, and one month's
    (?month=, the latest by default) per township, line and party, from the stored aggregates
    (the workbook holds every month). No person is shown."""
    require_role(request.user, *SUPERVISORS)
    found = get_supervised_county_or_404(request.user, code)
    year = year_param(
        request.GET, default=selectors.default_year(County.objects.filter(pk=found.pk), dt.date.today())
    )
    plan = found.plans.filter(year=year).first()
    report = plan_report(plan=plan, townships=found.townships.all()) if plan else None
    _recorded(request, found, f"{found.name}{year}年报表")
    if _xlsx(request):
        buffer = io.BytesIO()
        rows = selectors.county_months(found, year)
        exports.county_workbook_write(county=found, year=year, report=report, rows=rows, target=buffer)
        buffer.seek(0)
        return FileResponse(buffer, as_attachment=True, filename=f"supervision-{found.code}-{year}.xlsx")
    months = selectors.month_totals(found, year)
    shown = _month(request, [m["month"] for m in months])
    context = {
        "county": found,
        "year": year,
        "report": report,
        "plan_table": plan_report_table(report) if report else None,
        "months": months,
        "month": shown,
        "rows": selectors.county_months(found, year, shown) if shown else [],
    }
    return render(request, "supervision/county.html", context)
