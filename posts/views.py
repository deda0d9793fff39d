"""Pages about plans and posts. Thin: scope through townships.access, read through selectors."""

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from common.listing import export, wants_export
from common.paging import CappedPaginator
from common.pdf import pdf_response
from common.search import searchable
from townships.access import (
    AuthedRequest,
    get_county_or_404,
    get_township_or_404,
    has_role,
    require_role,
    scope_by_county,
    scope_by_township,
    visible_counties,
    visible_townships,
)
from townships.models import Line, Plan, Role

from .exports import plan_filename, plan_workbook_write
from .forms import AnnouncementForm, PostForm
from .listings import POSTS
from .models import Announcement, Post
from .selectors import plan_report, plan_report_table
from .services import announcement_publish, post_create


def today() -> dt.date:
    """The business date of a request (a function, so tests can set it): an announcement is
    published on the day it is entered."""
    return timezone.localdate()


def _scoped_plan(request: HttpRequest, county_code: str, year: int) -> Plan:
    county = get_county_or_404(request.user, county_code)
    return get_object_or_404(Plan.objects.select_related("county"), county=county, year=year)


@login_required
def plan_detail(request: AuthedRequest, county_code: str, year: int) -> HttpResponse:
    plan = _scoped_plan(request, county_code, year)
    report = plan_report(plan=plan, townships=visible_townships(request.user))
    headers, rows, totals = plan_report_table(report)
    return render(
        request,
        "posts/plan_detail.html",
        {"report": report, "headers": headers, "rows": rows, "totals": totals},
    )


@login_required
def plan_download(request: AuthedRequest, county_code: str, year: int) -> FileResponse:
    plan = _scoped_plan(request, county_code, year)
    report = plan_report(plan=plan, townships=visible_townships(request.user))
    buffer = io.BytesIO()
    plan_workbook_write(report=report, target=buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=plan_filename(report))


# Posts and announcements.


def _writer(request: HttpRequest):
    return require_role(request.user, Role.CLERK, Role.HR)


@login_required
@searchable
def post_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.CLERK, Role.HR, Role.FINANCE, Role.AUDITOR, Role.COUNTY_ADMIN)
    params = POSTS.params(request.GET)
    posts = POSTS.queryset(request.user, params)
    if wants_export(request):
        return export(request, POSTS, params, posts)
    can_open = has_role(request.user, Role.CLERK, Role.HR)
    return _post_list_page(
        request, params, PostForm(townships=visible_townships(request.user)) if can_open else None
    )


def _post_list_page(request: AuthedRequest, params: dict[str, str], form: PostForm | None) -> HttpResponse:
    """The list, and the form that opens posts (bound to what was typed, after a refusal)."""
    posts = POSTS.queryset(request.user, params)
    townships = visible_townships(request.user)
    context = {
        "page": CappedPaginator(posts, 50).get_page(request.GET.get("page")),
        "form": form,
        "params": params,
        "statuses": Post.Status.choices,
        "townships": townships,
        "lines": Line.choices,
    }
    return render(request, "posts/post_list.html", context)


@login_required
@require_POST
def post_open(request: AuthedRequest) -> HttpResponse:
    _writer(request)
    townships = visible_townships(request.user)
    form = PostForm(request.POST, townships=townships)
    if not form.is_valid():
        messages.error(
            request,
            "请检查岗位信息：" + "；".join(e for errs in form.errors.values() for e in errs),  # type: ignore[misc]  # form.errors holds message strings
        )
        return _post_list_page(request, POSTS.params(request.GET), form)  # what was typed, kept
    data = form.cleaned_data
    township = get_township_or_404(request.user, data["township"])
    village = township.villages.filter(name=data["village"].strip()).first()
    if village is None:
        form.add_error("village", f"「{data['village']}」不是{township.name}的村（社区）")
        messages.error(request, f"「{data['village']}」不是{township.name}的村（社区）")
        return _post_list_page(request, POSTS.params(request.GET), form)
    try:
        with transaction.atomic():
            made = [
                post_create(
                    township=township,
                    village=village,
                    line=data["line"],
                    year=data["year"],
                    duty=data["duty"],
                    department=data["department"],
                    kind=data["kind"],
                )
                for _ in range(data["count"])
            ]
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return _post_list_page(request, POSTS.params(request.GET), form)
    messages.success(request, f"已开设岗位 {len(made)} 个：{made[0].code} 等。")
    return redirect("posts:post-list")


@login_required
def announcement_list(request: AuthedRequest) -> HttpResponse:
    membership = require_role(request.user, Role.CLERK, Role.HR, Role.AUDITOR, Role.COUNTY_ADMIN)
    announcements = scope_by_county(request.user, Announcement.objects.select_related("county", "township"))
    can_publish = membership.role == Role.HR or (
        membership.role == Role.CLERK and membership.township.county.township_may_announce  # type: ignore[union-attr]  # a clerk has a township
    )
    form = None
    if can_publish:
        vacant = scope_by_township(request.user, Post.objects.filter(status=Post.Status.VACANT))
        form = AnnouncementForm(request.POST or None, posts=vacant.select_related("village", "duty"))
        if request.method == "POST" and form.is_valid():
            county = visible_counties(request.user).first()
            try:
                made = announcement_publish(
                    county=county,  # type: ignore[arg-type]  # a clerk or HR member sees their county
                    title=form.cleaned_data["title"],
                    deadline=form.cleaned_data["deadline"],
                    posts=list(form.cleaned_data["posts"]),
                    body=form.cleaned_data["body"],
                    actor=request.user,
                    today=today(),
                )
                messages.success(request, f"已发布公告：{made.title}")
                return redirect("posts:announcement-detail", pk=made.pk)
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
    context = {"announcements": announcements[:100], "form": form}
    return render(request, "posts/announcement_list.html", context)


def _announcement_document(request: HttpRequest, pk: int) -> dict:
    require_role(request.user, Role.CLERK, Role.HR, Role.FINANCE, Role.AUDITOR, Role.COUNTY_ADMIN)
    announcement = get_object_or_404(scope_by_county(request.user, Announcement.objects.all()), pk=pk)
    posts = scope_by_township(
        request.user, announcement.posts.select_related("township", "village", "duty__category")
    )
    return {"announcement": announcement, "posts": posts}


@login_required
def announcement_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return render(request, "posts/announcement_detail.html", _announcement_document(request, pk))


@login_required
def announcement_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The announcement as the PDF of its printed page (to post up or send to the townships)."""
    context = _announcement_document(request, pk)
    return pdf_response(request, "posts/announcement_detail.html", context, filename=f"announcement-{pk}.pdf")
