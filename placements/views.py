"""Placement pages: the work queue per role, an application with its whole history and the
forms of its next steps (each posted to its own address, placements/step_views.py), the clerk's
round (apply, review, publicity), printable publicity list and agreement, and the alert list.
The steps for a ticked list are placements/batch_views.py. Thin views: reads through selectors
(the scoping gate), writes through services."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

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
from townships.access import (
    Act,
    AuthedRequest,
    act_township,
    has_role,
    is_agency,
    require_role,
    scope_by_township,
    visible_townships,
)
from townships.models import Line, Role

from . import agreements, migration_jobs, selectors, services, terms
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
    return detail_page(request, selectors.application_get(user=request.user, pk=pk))


def detail_page(
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
        "actions": _alert_actions(request.user),
    }
    return render(request, "placements/alerts.html", context)


def _alert_actions(user: User | AnonymousUser) -> dict[str, list[tuple[str, str]]]:
    """Per kind of alert, the (action, label) it calls for that `user` may do (docs/policy.md §7.6);
    empty for a reader who may do none."""
    allowed = {action for action, roles in terms.ACTION_ROLES.items() if has_role(user, *roles)}
    offered = {
        kind: [(action, terms.ACTION_LABELS[action]) for action in actions if action in allowed]
        for kind, actions in terms.ALERT_ACTIONS.items()
    }
    return {kind: actions for kind, actions in offered.items() if actions}


# Clerk's round: apply, democratic review, publicity; HR's list approval; life on the post.


def _ids(request: HttpRequest, name: str) -> list[int]:
    """The ids ticked in a list form; anything that cannot be an id is ignored (never a 500)."""
    return pk_list(request.POST, name)


def _clerk(request: HttpRequest):
    return require_role(request.user, Role.CLERK)


@login_required
def apply(request: AuthedRequest) -> HttpResponse:
    """报名申请: a registered person of the township applies for a post of an open announcement."""
    # a clerk, or a contracted agency's staff in a township of its contract (docs/policy.md §1.5)
    township = act_township(request.user, Act.APPLICANTS, request.GET.get("township", ""))
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
            if is_agency(request.user):  # the agency enters applicants; it reads no application page
                return redirect(request.get_full_path())
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
    return render(request, "placements/review.html", {"waiting": _rows_kept(request, waiting), "form": form})


def _rows_kept(request: HttpRequest, waiting: Any) -> list[Application]:
    """The rows of a list form, each with what was ticked, chosen and typed for it before a
    refusal (`kept_ticked`, `kept_passed`, `kept_note`), so nothing has to be entered again (issue 19)."""
    ticked = set(_ids(request, "application"))
    rows = list(waiting)
    for row in rows:
        row.kept_ticked = row.pk in ticked
        row.kept_passed = request.POST.get(f"passed_{row.pk}", "1")
        row.kept_note = request.POST.get(f"note_{row.pk}", "")[:200]
    return rows


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
    ticked = set(_ids(request, "application")) if request.method == "POST" else None  # None: all, at first
    return render(
        request, "placements/publicity_new.html", {"waiting": waiting, "form": form, "ticked": ticked}
    )


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
    context = {"columns": COLUMNS + OPTIONAL, "commit": request.POST.get("commit", "0")}  # 导入 kept
    return render(request, "placements/migration_upload.html", context)
