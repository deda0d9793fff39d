"""Lists: a step for many ticked applications at once (docs/policy.md §5.6, §5.10). HR approves
the publicized ones, each decided on its own; a clerk signs the agreements, records the
training and places a list all or nothing; the agreements of a list print together."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from audit import record as audit
from common.paging import CappedPaginator
from common.params import pk_list
from common.pdf import pdf_response
from townships.access import AuthedRequest, require_role, scope_by_township
from townships.models import Role

from . import agreements, batch, selectors, views
from .forms import AgreementForm, ApproveForm, PlacementForm, StepForm, TrainingForm, error_summary
from .models import Application, Placement, Step
from .procedure import STEP_LABELS

CHOSEN_MAX = 1000  # ticked at once: more than a township's round, fewer than a query can hold


def _chosen(request: AuthedRequest, query: QueryDict | None = None) -> list[Application]:
    """The applications ticked in a list form, through the scoping gate: one that is not in the
    user's scope (or does not exist) refuses the whole list (404). Values that cannot be ids are
    left out (never a 500)."""
    ids = set(pk_list(request.POST if query is None else query, "application"))
    if len(ids) > CHOSEN_MAX:
        raise BadRequest(f"一次最多选择{CHOSEN_MAX}人")
    related = ("person", "post__village", "post__duty", "township__county", "publicity")
    found = scope_by_township(request.user, Application.objects.filter(pk__in=ids).select_related(*related))
    chosen = list(found.order_by("pk"))
    if len(chosen) != len(ids):
        raise Http404("所选申请不存在或不在您的管辖范围内")
    return chosen


@login_required
def approve_list(request: AuthedRequest) -> HttpResponse:
    """区级审批 of a list: HR ticks the publicized applicants and approves them at once, each
    decided on its own."""
    require_role(request.user, Role.HR)
    waiting = selectors.applications(user=request.user, step=Step.PUBLICIZED).select_related("publicity")
    form = ApproveForm(request.POST if request.method == "POST" else None, initial={"on": views.today()})
    if request.method == "POST":
        chosen = _chosen(request)
        if not form.is_valid():
            messages.error(request, error_summary(form))
        elif not chosen:
            messages.error(request, "请选择要审批的人员")
        else:
            outcome = batch.step_each(
                name="approve",
                applications=chosen,
                actor=request.user,
                today=views.today(),
                **form.cleaned_data,
            )
            if outcome.done:
                messages.success(request, f"审批通过{len(outcome.done)}人。")
            for _application, reason in outcome.refused:
                messages.error(request, reason)
    ticked = set(pk_list(request.POST, "application"))  # what was ticked, kept after a refusal
    return render(request, "placements/approve.html", {"waiting": waiting, "form": form, "ticked": ticked})


@dataclass(frozen=True)
class BatchPage:
    name: str  # a key of batch.STEPS
    form: type[StepForm]
    title: str
    button: str
    preset: tuple[str, ...] = ()  # date fields preset to today


BATCH_PAGES = {
    "agree": BatchPage("agree", AgreementForm, "协议签订", "为所选人员记录协议", ("signed_on",)),
    "train": BatchPage("train", TrainingForm, "岗前培训", "为所选人员记录培训"),
    "place": BatchPage("place", PlacementForm, "安排上岗", "安排所选人员上岗"),
}


def _batch_page(request: AuthedRequest, page: BatchPage) -> HttpResponse:
    """The applications waiting for a step, each with a box to tick, and the step's form for all
    the ticked ones together: all of them done, or none and each refusal named."""
    require_role(request.user, Role.CLERK)
    step = batch.STEPS[page.name]
    waiting = CappedPaginator(selectors.applications(user=request.user, step=step.source), 100).get_page(
        request.GET.get("page")
    )
    form = page.form(
        request.POST if request.method == "POST" else None,
        initial=dict.fromkeys(page.preset, views.today()),
        auto_id="batch_%s",
    )
    ticked: set[int] = {a.pk for a in waiting} if request.GET.get("all") else set()
    failures: dict[int, str] = {}
    failure_lines: list[str] = []
    if request.method == "POST":
        chosen = _chosen(request)
        ticked = {a.pk for a in chosen}
        try:
            if not form.is_valid():
                raise ValidationError(error_summary(form))
            batch.step_many(
                name=page.name,
                applications=chosen,
                actor=request.user,
                today=views.today(),
                **form.cleaned_data,
            )
        except batch.BatchRefused as exc:
            failures = {a.pk: reason for a, reason in exc.failures}
            failure_lines = exc.messages
            messages.error(request, f"所选{len(chosen)}人中{len(failures)}人不能办理，全部未作更改。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已为{len(chosen)}人办理：{page.title}。")
            done = urlencode([("done", a.pk) for a in chosen])
            return redirect(f"{reverse(f'placements:batch-{page.name}')}?{done}")
    context = {
        "page": waiting,
        "params": {},
        "form": form,
        "batch": page,
        "step_label": STEP_LABELS[step.source],
        "ticked": ticked,
        "rows": [(a, failures.get(a.pk, "")) for a in waiting],
        "failure_lines": failure_lines,
        "done": pk_list(request.GET, "done"),
        "can_print": step.source != Step.APPROVED,  # from the agreement on, each has one to print
    }
    return render(request, "placements/batch_step.html", context)


@login_required
def batch_agree(request: AuthedRequest) -> HttpResponse:
    """协议签订 for a ticked list of approved applicants."""
    return _batch_page(request, BATCH_PAGES["agree"])


@login_required
def batch_train(request: AuthedRequest) -> HttpResponse:
    """岗前培训 for a ticked list of applicants with a signed agreement."""
    return _batch_page(request, BATCH_PAGES["train"])


@login_required
def batch_place(request: AuthedRequest) -> HttpResponse:
    """安排上岗 for a ticked list of trained applicants."""
    return _batch_page(request, BATCH_PAGES["place"])


AGREEMENTS_PRINT_MAX = 200  # pages in one printout or PDF


def _agreements_document(request: AuthedRequest) -> dict[str, Any]:
    """The latest agreement of each ticked application, to print together (each on its own
    page); the full ID numbers shown are recorded in the audit log, one entry per agreement."""
    require_role(request.user, *views.READERS)
    chosen = _chosen(request, request.POST if request.method == "POST" else request.GET)
    if len(chosen) > AGREEMENTS_PRINT_MAX:
        raise BadRequest(f"一次最多打印{AGREEMENTS_PRINT_MAX}份协议")
    documents, missing = [], []
    for application in chosen:
        agreement = application.agreements.order_by("-number").first()
        if agreement is None:
            missing.append(application.person.name)
            continue
        audit.access(agreement, "打印协议（含完整身份证号）")
        placement = Placement.objects.filter(application=application).first()
        documents.append(
            {
                "application": application,
                "agreement": agreement,
                "county": application.township.county,
                "printed": agreements.agreement_printed(agreement, placement),
            }
        )
    ids = urlencode([("application", a.pk) for a in chosen])
    return {
        "documents": documents,
        "missing": missing,
        "pdf_url": f"{reverse('placements:agreements-pdf')}?{ids}",
    }


@login_required
def agreements_print(request: AuthedRequest) -> HttpResponse:
    return render(request, "placements/agreements_print.html", _agreements_document(request))


@login_required
def agreements_pdf(request: AuthedRequest) -> HttpResponse:
    """The ticked applications' agreements as one PDF, one agreement a page."""
    context = _agreements_document(request)
    return pdf_response(request, "placements/agreements_print.html", context, filename="agreements.pdf")
