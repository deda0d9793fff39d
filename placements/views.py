"""Placement pages: the work queue per role, an application with its whole history and the
next step's action, printable publicity list and agreement, and the alert list. Thin views:
reads through selectors (the scoping gate), writes through services."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit import record as audit
from common import uploads
from common.idcard import IdNumberError, mask_id_number, parse_id_number
from common.listing import export, wants_export
from common.paging import CappedPaginator
from common.params import pk_list, pk_param
from common.pdf import pdf_response
from common.search import searchable
from common.uploads import UploadRefused
from people.models import Person
from posts.models import Announcement, Post
from townships.access import AuthedRequest, has_role, require_role, scope_by_township, visible_townships
from townships.models import Line, Role

from . import agreements, batch, migration_jobs, selectors, services, terms
from .forms import (
    AgreementForm,
    ApproveForm,
    CloseForm,
    ExitForm,
    ExtendForm,
    ObjectionForm,
    ObjectionResolveForm,
    PlacementForm,
    PublicityForm,
    RenewForm,
    ReviewForm,
    StepForm,
    TrainingForm,
    error_summary,
    refusal_add,
)
from .listings import APPLICATIONS, PLACEMENTS
from .migration import COLUMNS, OPTIONAL
from .models import OPEN_STEPS, Application, Objection, Placement, Step
from .procedure import STEP_LABELS, next_step

READERS = (Role.CLERK, Role.HR, Role.FINANCE, Role.AUDITOR, Role.COUNTY_ADMIN)


def today() -> dt.date:
    """The business date of a request (a function, so tests can set it): no step is dated after
    it (docs/policy.md §6.1)."""
    return timezone.localdate()


def _posted_id_number(request: HttpRequest) -> str:
    """The ID number typed into the form, validated before it is looked up: PostgreSQL refuses a
    query with a NUL character (a 500), and a typo deserves the reason rather than "not found"."""
    try:
        return parse_id_number(request.POST.get("id_number", "")).number
    except IdNumberError as exc:
        raise ValidationError(exc.message) from None


def _date(request: HttpRequest, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(request.POST.get(name, ""))
    except ValueError:
        raise ValidationError("请填写正确的日期") from None


@login_required
@searchable
def queue(request: AuthedRequest) -> HttpResponse:
    """The work queue: counts per step, and the applications searched, filtered and sorted."""
    require_role(request.user, *READERS)
    params = APPLICATIONS.params(request.GET)
    params["step"] = params["step"] if params["step"] in STEP_LABELS else ""
    found = APPLICATIONS.queryset(request.user, params)
    if wants_export(request):
        return export(request, APPLICATIONS, params, found)
    context = {
        "counts": selectors.queue_counts(user=request.user),
        "step": params["step"],
        "page": CappedPaginator(found, 50).get_page(request.GET.get("page")),
        "params": params,
        "townships": visible_townships(request.user),
        "lines": Line.choices,
    }
    return render(request, "placements/queue.html", context)


@login_required
@searchable
def placement_list(request: AuthedRequest) -> HttpResponse:
    """在岗人员: placements searched, filtered (township, line, on post or exited), sorted."""
    require_role(request.user, *READERS)
    params = PLACEMENTS.params(request.GET)
    found = PLACEMENTS.queryset(request.user, params)
    if wants_export(request):
        return export(request, PLACEMENTS, params, found)
    context = {
        "page": CappedPaginator(found, 50).get_page(request.GET.get("page")),
        "params": params,
        "townships": visible_townships(request.user),
        "lines": Line.choices,
    }
    return render(request, "placements/placement_list.html", context)


@login_required
def application_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, *READERS)
    return _detail_page(request, selectors.application_get(user=request.user, pk=pk))


def _detail_page(
    request: AuthedRequest, application: Application, bound: dict[str, Any] | None = None
) -> HttpResponse:
    """The application page, each step's form unbound (dates preset to today) unless `bound`
    gives the one just posted back with its errors."""
    following = next_step(application.step)
    placement = Placement.objects.filter(application=application).first()
    day = today()
    forms_ = {
        "approve_form": ApproveForm(initial={"on": day}),
        "agree_form": AgreementForm(initial={"signed_on": day}),
        "train_form": TrainingForm(),
        "place_form": PlacementForm(),
        "close_form": CloseForm(initial={"on": day}),
        "objection_form": ObjectionForm(initial={"raised_on": day}),
        "renew_form": RenewForm(initial={"signed_on": day}),
        "extend_form": ExtendForm(),
        "exit_form": ExitForm(),
    } | (bound or {})
    if not has_role(request.user, Role.CLERK) and not forms_["close_form"].is_bound:
        forms_["close_form"].fields["to"].choices = [(Step.REJECTED, "不予通过")]  # withdrawal is the clerk's
    context = {
        "application": application,
        "masked_id": mask_id_number(application.person.id_number),
        "history": application.history.select_related("actor"),
        "next_label": STEP_LABELS.get(following or "", ""),
        "can_approve": following == Step.APPROVED and has_role(request.user, Role.HR),
        "clerk_next": following if has_role(request.user, Role.CLERK) else None,
        "can_close": application.step in OPEN_STEPS and has_role(request.user, Role.CLERK, Role.HR),
        "agreements": application.agreements.all(),
        "today": day,
        "objections": _objection_forms(application, day, (bound or {}).get("resolve_form")),
        "placement": placement,
        "pay_warnings": agreements.pay_mismatches(application, placement),
        "can_write": has_role(request.user, Role.CLERK, Role.HR),
        "is_hr": has_role(request.user, Role.HR),
        **forms_,
    }
    if context["clerk_next"] == Step.AGREED:
        context["offer"] = agreements.agreement_offer(application, day)
    return render(request, "placements/application_detail.html", context)


def _objection_forms(
    application: Application, day: dt.date, bound: ObjectionResolveForm | None
) -> list[tuple[Objection, ObjectionResolveForm | None]]:
    """Each objection with the form that resolves it (None once resolved)."""
    rows: list[tuple[Objection, ObjectionResolveForm | None]] = []
    for objection in application.objections.all():
        form = None
        if objection.resolved_at is None:
            initial = {"objection": objection.pk, "resolved_on": day, "upheld": "0"}
            form = ObjectionResolveForm(initial=initial, auto_id=f"resolve{objection.pk}_%s")
            if bound is not None and bound.data.get("objection") == str(objection.pk):
                form = bound
        rows.append((objection, form))
    return rows


# One URL per action of the application page. Each reads its form, calls its service, and
# either goes back to the page with the outcome or shows the page again with the form's errors
# next to their fields (and above, in one line, for a screen reader and for a quick look).

Perform = Callable[[AuthedRequest, Application, dict[str, Any]], str]


def _act(request: AuthedRequest, pk: int, form: StepForm, slot: str, perform: Perform) -> HttpResponse:
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
    return _detail_page(request, application, {slot: form})


def _step(name: str) -> Perform:
    def perform(request: AuthedRequest, application: Application, data: dict[str, Any]) -> str:
        batch.step_one(name=name, application=application, actor=request.user, today=today(), **data)
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
            today=today(),
        )
        return f"已办理：{STEP_LABELS[done.step]}。"

    return _act(request, pk, CloseForm(request.POST), "close_form", perform)


@login_required
@require_POST
def objection_record(request: AuthedRequest, pk: int) -> HttpResponse:
    def perform(request: AuthedRequest, application: Application, data: dict[str, Any]) -> str:
        services.objection_record(application=application, actor=request.user, today=today(), **data)
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
            today=today(),
        )
        return "已处理异议。"

    return _act(request, pk, ObjectionResolveForm(request.POST), "resolve_form", perform)


def _placement(application: Application) -> Placement:
    return get_object_or_404(Placement, application=application)


@login_required
@require_POST
def placement_exit(request: AuthedRequest, pk: int) -> HttpResponse:
    def perform(request: AuthedRequest, application: Application, data: dict[str, Any]) -> str:
        terms.placement_exit(placement=_placement(application), actor=request.user, **data)
        return "已办理退出，岗位恢复为空岗，可通过新一轮招聘补充。"

    return _act(request, pk, ExitForm(request.POST), "exit_form", perform)


@login_required
@require_POST
def placement_renew(request: AuthedRequest, pk: int) -> HttpResponse:
    def perform(request: AuthedRequest, application: Application, data: dict[str, Any]) -> str:
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
        require_role(request.user, Role.HR)
        terms.extension_grant(placement=_placement(application), actor=request.user, **data)
        return "已记录补贴期限延长。"

    return _act(request, pk, ExtendForm(request.POST), "extend_form", perform)


def _publicity_document(request: HttpRequest, pk: int) -> dict:
    require_role(request.user, *READERS)
    publicity = selectors.publicity_get(user=request.user, pk=pk)
    rows = [
        {
            "name": a.person.name,
            "masked_id": mask_id_number(a.person.id_number),
            "village": a.post.village.name,
            "post": f"{a.post.duty.name}（{a.post.code}）",
        }
        for a in publicity.applications.select_related("person", "post__village", "post__duty")
    ]
    return {"publicity": publicity, "rows": rows}


@login_required
def publicity_print(request: AuthedRequest, pk: int) -> HttpResponse:
    return render(request, "placements/publicity_print.html", _publicity_document(request, pk))


@login_required
def publicity_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The publicity list as the PDF of its printed page (to post or send on)."""
    context = _publicity_document(request, pk)
    return pdf_response(request, "placements/publicity_print.html", context, filename=f"publicity-{pk}.pdf")


def _agreement_document(request: HttpRequest, pk: int, number: int) -> dict:
    require_role(request.user, *READERS)
    application = selectors.application_get(user=request.user, pk=pk)
    agreement = get_object_or_404(application.agreements, number=number)
    audit.access(agreement, "打印协议（含完整身份证号）")
    placement = Placement.objects.filter(application=application).first()
    return {
        "application": application,
        "agreement": agreement,
        "county": application.township.county,
        "printed": agreements.agreement_printed(agreement, placement),
    }


@login_required
def agreement_print(request: AuthedRequest, pk: int, number: int) -> HttpResponse:
    return render(request, "placements/agreement_print.html", _agreement_document(request, pk, number))


@login_required
def agreement_pdf(request: AuthedRequest, pk: int, number: int) -> HttpResponse:
    """The agreement as the PDF of its printed page (to sign in two copies, or to file)."""
    context = _agreement_document(request, pk, number)
    name = f"agreement-{context['application'].township.code}-{pk}-{number}.pdf"
    return pdf_response(request, "placements/agreement_print.html", context, filename=name)


@login_required
def alert_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    kind = request.GET.get("kind", "")
    kind = kind if kind in terms.ALERT_KINDS else ""
    found = selectors.alerts(user=request.user, today=today(), kind=kind)
    context = {
        "page": Paginator(found, 100).get_page(request.GET.get("page")),  # type: ignore[arg-type]  # Alerts has len() and slicing, all a Paginator uses
        "kinds": terms.ALERT_KINDS,
        "kind": kind,
        "params": {"kind": kind},
    }
    return render(request, "placements/alerts.html", context)


# Clerk's round: apply, democratic review, publicity; HR's list approval; life on the post.


def _ids(request: HttpRequest, name: str) -> list[int]:
    """The ids ticked in a list form; anything that cannot be an id is ignored (never a 500)."""
    return pk_list(request.POST, name)


def _clerk(request: HttpRequest):  # type: ignore[no-untyped-def]
    return require_role(request.user, Role.CLERK)


@login_required
def apply(request: AuthedRequest) -> HttpResponse:
    """报名申请: a registered person of the township applies for a post of an open announcement."""
    membership = _clerk(request)
    township = membership.township
    day = today()
    announcements = Announcement.objects.filter(
        county=township.county, deadline__gte=day - dt.timedelta(days=366)
    )
    posts = Post.objects.filter(township=township, status=Post.Status.VACANT, announcements__in=announcements)
    if request.method == "POST":
        try:
            announcement = get_object_or_404(announcements, pk=pk_param(request.POST, "announcement"))
            post = get_object_or_404(posts.distinct(), pk=pk_param(request.POST, "post"))
            number = _posted_id_number(request)
            person = scope_by_township(request.user, Person.objects.filter(id_number=number)).first()
            if person is None:
                raise ValidationError(f"本乡镇（街道）没有身份证号为{number}的登记人员，请先登记人员")
            made = services.application_create(
                person=person,
                post=post,
                announcement=announcement,
                actor=request.user,
                on=_date(request, "on") if request.POST.get("on") else day,
                today=day,
            )
            messages.success(request, f"{person.name}已报名岗位{post.code}。")
            return redirect("placements:application-detail", pk=made.pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    context = {
        "announcements": announcements,
        "posts": posts.distinct().select_related("village", "duty"),
        "today": day,
    }
    return render(request, "placements/apply.html", context)


@login_required
def review(request: AuthedRequest) -> HttpResponse:
    """民主评议: one meeting of a village, a result per applicant of that village."""
    _clerk(request)
    waiting = selectors.applications(user=request.user, step=Step.APPLIED)
    form = ReviewForm(request.POST, request.FILES) if request.method == "POST" else ReviewForm()
    if request.method == "POST":
        chosen = list(waiting.filter(pk__in=_ids(request, "application")))
        if form.is_valid():
            try:
                count = _review_record(request, chosen, form.cleaned_data)
            except ValidationError as exc:
                refusal_add(form, exc)
            else:
                messages.success(request, f"已记录民主评议，共{count}人。")
                return redirect("placements:queue")
        messages.error(request, error_summary(form))
    return render(request, "placements/review.html", {"waiting": waiting, "form": form})


def _review_record(request: AuthedRequest, chosen: list[Application], data: dict[str, Any]) -> int:
    if not chosen:
        raise ValidationError("请至少选择一名评议对象")
    villages = {a.post.village for a in chosen}
    if len(villages) != 1:
        raise ValidationError("一次民主评议只能评议同一村（社区）的申请人")
    outcomes = [
        services.ReviewOutcome(
            a, request.POST.get(f"passed_{a.pk}") == "1", request.POST.get(f"note_{a.pk}", "")
        )
        for a in chosen
    ]
    minutes = data["minutes"]
    services.review_record(
        village=villages.pop(),
        meeting_date=data["meeting_date"],
        participants=data["participants"],
        minutes_name=minutes.name if minutes else "",
        minutes=minutes,
        outcomes=outcomes,
        actor=request.user,
        today=today(),
    )
    return len(outcomes)


@login_required
def publicity_new(request: AuthedRequest) -> HttpResponse:
    """审核公示: publish the reviewed applicants; the end date follows the working-day calendar."""
    _clerk(request)
    waiting = selectors.applications(user=request.user, step=Step.REVIEWED)
    form = PublicityForm(request.POST if request.method == "POST" else None, initial={"start": today()})
    if request.method == "POST":
        chosen = list(waiting.filter(pk__in=_ids(request, "application")))
        if form.is_valid():
            try:
                made = services.publicity_start(
                    applications=chosen,
                    start=form.cleaned_data["start"],
                    actor=request.user,
                    entered_on=today(),
                )
            except ValidationError as exc:
                refusal_add(form, exc)
            else:
                messages.success(request, f"已公示{len(chosen)}人：{made.start_date}至{made.end_date}。")
                return redirect("placements:publicity-print", pk=made.pk)
        messages.error(request, error_summary(form))
    return render(request, "placements/publicity_new.html", {"waiting": waiting, "form": form})


# Lists: a step for many ticked applications at once (docs/policy.md §5.6, §5.10).

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
    form = ApproveForm(request.POST if request.method == "POST" else None, initial={"on": today()})
    if request.method == "POST":
        chosen = _chosen(request)
        if not form.is_valid():
            messages.error(request, error_summary(form))
        elif not chosen:
            messages.error(request, "请选择要审批的人员")
        else:
            outcome = batch.step_each(
                name="approve", applications=chosen, actor=request.user, today=today(), **form.cleaned_data
            )
            if outcome.done:
                messages.success(request, f"审批通过{len(outcome.done)}人。")
            for _application, reason in outcome.refused:
                messages.error(request, reason)
    return render(request, "placements/approve.html", {"waiting": waiting, "form": form})


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
    _clerk(request)
    step = batch.STEPS[page.name]
    waiting = CappedPaginator(selectors.applications(user=request.user, step=step.source), 100).get_page(
        request.GET.get("page")
    )
    form = page.form(
        request.POST if request.method == "POST" else None,
        initial=dict.fromkeys(page.preset, today()),
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
                name=page.name, applications=chosen, actor=request.user, today=today(), **form.cleaned_data
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
    require_role(request.user, *READERS)
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


@login_required
def migration_upload(request: AuthedRequest) -> HttpResponse:
    """新老衔接 for HR: upload the existing holders; a background job checks them (or, with 导入
    chosen, imports them) and its page shows the result."""
    membership = require_role(request.user, Role.HR)
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise UploadRefused("请选择要上传的文件")
            token = uploads.keep(upload)
        except UploadRefused as exc:
            messages.error(request, str(exc))
        else:
            job = migration_jobs.placements_import_start(
                user=request.user,
                county=membership.county,  # type: ignore[arg-type]  # HR (required above) has a county
                token=token,
                dry_run=request.POST.get("commit") != "1",
            )
            messages.success(request, f"已开始{job.title}，可以离开本页，稍后在“我的任务”中查看结果。")
            return redirect("workspace:job-detail", pk=job.pk)
    return render(request, "placements/migration_upload.html", {"columns": COLUMNS + OPTIONAL})
