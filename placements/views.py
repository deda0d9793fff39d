"""Placement pages: the work queue per role, an application with its whole history and the
next step's action, printable publicity list and agreement, and the alert list. Thin views:
reads through selectors (the scoping gate), writes through services."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
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

from . import agreements, migration_jobs, selectors, services, terms
from .forms import AgreementForm, TrainingForm, cleaned
from .listings import APPLICATIONS, PLACEMENTS
from .migration import COLUMNS, OPTIONAL
from .models import OPEN_STEPS, ExitReason, Placement, Referral, Step
from .procedure import STEP_LABELS, next_step

READERS = (Role.CLERK, Role.HR, Role.FINANCE, Role.AUDITOR, Role.COUNTY_ADMIN)


def today() -> dt.date:
    """The business date of a request (a function, so tests can set it): no step is dated after
    it (docs/policy.md §6.1)."""
    return timezone.localdate()


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
    application = selectors.application_get(user=request.user, pk=pk)
    following = next_step(application.step)
    placement = Placement.objects.filter(application=application).first()
    context = {
        "application": application,
        "masked_id": mask_id_number(application.person.id_number),
        "history": application.history.select_related("actor"),
        "next_label": STEP_LABELS.get(following or "", ""),
        "can_approve": following == Step.APPROVED and has_role(request.user, Role.HR),
        "clerk_next": following if has_role(request.user, Role.CLERK) else None,
        "can_close": application.step in OPEN_STEPS and has_role(request.user, Role.CLERK, Role.HR),
        "agreements": application.agreements.all(),
        "today": today(),
        "objections": application.objections.all(),
        "placement": placement,
        "pay_warnings": agreements.pay_mismatches(application, placement),
        "exit_reasons": ExitReason.choices,
        "referrals": Referral.choices,
        "can_write": has_role(request.user, Role.CLERK, Role.HR),
        "is_hr": has_role(request.user, Role.HR),
    }
    if context["clerk_next"] == Step.AGREED:
        context["offer"] = agreements.agreement_offer(application, today())
    return render(request, "placements/application_detail.html", context)


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
@require_POST
def application_act(request: AuthedRequest, pk: int) -> HttpResponse:
    """The next step from the application page: approve (HR), agreement, training, placement
    (clerk), or reject / withdraw with a reason."""
    require_role(request.user, Role.CLERK, Role.HR)
    application = selectors.application_get(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "approve":
            result = services.approve(
                applications=[application], actor=request.user, on=_date(request, "on"), today=today()
            )
            if result.refused:
                raise ValidationError(result.refused[0][1])
        elif action == "agree":
            data = cleaned(AgreementForm(request.POST))
            services.agreement_sign(application=application, actor=request.user, today=today(), **data)
        elif action == "train":
            data = cleaned(TrainingForm(request.POST))
            services.training_record(application=application, actor=request.user, today=today(), **data)
        elif action == "place":
            services.placement_start(
                application=application, on_post_date=_date(request, "on"), actor=request.user, today=today()
            )
        elif action in (Step.REJECTED, Step.WITHDRAWN):
            services.application_close(
                application=application,
                to=action,
                reason=request.POST.get("reason", ""),
                actor=request.user,
                on=_date(request, "on"),
                today=today(),
            )
        else:
            raise ValidationError("未知的操作")
        messages.success(
            request, f"已办理：{STEP_LABELS[selectors.application_get(user=request.user, pk=pk).step]}。"
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("placements:application-detail", pk=pk)


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
    if request.method == "POST":
        chosen = list(waiting.filter(pk__in=_ids(request, "application")))
        try:
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
            minutes = request.FILES.get("minutes")
            services.review_record(
                village=villages.pop(),
                meeting_date=_date(request, "meeting_date"),
                participants=request.POST.get("participants", ""),
                minutes_name=minutes.name if minutes else "",  # type: ignore[arg-type]  # an uploaded file has a name
                minutes=minutes,
                outcomes=outcomes,
                actor=request.user,
                today=today(),
            )
            messages.success(request, f"已记录民主评议，共{len(outcomes)}人。")
            return redirect("placements:queue")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return render(request, "placements/review.html", {"waiting": waiting})


@login_required
def publicity_new(request: AuthedRequest) -> HttpResponse:
    """审核公示: publish the reviewed applicants; the end date follows the working-day calendar."""
    _clerk(request)
    waiting = selectors.applications(user=request.user, step=Step.REVIEWED)
    if request.method == "POST":
        chosen = list(waiting.filter(pk__in=_ids(request, "application")))
        try:
            made = services.publicity_start(
                applications=chosen, start=_date(request, "start"), actor=request.user, entered_on=today()
            )
            messages.success(request, f"已公示{len(chosen)}人：{made.start_date}至{made.end_date}。")
            return redirect("placements:publicity-print", pk=made.pk)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return render(request, "placements/publicity_new.html", {"waiting": waiting, "today": today()})


@login_required
def approve_list(request: AuthedRequest) -> HttpResponse:
    """区级审批 of a list: HR ticks the publicized applicants and approves them at once."""
    require_role(request.user, Role.HR)
    waiting = selectors.applications(user=request.user, step=Step.PUBLICIZED).select_related("publicity")
    result = None
    if request.method == "POST":
        chosen = list(waiting.filter(pk__in=_ids(request, "application")))
        try:
            if not chosen:
                raise ValidationError("请选择要审批的人员")
            result = services.approve(
                applications=chosen, actor=request.user, on=_date(request, "on"), today=today()
            )
            if result.approved:
                messages.success(request, f"审批通过{len(result.approved)}人。")
            for _application, reason in result.refused:
                messages.error(request, reason)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return render(
        request, "placements/approve.html", {"waiting": waiting, "today": today(), "result": result}
    )


@login_required
@require_POST
def objection(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.CLERK, Role.HR)
    application = selectors.application_get(user=request.user, pk=pk)
    try:
        if request.POST.get("objection"):
            found = get_object_or_404(application.objections, pk=pk_param(request.POST, "objection"))
            services.objection_resolve(
                objection=found,
                upheld=request.POST.get("upheld") == "1",
                resolution=request.POST.get("resolution", ""),
                actor=request.user,
                on=_date(request, "resolved_on") if request.POST.get("resolved_on") else None,
                today=today(),
            )
            messages.success(request, "已处理异议。")
        else:
            services.objection_record(
                application=application,
                raised_on=_date(request, "raised_on"),
                content=request.POST.get("content", ""),
                actor=request.user,
                today=today(),
            )
            messages.success(request, "已记录异议。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("placements:application-detail", pk=pk)


@login_required
@require_POST
def placement_act(request: AuthedRequest, pk: int) -> HttpResponse:
    """Life on the post from the application page: exit, renewal, extension."""
    require_role(request.user, Role.CLERK, Role.HR)
    application = selectors.application_get(user=request.user, pk=pk)
    placement = get_object_or_404(Placement, application=application)
    action = request.POST.get("action", "")
    try:
        if action == "exit":
            terms.placement_exit(
                placement=placement,
                exit_date=_date(request, "exit_date"),
                reason=request.POST.get("reason", ""),
                referral=request.POST.get("referral", ""),
                note=request.POST.get("note", ""),
                referral_note=request.POST.get("referral_note", ""),
                actor=request.user,
            )
            messages.success(request, "已办理退出，岗位恢复为空岗，可通过新一轮招聘补充。")
        elif action == "renew":
            made = terms.agreement_renew(
                placement=placement, signed_on=_date(request, "signed_on"), actor=request.user
            )
            messages.success(request, f"已续签第{made.number}份协议：{made.start_date}至{made.end_date}。")
            if lost := terms.months_beyond_back_pay(placement, made.start_date):
                named = "、".join(f"{m:%Y年%m月}" for m in lost)
                messages.warning(
                    request, f"注意：{named}已锁定且超出补发期限（12个月），续签后不再补发这些月份。"
                )
        elif action == "extend":
            require_role(request.user, Role.HR)
            terms.extension_grant(
                placement=placement,
                until=_date(request, "until"),
                document=request.POST.get("document", ""),
                actor=request.user,
            )
            messages.success(request, "已记录补贴期限延长。")
        else:
            raise ValidationError("未知的操作")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("placements:application-detail", pk=pk)


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
