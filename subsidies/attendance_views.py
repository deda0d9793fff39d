"""The attendance pages (docs/policy.md §9.2): the village user's month (phone first: record each
holder's days, save, submit, see the sheet's state), the township's villages of a month, the
clerk's grid of a village's month (edit, confirm or return; county roles read it) and the
month's template of the township. Thin: the gate (townships.access), a form, a service."""

import datetime as dt
import io
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from audit import record as audit
from townships.access import (
    Act,
    AuthedRequest,
    act_township,
    act_townships,
    get_township_or_404,
    get_village_or_404,
    has_role,
    is_agency,
    may_act,
    require_role,
    visible_townships,
)
from townships.models import Role, Township, Village

from . import payroll
from .attendance import corrected
from .attendance_forms import BaseRowFormSet, GridFormSet, ReturnForm, VillageFormSet
from .attendance_pages import (
    GridEntry,
    VillageMonth,
    grid_save,
    latest_open_month,
    open_months,
    sheet_write,
    template_rows,
    township_villages,
    village_month,
    village_month_send,
)
from .models import AttendanceSheet
from .village_attendance import village_month_confirm, village_month_return

State = AttendanceSheet.State
GRID_READERS = (Role.CLERK, Role.HR, Role.FINANCE, Role.AUDITOR, Role.COUNTY_ADMIN)


def _month(request: AuthedRequest, default: dt.date) -> dt.date:
    """The month the request names (?month=2022-03, or the form's), else `default`."""
    text = request.POST.get("month") or request.GET.get("month") or ""
    if not text:
        return default
    try:
        return payroll.month_start(text)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return default


def _at(name: str, pk: int, month: dt.date) -> str:
    return f"{reverse(name, args=(pk,))}?{urlencode({'month': f'{month:%Y-%m}'})}"


# -- the village user ----------------------------------------------------------------------


@login_required
def village_home(request: AuthedRequest) -> HttpResponse:
    """A village user's landing: their village's month."""
    membership = require_role(request.user, Role.VILLAGE)
    return redirect("subsidies:village-month", pk=membership.village_id)


def _village_rows(page: VillageMonth) -> list[dict]:
    return [
        {
            "placement": row.placement.pk,
            "days": row.record.days if row.record else None,
            "presence": row.record.presence if row.record else "",
            "note": row.record.note if row.record else "",
        }
        for row in page.rows
    ]


@login_required
def village_month_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The village's month: each holder's days (ticked day by day, or only the number) and a
    note; 保存 records the whole page at once, 报送 records and submits (all or nothing)."""
    require_role(request.user, Role.VILLAGE)
    village = get_village_or_404(request.user, pk)
    months = open_months(village.township.county, timezone.localdate())
    month = _month(request, months[0] if months else latest_open_month(timezone.localdate()))
    page = village_month(village, month)
    kwargs: dict[str, Any] = {
        "initial": _village_rows(page),
        "prefix": "h",
        "form_kwargs": {"length": len(page.days)},
    }
    problems: list[str] = []
    if request.method == "POST":
        formset = VillageFormSet(request.POST, **kwargs)
        submit = request.POST.get("action") == "submit"
        if formset.is_valid():
            marks = [f.mark() for f in formset.changed_forms() if not f.blank()]  # type: ignore[attr-defined]
            try:
                village_month_send(
                    actor=request.user, village=village, month=month, marks=marks, submit=submit
                )
            except ValidationError as exc:
                problems = list(exc.messages)
            else:
                done = "已报送乡镇（街道）确认" if submit else f"已保存{len(marks)}人"
                messages.success(request, f"{village.name}{month:%Y年%m月}考勤{done}。")
                return redirect(_at("subsidies:village-month", village.pk, month))
        else:
            problems = ["请改正下面标出的错误"]
        messages.error(request, "未保存任何内容。")
    else:
        formset = VillageFormSet(**kwargs)
    context = {
        "village": village,
        "page": page,
        "rows": list(zip(page.rows, formset.forms, strict=True))
        if len(formset.forms) == len(page.rows)
        else [],
        "formset": formset,
        "months": months if month in months else [month, *months],
        "month": month,
        "editable": page.state in (State.FILLING, State.RETURNED) and not page.closed,
        "problems": problems,
    }
    return render(request, "subsidies/village_month.html", context)


# -- the township ---------------------------------------------------------------------------


def _township(request: AuthedRequest) -> Township:
    """The clerk's township; a county role's chosen one (?township=CODE), else their first."""
    membership = require_role(request.user, *GRID_READERS, Role.AGENCY)
    if membership.role in (Role.CLERK, Role.AGENCY):  # an agency: a township its contract gives (§1.5)
        return act_township(request.user, Act.ATTENDANCE, request.GET.get("township", ""))
    code = request.GET.get("township", "")
    if code:
        return get_township_or_404(request.user, code)
    first = visible_townships(request.user).order_by("code").first()
    if first is None:
        raise Http404("没有可查看的乡镇（街道）")
    return first


@login_required
def attendance_villages(request: AuthedRequest) -> HttpResponse:
    """The township's villages of a month: holders, records, confirmed records, the sheet's state."""
    township = _township(request)
    month = _month(request, latest_open_month(timezone.localdate()))
    agency = is_agency(request.user)
    townships = act_townships(request.user, Act.ATTENDANCE) if agency else visible_townships(request.user)
    context = {
        "township": township,
        "townships": townships.order_by("code") if not has_role(request.user, Role.CLERK) else [],
        "month": month,
        "villages": township_villages(township, month),
        "is_clerk": has_role(request.user, Role.CLERK) or agency,  # keeps the township's attendance
    }
    return render(request, "subsidies/attendance_villages.html", context)


def _grid_rows(page: VillageMonth) -> list[dict]:
    return [
        {
            "placement": row.placement.pk,
            "days": row.record.days if row.record else None,
            "withheld": row.record.withheld if row.record else False,
            "note": row.record.note if row.record else "",
        }
        for row in page.rows
    ]


def _grid_formset(request: AuthedRequest, page: VillageMonth, bound: bool) -> BaseRowFormSet:
    kwargs: dict[str, Any] = {
        "initial": _grid_rows(page),
        "prefix": "g",
        "form_kwargs": {"placements": frozenset(row.placement.pk for row in page.rows)},
    }
    formset = GridFormSet(request.POST, **kwargs) if bound else GridFormSet(**kwargs)
    return cast(BaseRowFormSet, formset)


def _grid_page(
    request: AuthedRequest,
    village: Village,
    page: VillageMonth,
    formset: BaseRowFormSet | None = None,
    problems: list[str] | None = None,
    reason: str = "",
) -> HttpResponse:
    is_clerk = has_role(request.user, Role.CLERK) or is_agency(request.user)  # keeps the attendance
    formset = formset or _grid_formset(request, page, bound=False)
    context = {
        "village": village,
        "page": page,
        "month": page.month,
        "is_clerk": is_clerk,
        "formset": formset,
        "rows": list(zip(page.rows, formset.forms, strict=True))
        if len(formset.forms) == len(page.rows)
        else [],
        "editable": is_clerk and page.closed != "approved",
        # confirming a village's sheet is the clerk's, never a contracted agency's (§1.5)
        "decidable": has_role(request.user, Role.CLERK) and page.state == State.SUBMITTED,
        "problems": problems or [],
        "reason": reason,
    }
    return render(request, "subsidies/attendance_grid.html", context)


@login_required
def attendance_grid(request: AuthedRequest, pk: int) -> HttpResponse:
    """A village's month, one row per holder; a clerk edits it (the township's records, confirmed
    at entry) and confirms or returns the village's submitted sheet; county roles read it."""
    require_role(request.user, *GRID_READERS, Role.AGENCY)
    village = get_village_or_404(request.user, pk)
    agency = is_agency(request.user)
    if agency and not may_act(request.user, Act.ATTENDANCE, village.township, timezone.localdate()):
        raise Http404("无权访问")
    month = _month(request, latest_open_month(timezone.localdate()))
    page = village_month(village, month)
    if request.method != "POST":
        return _grid_page(request, village, page)
    require_role(request.user, Role.CLERK, Role.AGENCY)
    action = request.POST.get("action", "")
    if action == "save":
        return _grid_save(request, village, page)
    if agency:  # confirming or returning a village's sheet stays the clerk's (docs/policy.md §1.5)
        raise Http404("无权访问")
    try:
        if action == "confirm":
            village_month_confirm(actor=request.user, village=village, month=month)
            messages.success(request, f"已确认{village.name}{month:%Y年%m月}考勤。")
        elif action == "return":
            form = ReturnForm(request.POST)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            village_month_return(
                actor=request.user, village=village, month=month, reason=form.cleaned_data["reason"]
            )
            messages.success(request, f"已退回{village.name}{month:%Y年%m月}考勤。")
        else:
            raise ValidationError("未知的操作")
    except ValidationError as exc:
        messages.error(request, "未作任何更改。")
        return _grid_page(
            request, village, page, problems=list(exc.messages), reason=request.POST.get("reason", "")[:200]
        )
    return redirect(_at("subsidies:attendance-grid", village.pk, month))


def _grid_save(request: AuthedRequest, village: Village, page: VillageMonth) -> HttpResponse:
    formset = _grid_formset(request, page, bound=True)
    if not formset.is_valid():
        messages.error(request, "未保存任何内容。")
        return _grid_page(request, village, page, formset, ["请改正下面标出的错误"])
    by_pk = {row.placement.pk: row.placement for row in page.rows}
    changed = formset.changed_forms()
    entries = [
        GridEntry(
            by_pk[f.cleaned_data["placement"]],
            f.cleaned_data["days"],
            f.cleaned_data["withheld"],
            f.cleaned_data["note"],
        )
        for f in changed
    ]
    if not entries:
        messages.success(request, "没有改动。")
        return redirect(_at("subsidies:attendance-grid", village.pk, page.month))
    report = grid_save(actor=request.user, village=village, month=page.month, entries=entries)
    if not report.ok:
        names = {n: e.placement.person.name for n, e in enumerate(entries, start=2)}
        problems = [f"{names[p.row]}：{p.message}" if p.row in names else p.message for p in report.problems]
        messages.error(request, "未保存任何内容。")
        return _grid_page(request, village, page, formset, problems)
    messages.success(request, f"已保存{page.month:%Y年%m月}考勤{report.saved}人。{corrected(report)}")
    return redirect(_at("subsidies:attendance-grid", village.pk, page.month))


@login_required
def attendance_template(request: AuthedRequest) -> FileResponse:
    """The month's sheet of the clerk's township, filled as the month stands (full ID numbers,
    recorded in the audit log); uploaded back unchanged it changes nothing."""
    # a clerk's township, or a contracted agency's (docs/policy.md §1.5)
    township = act_township(request.user, Act.ATTENDANCE, request.GET.get("township", ""))
    month = _month(request, latest_open_month(timezone.localdate()))
    rows = template_rows(township, month)
    buffer = io.BytesIO()
    sheet_write(rows, buffer, f"{month:%Y年%m月}考勤")
    audit.access(
        township.county, f"下载考勤表·{township.name}{month:%Y年%m月}（含完整身份证号）", rows=len(rows)
    )
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"attendance-{township.code}-{month:%Y-%m}.xlsx")
