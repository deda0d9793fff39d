"""Accident-insurance pages (docs/policy.md §7.8, §7.9): the county's policies (HR records one),
a policy's people covered, the roster of a day (a page with masked ID numbers, and a download with
whole ones for the county office that buys the policy, recorded in the audit log), accidents and
their claims. Thin: reads through placements.insurance's selectors (the scoping gate), writes
through its services; out-of-scope objects answer 404."""

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit import record as audit
from common.paging import CappedPaginator
from common.xlsx import Sheet, write_workbook
from townships.access import (
    AuthedRequest,
    has_role,
    require_role,
    township_pk,
    visible_counties,
    visible_townships,
)

from . import insurance, views
from .forms import error_summary, refusal_add
from .insurance_forms import AccidentForm, ClaimForm, PolicyForm
from .models import Accident, ClaimState


@login_required
def policy_list(request: AuthedRequest) -> HttpResponse:
    """The county's policies, newest first; HR records a new one here."""
    require_role(request.user, *insurance.READERS)
    form = None
    if has_role(request.user, *insurance.POLICY_WRITERS):
        form = PolicyForm(request.POST if request.method == "POST" else None)
    elif request.method == "POST":
        require_role(request.user, *insurance.POLICY_WRITERS)
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                policy = insurance.policy_create(
                    county=visible_counties(request.user).get(), actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                refusal_add(form, exc)
            else:
                messages.success(request, f"已登记保单{policy.number}，参保{policy.covered.count()}人。")
                return redirect("placements:insurance-detail", pk=policy.pk)
        messages.error(request, error_summary(form))
    policies = insurance.policies_for(request.user).annotate(people=Count("covered"))
    return render(request, "placements/insurance_list.html", {"policies": policies, "form": form})


@login_required
def policy_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, *insurance.READERS)
    policy = insurance.policy_get(user=request.user, pk=pk)
    page = CappedPaginator(insurance.covered_for(request.user, policy), 50).get_page(request.GET.get("page"))
    return render(request, "placements/insurance_detail.html", {"policy": policy, "page": page, "params": {}})


def _roster_day(request: AuthedRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return views.today()


@login_required
def roster(request: AuthedRequest) -> HttpResponse:
    """参保名单 of a day: the rural holders on post and paid that day (insurance.roster_placements)."""
    require_role(request.user, *insurance.READERS)
    on = _roster_day(request)
    params = {
        "on": on.isoformat(),
        "township": request.GET.get("township", "")[:9],
        "q": request.GET.get("q", "").replace("\x00", "").strip()[:50],
    }
    town = township_pk(request.user, params["township"]) if params["township"] else None
    if params["township"] and town is None:
        town = 0  # a township the user does not see: nothing
    found = insurance.roster_for(request.user, on=on, township=town, name=params["q"])
    if request.GET.get("export") == "xlsx":
        return _roster_download(request, on, found)  # type: ignore[return-value]  # views return the download as their response (an HttpResponseBase)
    context = {
        "on": on,
        "params": params,
        "page": CappedPaginator(found, 50).get_page(request.GET.get("page")),
        "townships": visible_townships(request.user),
        "may_record": has_role(request.user, *insurance.ACCIDENT_WRITERS),
    }
    return render(request, "placements/insurance_roster.html", context)


def _roster_download(request: AuthedRequest, on: dt.date, found: Any) -> FileResponse:
    full = has_role(request.user, *insurance.ROSTER_FULL_ROLES)
    rows = insurance.roster_rows(found, full=full)
    sheet = Sheet(
        name="参保名单",
        title=f"乡村公益性岗位人员意外伤害保险参保名单（{on:%Y年%m月%d日}在岗）",
        headers=insurance.ROSTER_HEADERS,
        rows=rows,
        widths={4: 21},
        signatures=True,
    )
    buffer = io.BytesIO()
    write_workbook(buffer, [sheet])
    if full:
        for county in visible_counties(request.user):
            audit.access(county, f"下载意外伤害保险参保名单（{on}，含完整身份证号）", rows=len(rows))
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"insurance-roster-{on}.xlsx")


@login_required
def accident_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, *insurance.ACCIDENT_READERS)
    state = request.GET.get("state", "")
    found = insurance.accidents_for(request.user)
    if state in ClaimState.values:
        found = found.filter(state=state)
    context = {
        "page": CappedPaginator(found, 50).get_page(request.GET.get("page")),
        "params": {"state": state},
        "states": ClaimState.choices,
    }
    return render(request, "placements/accident_list.html", context)


@login_required
def accident_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """登记意外事故 of one holder (pk: the placement), reached from the roster."""
    require_role(request.user, *insurance.ACCIDENT_RECORDERS)
    holder = insurance.holder_get(user=request.user, pk=pk)
    form = AccidentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                accident = insurance.accident_record(
                    placement=holder, actor=request.user, today=views.today(), **form.cleaned_data
                )
            except ValidationError as exc:
                refusal_add(form, exc)
            else:
                _recorded(request, accident)
                return redirect("placements:accident-detail", pk=accident.pk)
        messages.error(request, error_summary(form))
    return render(request, "placements/accident_new.html", {"holder": holder, "form": form})


def _recorded(request: AuthedRequest, accident: Accident) -> None:
    if accident.cover is None:
        messages.warning(
            request,
            f"已登记事故。注意：{accident.occurred_on}此人不在任何保单的保障期间内，记为“未参保”，不能向保险公司报案理赔。",
        )
    else:
        messages.success(request, f"已登记事故，承保保单：{accident.cover.policy}。")


def _detail(request: AuthedRequest, accident: Accident, form: ClaimForm | None = None) -> HttpResponse:
    moves = insurance.claim_next(accident)
    if form is None and moves and has_role(request.user, *insurance.ACCIDENT_WRITERS):
        form = ClaimForm(moves=moves)
    context = {"accident": accident, "steps": accident.steps.select_related("actor"), "form": form}
    return render(request, "placements/accident_detail.html", context)


@login_required
def accident_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, *insurance.ACCIDENT_READERS)
    return _detail(request, insurance.accident_get(user=request.user, pk=pk))


@login_required
@require_POST
def accident_claim(request: AuthedRequest, pk: int) -> HttpResponse:
    """The claim's next step (报案, 材料提交, 理赔决定), dated, in order."""
    require_role(request.user, *insurance.ACCIDENT_WRITERS)
    accident = insurance.accident_get(user=request.user, pk=pk)
    form = ClaimForm(request.POST)  # every move: an out-of-order one is refused by the service, named
    if form.is_valid():
        try:
            insurance.claim_move(
                accident=accident, actor=request.user, today=views.today(), **form.cleaned_data
            )
        except ValidationError as exc:
            refusal_add(form, exc)
        else:
            messages.success(request, "已记录理赔环节。")
            return redirect("placements:accident-detail", pk=pk)
    messages.error(request, error_summary(form))
    accident.refresh_from_db()
    return _detail(request, accident, form)
