"""Each role's landing page: a clerk's township queue and alerts, HR's approvals, quotas and
alerts, finance's monthly run; pictures drawn by static/js/dashboard.js from json_script data."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from placements import selectors as placement_selectors
from townships.access import membership_of
from townships.models import Role

from . import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request.user)
    if membership is None:
        return render(request, "posts/no_role.html", status=403)
    today = dt.date.today()
    user = request.user
    reports = selectors.plans(user)
    for report in reports:
        report.chart = selectors.plan_chart(report).as_json()  # type: ignore[attr-defined]
    context: dict = {
        "today": today,
        "reports": reports,
        "alerts": selectors.alert_counts(user, today),
    }
    if membership.role == Role.CLERK:
        context["queue"] = placement_selectors.queue_counts(user=user)
    if membership.role in (Role.HR, Role.AUDITOR, Role.COUNTY_ADMIN, Role.CLERK):
        context["people"] = selectors.people_counts(user)
        context["group_chart"] = selectors.placed_by_group_chart(user).as_json()
    if membership.role in (Role.HR, Role.AUDITOR, Role.COUNTY_ADMIN):
        context["waiting"] = selectors.waiting_for_approval(user)
    if membership.role in (Role.FINANCE, Role.HR, Role.AUDITOR, Role.COUNTY_ADMIN):
        runs = context["runs"] = selectors.runs(user)
        if runs:  # the year of the latest month computed
            chart = selectors.spending_chart(runs[0].county, runs[0].month.year)
            context["spending_chart"] = chart.as_json() if chart else None
        context["this_month"] = today.replace(day=1)
    template = f"workspace/home_{'clerk' if membership.role == Role.CLERK else 'county'}.html"
    return render(request, template, context)
