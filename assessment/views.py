"""Assessment and bonus pages (docs/policy.md §8.14, §9.10). Thin: the gate (townships.access), a
form, a service. A sheet is a township's (a village user sees only the holders of their village);
out of scope answers 404."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from placements.models import Placement
from townships.access import (
    Act,
    AuthedRequest,
    act_township,
    act_townships,
    has_role,
    is_agency,
    membership_of,
    require_role,
    scope_by_county,
    scope_by_township,
    scope_by_village,
)
from townships.models import Role

from . import bonus, scores, selectors
from .forms import MonthForm, ProposeForm, ReasonForm, UploadForm, grid_entries
from .models import BonusRound, Sheet
from .sheet_import import scores_import

READERS = (Role.CLERK, Role.VILLAGE, Role.HR, Role.FINANCE, Role.AUDITOR, Role.COUNTY_ADMIN)
BONUS_READERS = (Role.HR, Role.FINANCE, Role.AUDITOR, Role.COUNTY_ADMIN)


def _sheets(request: AuthedRequest) -> QuerySet[Sheet]:
    """The sheets the user sees: a village user's township's (their village's rows only), a
    clerk's township's, a county role's county's."""
    membership = require_role(request.user, *READERS, Role.AGENCY)
    sheets = Sheet.objects.select_related("scheme", "township")
    if membership.role == Role.AGENCY:  # the townships whose scores its contract gives it today (§1.5)
        return sheets.filter(township__in=act_townships(request.user, Act.ASSESSMENT))
    if membership.role == Role.VILLAGE:
        return sheets.filter(township_id=membership.township_id)  # type: ignore[misc]  # a village user has one
    return scope_by_township(request.user, sheets)


def _holders(request: AuthedRequest) -> QuerySet[Placement] | None:
    """A village user's holders (their village's posts); None: every holder of the sheet."""
    membership = membership_of(request.user)
    if membership is not None and membership.role == Role.VILLAGE:
        return scope_by_village(request.user, Placement.objects.all(), "post__village")
    return None


@login_required
def sheet_list(request: AuthedRequest) -> HttpResponse:
    """The sheets in scope; a clerk or a village user opens the sheet of a month."""
    membership = require_role(request.user, *READERS, Role.AGENCY)
    form = MonthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if membership.role not in (Role.CLERK, Role.VILLAGE, Role.AGENCY):
            raise Http404("无权访问")
        township = membership.township
        if membership.role == Role.AGENCY:
            township = act_township(request.user, Act.ASSESSMENT, request.POST.get("township", ""))
        try:
            sheet = scores.sheet_for(township, form.cleaned_data["month"])  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error("month", exc)
        else:
            return redirect("assessment:sheet-detail", pk=sheet.pk)
    context = {
        "sheets": _sheets(request)[:60],
        "form": form,
        "can_open": membership.role in (Role.CLERK, Role.VILLAGE, Role.AGENCY),
    }
    return render(request, "assessment/sheet_list.html", context)


def _sheet_page(
    request: AuthedRequest, sheet: Sheet, problems: list | None = None, status: int = 200
) -> HttpResponse:
    membership = membership_of(request.user)
    rows = selectors.sheet_rows(sheet, _holders(request))
    role = membership.role if membership else ""
    entering = (
        scores.Entering(request.user, sheet) if role in (Role.CLERK, Role.VILLAGE, Role.AGENCY) else None
    )
    editable = sheet.state == Sheet.State.OPEN and entering is not None
    parts = sheet.scheme.parts
    grid = []
    for row in rows:
        cells = []
        for part, label, weight in parts:
            may = editable and entering is not None and entering.may_enter(row.placement, part) is None
            typed = request.POST.get(f"{part}-{row.placement.pk}") if problems else None
            value = typed if typed is not None else (getattr(row.score, part) if row.score else None)
            cells.append({"part": part, "label": label, "weight": weight, "value": value, "editable": may})
        grid.append({"row": row, "cells": cells})
    context = {
        "sheet": sheet,
        "grid": grid,
        "parts": parts,
        "editable": editable,
        "problems": problems or [],
        "can_publish": role == Role.CLERK and sheet.state == Sheet.State.OPEN,
        "can_reopen": role in (Role.CLERK, Role.HR) and sheet.state == Sheet.State.PUBLISHED,
        "events": sheet.events.select_related("actor"),
        "upload": UploadForm(),
        "reason": ReasonForm(),
    }
    return render(request, "assessment/sheet_detail.html", context, status=status)


@login_required
def sheet_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The sheet as a grid (one row per holder, a cell per part the user may enter); saved all or
    nothing."""
    sheet = get_object_or_404(_sheets(request), pk=pk)
    if request.method != "POST":
        return _sheet_page(request, sheet)
    rows = selectors.sheet_rows(sheet, _holders(request))
    entries, problems = grid_entries(request.POST, [r.placement for r in rows], sheet.scheme.parts)
    if not problems:
        try:
            written = scores.scores_enter(actor=request.user, sheet=sheet, entries=entries)
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(request, f"已保存{written}人的评分。")
            return redirect("assessment:sheet-detail", pk=sheet.pk)
    return _sheet_page(request, sheet, problems, status=400)


@login_required
@require_POST
def sheet_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    sheet = get_object_or_404(_sheets(request), pk=pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _sheet_page(request, sheet, ["请选择评分表"], status=400)
    problems = scores_import(sheet=sheet, actor=request.user, source=form.cleaned_data["file"])
    if problems:
        shown = [
            f"第{p.row}行 {p.column}：{p.message}" if p.column else f"第{p.row}行：{p.message}"
            for p in problems
        ]
        return _sheet_page(request, sheet, ["未导入任何数据。", *shown], status=400)
    messages.success(request, "评分表已导入。")
    return redirect("assessment:sheet-detail", pk=sheet.pk)


@login_required
@require_POST
def sheet_publish_view(request: AuthedRequest, pk: int) -> HttpResponse:
    if is_agency(request.user) or has_role(request.user, Role.VILLAGE):
        raise Http404("无权访问")  # publishing is the township's, never an agency's or a village's (§1.5)
    sheet = get_object_or_404(_sheets(request), pk=pk)
    try:
        scores.sheet_publish(actor=request.user, sheet=sheet)
    except ValidationError as exc:
        return _sheet_page(request, sheet, exc.messages, status=400)
    messages.success(request, "考核结果已公示。")
    return redirect("assessment:sheet-detail", pk=sheet.pk)


@login_required
@require_POST
def sheet_reopen_view(request: AuthedRequest, pk: int) -> HttpResponse:
    if is_agency(request.user) or has_role(request.user, Role.VILLAGE):
        raise Http404("无权访问")  # taking results back is the township's or HR's (§1.5)
    sheet = get_object_or_404(_sheets(request), pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("撤回公示须写明原因")
        scores.sheet_reopen(actor=request.user, sheet=sheet, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        return _sheet_page(request, sheet, exc.messages, status=400)
    messages.success(request, "已撤回公示，可以更正评分。")
    return redirect("assessment:sheet-detail", pk=sheet.pk)


@login_required
def sheet_print(request: AuthedRequest, pk: int) -> HttpResponse:
    """The published results, printable, ID numbers masked."""
    sheet = get_object_or_404(_sheets(request).filter(state=Sheet.State.PUBLISHED), pk=pk)
    rows = selectors.sheet_rows(sheet, _holders(request))
    return render(request, "assessment/sheet_print.html", {"sheet": sheet, "rows": rows})


@login_required
def exit_list(request: AuthedRequest) -> HttpResponse:
    """Holders whose repeated failures propose an exit for 考核不合格, each with the exit form."""
    require_role(request.user, Role.CLERK, Role.HR, Role.AUDITOR, Role.COUNTY_ADMIN)
    proposals = selectors.exit_proposals(request.user)
    return render(request, "assessment/exit_list.html", {"proposals": proposals})


def _rounds(request: AuthedRequest) -> QuerySet[BonusRound]:
    require_role(request.user, *BONUS_READERS)
    return scope_by_county(request.user, BonusRound.objects.select_related("county", "rule", "proposed_by"))


@login_required
def bonus_list(request: AuthedRequest) -> HttpResponse:
    """The bonus rounds; HR proposes a period's award list."""
    rounds = _rounds(request)
    membership = membership_of(request.user)
    can_propose = membership is not None and membership.role == Role.HR
    form = ProposeForm(request.POST or None, initial={"year": dt.date.today().year - 1})
    if request.method == "POST":
        if not can_propose or membership is None or membership.county is None:
            raise Http404("无权访问")
        if form.is_valid():
            try:
                made = bonus.bonus_propose(
                    actor=request.user,
                    county=membership.county,
                    year=form.cleaned_data["year"],
                    quarter=form.cleaned_data["quarter"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"已提出奖励名单（{made.awards.count()}人），待财政审批。")
                return redirect("assessment:bonus-detail", pk=made.pk)
    context = {"rounds": rounds[:60], "form": form, "can_propose": can_propose}
    return render(request, "assessment/bonus_list.html", context, status=400 if form.errors else 200)


@login_required
def bonus_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A round's awards; finance (not the proposer) approves it or returns it with a reason."""
    round = get_object_or_404(_rounds(request), pk=pk)
    membership = membership_of(request.user)
    can_decide = (
        membership is not None
        and membership.role == Role.FINANCE
        and round.state == BonusRound.State.PROPOSED
    )
    form = ReasonForm(request.POST or None)
    problems: list[str] = []
    if request.method == "POST":
        if not can_decide:
            raise Http404("无权访问")
        try:
            if request.POST.get("action") == "return":
                reason = request.POST.get("reason", "")
                bonus.bonus_return(actor=request.user, round=round, reason=reason)
                messages.success(request, "奖励名单已退回。")
            else:
                bonus.bonus_approve(actor=request.user, round=round)
                messages.success(request, "奖励名单已审批，将在下一次核算的月份中发放。")
        except ValidationError as exc:
            problems = exc.messages
        else:
            return redirect("assessment:bonus-detail", pk=round.pk)
    awards = round.awards.select_related("placement__person", "placement__township")
    context = {"round": round, "awards": awards, "can_decide": can_decide, "form": form, "problems": problems}
    return render(request, "assessment/bonus_detail.html", context, status=400 if problems else 200)
