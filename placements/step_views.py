"""The actions of the application page, one URL each: 区级审批, 协议签订, 岗前培训, 安排上岗,
不予通过 or 撤回, a publicity objection recorded or resolved, and life on the post (exit, renewal,
extension). Each reads its form (placements/forms.py), calls its service and goes back to the
page; or shows the page again with the form's errors next to their fields."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from townships.access import AuthedRequest, require_role
from townships.models import Role

from . import batch, selectors, services, terms, views
from .forms import (
    AgreementForm,
    ApproveForm,
    CloseForm,
    ExitForm,
    ExtendForm,
    ObjectionForm,
    ObjectionResolveForm,
    PlacementForm,
    RenewForm,
    StepForm,
    TrainingForm,
    error_summary,
    refusal_add,
)
from .models import Application, Placement
from .procedure import STEP_LABELS

Perform = Callable[[AuthedRequest, Application, dict[str, Any]], str]


def _act(request: AuthedRequest, pk: int, form: StepForm, slot: str, perform: Perform) -> HttpResponse:
    """`perform` the action with the form's values and go back to the application page with its
    outcome; or, on a refusal, show the page again with the errors next to their fields and, in
    one line, above (for a screen reader and for a quick look)."""
    require_role(request.user, Role.CLERK, Role.HR)
    application = selectors.application_get(user=request.user, pk=pk)
    if form.is_valid():
        try:
            done = perform(request, application, form.cleaned_data)
        except ValidationError as exc:
            refusal_add(form, exc)
        else:
            messages.success(request, done)
            return redirect("placements:application-detail", pk=pk)
    messages.error(request, error_summary(form))
    application.refresh_from_db()
    return views.detail_page(request, application, {slot: form})


def _step(name: str) -> Perform:
    def perform(request: AuthedRequest, application: Application, data: dict[str, Any]) -> str:
        batch.step_one(name=name, application=application, actor=request.user, today=views.today(), **data)
        application.refresh_from_db(fields=["step"])
        return f"已办理：{STEP_LABELS[application.step]}。"

    return perform


@login_required
@require_POST
def application_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    """区级审批 of one application (HR, by the procedure's map)."""
    return _act(request, pk, ApproveForm(request.POST), "approve_form", _step("approve"))


@login_required
@require_POST
def application_agree(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, AgreementForm(request.POST), "agree_form", _step("agree"))


@login_required
@require_POST
def application_train(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, TrainingForm(request.POST), "train_form", _step("train"))


@login_required
@require_POST
def application_place(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, PlacementForm(request.POST), "place_form", _step("place"))


@login_required
@require_POST
def application_close(request: AuthedRequest, pk: int) -> HttpResponse:
    """不予通过 or 本人撤回, with a date and a reason."""

    def perform(request: AuthedRequest, application: Application, data: dict[str, Any]) -> str:
        done = services.application_close(
            application=application,
            to=data["to"],
            reason=data["reason"],
            actor=request.user,
            on=data["on"],
            today=views.today(),
        )
        return f"已办理：{STEP_LABELS[done.step]}。"

    return _act(request, pk, CloseForm(request.POST), "close_form", perform)


@login_required
@require_POST
def objection_record(request: AuthedRequest, pk: int) -> HttpResponse:
    def perform(request: AuthedRequest, application: Application, data: dict[str, Any]) -> str:
        services.objection_record(application=application, actor=request.user, today=views.today(), **data)
        return "已记录异议。"

    return _act(request, pk, ObjectionForm(request.POST), "objection_form", perform)


@login_required
@require_POST
def objection_resolve(request: AuthedRequest, pk: int) -> HttpResponse:
    def perform(request: AuthedRequest, application: Application, data: dict[str, Any]) -> str:
        services.objection_resolve(
            objection=get_object_or_404(application.objections, pk=data["objection"]),
            upheld=data["upheld"],
            resolution=data["resolution"],
            actor=request.user,
            on=data["resolved_on"],
            today=views.today(),
        )
        return "已处理异议。"

    return _act(request, pk, ObjectionResolveForm(request.POST), "resolve_form", perform)


def _placement(application: Application) -> Placement:
    return get_object_or_404(Placement, application=application)


@login_required
@require_POST
def placement_exit(request: AuthedRequest, pk: int) -> HttpResponse:
    def perform(request: AuthedRequest, application: Application, data: dict[str, Any]) -> str:
        require_role(request.user, *terms.ACTION_ROLES["exit"])
        terms.placement_exit(placement=_placement(application), actor=request.user, **data)
        return "已办理退出，岗位恢复为空岗，可通过新一轮招聘补充。"

    return _act(request, pk, ExitForm(request.POST), "exit_form", perform)


@login_required
@require_POST
def placement_renew(request: AuthedRequest, pk: int) -> HttpResponse:
    def perform(request: AuthedRequest, application: Application, data: dict[str, Any]) -> str:
        require_role(request.user, *terms.ACTION_ROLES["renew"])
        placement = _placement(application)
        made = terms.agreement_renew(placement=placement, signed_on=data["signed_on"], actor=request.user)
        if lost := terms.months_beyond_back_pay(placement, made.start_date):
            named = "、".join(f"{m:%Y年%m月}" for m in lost)
            messages.warning(
                request, f"注意：{named}已锁定且超出补发期限（12个月），续签后不再补发这些月份。"
            )
        return f"已续签第{made.number}份协议：{made.start_date}至{made.end_date}。"

    return _act(request, pk, RenewForm(request.POST), "renew_form", perform)


@login_required
@require_POST
def placement_extend(request: AuthedRequest, pk: int) -> HttpResponse:
    """补贴期限延长, granted by HR (docs/policy.md §7.3)."""

    def perform(request: AuthedRequest, application: Application, data: dict[str, Any]) -> str:
        require_role(request.user, *terms.ACTION_ROLES["extend"])
        terms.extension_grant(placement=_placement(application), actor=request.user, **data)
        return "已记录补贴期限延长。"

    return _act(request, pk, ExtendForm(request.POST), "extend_form", perform)
