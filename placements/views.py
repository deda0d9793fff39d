"""Placement pages: the work queue per role, an application with its whole history and the
next step's action, printable publicity list and agreement, and the alert list. Thin views:
reads through selectors (the scoping gate), writes through services."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from common.idcard import mask_id_number
from townships.access import has_role, require_role
from townships.models import Role

from . import selectors, services, terms
from .models import OPEN_STEPS, Step
from .procedure import STEP_LABELS, next_step

READERS = (Role.CLERK, Role.HR, Role.FINANCE, Role.AUDITOR, Role.COUNTY_ADMIN)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    step = request.GET.get("step", "")
    step = step if step in STEP_LABELS else ""
    page = Paginator(selectors.applications(user=request.user, step=step), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "counts": selectors.queue_counts(user=request.user),
        "step": step,
        "page": page,
        "params": {"step": step},
    }
    return render(request, "placements/queue.html", context)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, *READERS)
    application = selectors.application_get(user=request.user, pk=pk)
    following = next_step(application.step)
    context = {
        "application": application,
        "masked_id": mask_id_number(application.person.id_number),
        "history": application.history.select_related("actor"),
        "next_label": STEP_LABELS.get(following or "", ""),
        "can_approve": following == Step.APPROVED and has_role(request.user, Role.HR),
        "clerk_next": following if has_role(request.user, Role.CLERK) else None,
        "can_close": application.step in OPEN_STEPS and has_role(request.user, Role.CLERK, Role.HR),
        "agreements": application.agreements.all(),
        "today": dt.date.today(),
    }
    return render(request, "placements/application_detail.html", context)


def _date(request: HttpRequest, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(request.POST.get(name, ""))
    except ValueError:
        raise ValidationError("请填写正确的日期") from None


@login_required
@require_POST
def application_act(request: HttpRequest, pk: int) -> HttpResponse:
    """The next step from the application page: approve (HR), agreement, training, placement
    (clerk), or reject / withdraw with a reason."""
    require_role(request.user, Role.CLERK, Role.HR)
    application = selectors.application_get(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "approve":
            result = services.approve(applications=[application], actor=request.user, on=_date(request, "on"))
            if result.refused:
                raise ValidationError(result.refused[0][1])
        elif action == "agree":
            services.agreement_sign(
                application=application,
                start=_date(request, "start"),
                signed_on=_date(request, "signed_on"),
                monthly_pay=_money(request.POST.get("monthly_pay", "")),
                actor=request.user,
            )
        elif action == "train":
            services.training_record(
                application=application,
                date=_date(request, "date"),
                hours=_money(request.POST.get("hours", "")),
                content=request.POST.get("content", ""),
                actor=request.user,
            )
        elif action == "place":
            services.placement_start(
                application=application, on_post_date=_date(request, "on"), actor=request.user
            )
        elif action in (Step.REJECTED, Step.WITHDRAWN):
            services.application_close(
                application=application,
                to=action,
                reason=request.POST.get("reason", ""),
                actor=request.user,
                on=_date(request, "on"),
            )
        else:
            raise ValidationError("未知的操作")
        messages.success(
            request, f"已办理：{STEP_LABELS[selectors.application_get(user=request.user, pk=pk).step]}。"
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("placements:application-detail", pk=pk)


def _money(text: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise ValidationError(f"「{text}」不是有效的数字") from None


@login_required
def publicity_print(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, *READERS)
    publicity = selectors.publicity_get(user=request.user, pk=pk)
    rows = [
        {"name": a.person.name, "masked_id": mask_id_number(a.person.id_number),
         "village": a.post.village.name, "post": f"{a.post.duty.name}（{a.post.code}）"}
        for a in publicity.applications.select_related("person", "post__village", "post__duty")
    ]  # fmt: skip
    return render(request, "placements/publicity_print.html", {"publicity": publicity, "rows": rows})


@login_required
def agreement_print(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    require_role(request.user, *READERS)
    application = selectors.application_get(user=request.user, pk=pk)
    agreement = get_object_or_404(application.agreements, number=number)
    context = {"application": application, "agreement": agreement, "county": application.township.county}
    return render(request, "placements/agreement_print.html", context)


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    found = terms.alerts(placements=selectors.active_placements(user=request.user), today=dt.date.today())
    return render(request, "placements/alerts.html", {"alerts": found, "kinds": terms.ALERT_KINDS})
