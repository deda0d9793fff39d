"""People pages: list, detail with eligibility, add/edit, applicant import, rosters. Thin views:
scope through townships.access / selectors, write through services."""

import datetime as dt
import io
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit import record as audit
from common import uploads
from common.jobs import job_of_upload
from common.listing import export, wants_export
from common.models import Job
from common.paging import CappedPaginator
from common.params import date_param
from common.search import searchable
from townships.access import (
    Act,
    AuthedRequest,
    act_township,
    has_role,
    is_agency,
    require_role,
    visible_counties,
    visible_townships,
)
from townships.models import County, Line, Role, Township

from . import bank, import_jobs, imports, roster_jobs, selectors, services
from .eligibility import eligibility_check
from .forms import ClaimDecisionForm, ImportUploadForm, PersonForm, RosterUploadForm
from .listings import PEOPLE, person_rows
from .models import BankAccountChange, GroupClaim, Person, Roster, TargetGroup
from .rosters import roster_match_stats

READERS = (Role.CLERK, Role.HR, Role.FINANCE, Role.AUDITOR, Role.COUNTY_ADMIN)


@login_required
@searchable
def person_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, *READERS)
    params = PEOPLE.params(request.GET)
    people = PEOPLE.queryset(request.user, params)
    if wants_export(request):
        return export(request, PEOPLE, params, people)
    page = CappedPaginator(people, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": person_rows(page.object_list),
        "params": params,
        "groups": TargetGroup.choices,
        "statuses": GroupClaim.Status.choices,
        "townships": visible_townships(request.user),
        "can_add": has_role(request.user, Role.CLERK),
    }
    return render(request, "people/person_list.html", context)


@login_required
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, *READERS)
    return _person_page(request, selectors.person_get(user=request.user, pk=pk))


def _person_page(request: AuthedRequest, person: Person, kept: dict[str, str] | None = None) -> HttpResponse:
    """The person's page; `kept`: what was typed in a decision refused, shown again (issue 19)."""
    audit.access(person, "查看人员详情（完整身份证号、银行账号）")
    on = date_param(request.GET, "on", dt.date.today(), low=person.birth_date)  # judged while alive
    county = person.township.county
    verdicts = [
        (Line(line).label, eligibility_check(person=person, line=line, county=county, on=on)) for line in Line
    ]
    context: dict[str, Any] = {
        "person": person,
        "verdicts": verdicts,
        "on": on,
        "claims": person.claims.all(),
        "can_edit": has_role(request.user, Role.CLERK),
        "can_decide": has_role(request.user, Role.HR),
        "decision_form": ClaimDecisionForm(),
        "bank_changes": person.bank_changes.select_related("requested_by", "decided_by")[:20],
        "kept": kept or {},
    }
    waiting = next((c for c in context["bank_changes"] if c.state == BankAccountChange.State.PENDING), None)
    context["bank_waiting"] = waiting
    context["bank_can_confirm"] = waiting is not None and bank.may_confirm(request.user, waiting)
    context["bank_can_withdraw"] = waiting is not None and waiting.requested_by_id == request.user.pk
    return render(request, "people/person_detail.html", context)


def _person_form_view(request: AuthedRequest, person: Person | None) -> HttpResponse:
    if person is None:  # 申请人录入: a clerk, or a contracted agency's staff (docs/policy.md §1.5)
        township = act_township(request.user, Act.APPLICANTS, request.GET.get("township", ""))
    else:
        township = cast(Township, require_role(request.user, Role.CLERK).township)  # a clerk's township
    initial = _person_initial(person) if person else None
    form = PersonForm(request.POST if request.method == "POST" else None, township=township, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if person is None:
                person = services.person_create(township=township, data=form.person_data())
                messages.success(request, f"已登记 {person.name}。")
                if is_agency(request.user):  # the agency enters applicants; it reads no person page
                    return redirect("placements:apply-pick")
            else:
                person = services.person_update(person=person, data=form.person_data(), actor=request.user)
                messages.success(request, f"已保存 {person.name} 的信息。")
                if selectors.bank_change_waiting(person=person, entered_by=request.user):
                    messages.info(request, "新的银行账号已录入，须由本乡镇其他经办人或区人社局确认后生效。")
            return redirect("people:person-detail", pk=person.pk)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
    return render(request, "people/person_form.html", {"form": form, "person": person})


def _person_initial(person: Person) -> dict:
    return {
        "name": person.name,
        "id_number": person.id_number,
        "village": person.village.name,
        "groups": [c.group for c in person.claims.all()],
        "phone": person.phone,
        "address": person.address,
        "household_no": person.household_no,
        "retirement_category": person.retirement_category,
        "bank_account": person.bank_account,
        "bank_name": person.bank_name,
        "note": person.note,
    }


@login_required
def person_create(request: AuthedRequest) -> HttpResponse:
    return _person_form_view(request, None)


@login_required
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.CLERK)
    person = selectors.person_get(user=request.user, pk=pk)
    if request.method == "GET":
        audit.access(person, "打开人员修改表（完整身份证号、银行账号）")
    return _person_form_view(request, person)


@login_required
@require_POST
def bank_change_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    """Confirm (a second person) or send back a waiting bank-account change."""
    require_role(request.user, Role.CLERK, Role.HR)
    change = selectors.bank_change_get(user=request.user, pk=pk)
    confirm = request.POST.get("decision") == "confirm"
    try:
        bank.bank_change_decide(
            change=change, confirm=confirm, actor=request.user, note=request.POST.get("note", "")[:200]
        )
        messages.success(
            request, "银行账号变更已确认，此后的发放使用新账号。" if confirm else "已退回该变更。"
        )
    except ValidationError as exc:  # the page again, with the note typed
        messages.error(request, "；".join(exc.messages))
        return _person_page(request, change.person, {"bank_note": request.POST.get("note", "")[:200]})
    return redirect("people:person-detail", pk=change.person_id)


@login_required
@require_POST
def claim_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.HR)
    claim = selectors.claim_get(user=request.user, pk=pk)
    form = ClaimDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.claim_decide(claim=claim, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已认定「{claim.get_group_display()}」。")
            return redirect("people:person-detail", pk=claim.person_id)
    else:
        messages.error(request, "请选择认定结果并填写认定说明。")
    typed = {name: request.POST.get(name, "")[:200] for name in ("accepted", "note")}
    return _person_page(request, claim.person, {"claim": str(claim.pk), **typed})


# Applicant import: upload → check (a background job) → preview → confirm → import (a background
# job). The file waits in the storage's imports/ (common.uploads.keep) until imported or refused.


def _preview_job(request: AuthedRequest, token: str) -> tuple[Job, Township]:
    """The check of the file `token` and its township: only for the user who uploaded it, in
    that session, while they may still import applicants there (a clerk of the township, or an
    agency's staff under a running contract granting it: docs/policy.md §1.5)."""
    pending = request.session.get("applicant_imports", {})
    if not uploads.TOKEN.fullmatch(token) or token not in pending:  # 32 hex digits reach a query
        raise Http404("导入文件不存在或已过期")
    township = act_township(request.user, Act.APPLICANTS, pending[token])
    job = job_of_upload(user=request.user, kind=Job.Kind.APPLICANT_PREVIEW, token=token)
    if township.code != pending[token] or job is None:
        raise Http404("导入文件不存在或已过期")
    return job, township


@login_required
def import_upload(request: AuthedRequest) -> HttpResponse:
    """申请人导入: a clerk's township, or an agency's contracted township (?township=)."""
    township = act_township(request.user, Act.APPLICANTS, request.GET.get("township", ""))
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        token = uploads.keep(form.cleaned_data["file"])
        request.session.setdefault("applicant_imports", {})[token] = township.code
        request.session.modified = True
        import_jobs.applicant_preview_start(user=request.user, township=township, token=token)
        return redirect("people:import-preview", token=token)
    return render(request, "people/import_upload.html", {"form": form, "township": township})


@login_required
def import_preview(request: AuthedRequest, token: str) -> HttpResponse:
    """The check's progress while it runs, then its result: the rows, or every problem."""
    job, township = _preview_job(request, token)
    context = {"job": job, "result": job.params.get("result"), "token": token, "township": township}
    return render(request, "people/import_preview.html", context)


@login_required
@require_POST
def import_confirm(request: AuthedRequest, token: str) -> HttpResponse:
    """Import the checked file in the background; its page shows the progress and the result. A
    second confirmation of the same file shows the job the first one started."""
    job, township = _preview_job(request, token)
    result = job.params.get("result") or {}
    if not result.get("ok"):
        raise Http404("该文件未通过检查，不能导入")
    job, started = import_jobs.applicant_import_start(
        user=request.user, township=township, token=token, rows=result.get("total", 0)
    )
    if started:
        messages.success(
            request, f"已开始导入{township.name}的申请人，可以离开本页，稍后在“我的任务”中查看结果。"
        )
    else:
        messages.info(request, "这个文件已经确认导入过，以下是那次导入的任务。")
    return redirect("workspace:job-detail", pk=job.pk)


@login_required
def import_errors(request: AuthedRequest, token: str) -> FileResponse:
    job, _township = _preview_job(request, token)
    if not job.file:
        raise Http404("没有错误报告")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename="import-errors.xlsx")


@login_required
def import_template(request: AuthedRequest) -> FileResponse:
    if not has_role(request.user, Role.HR):
        act_township(request.user, Act.APPLICANTS)  # a clerk, or an agency granted applicant entry
    buffer = io.BytesIO()
    imports.template_workbook_write(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename="applicants-template.xlsx")


@login_required
def roster_list(request: AuthedRequest) -> HttpResponse:
    """Rosters and match statistics; HR uploads a roster, which a background job imports."""
    membership = require_role(request.user, Role.HR, Role.AUDITOR, Role.COUNTY_ADMIN)
    counties = visible_counties(request.user)
    can_upload = membership.role == Role.HR
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_upload:
            raise Http404("无权导入名单")
        if form.is_valid():
            upload, data = form.cleaned_data["file"], form.cleaned_data
            job = roster_jobs.roster_import_start(
                user=request.user,
                county=cast(County, membership.county),
                kind=data["kind"],
                roster_date=data["roster_date"],
                file_name=upload.name,
                token=uploads.keep(upload),
            )
            messages.success(request, f"已开始{job.title}，可以离开本页，稍后在“我的任务”中查看结果。")
            return redirect("workspace:job-detail", pk=job.pk)
    return render(request, "people/roster_list.html", _roster_context(counties, form, can_upload))


def _roster_context(counties, form, can_upload) -> dict:
    stats = []
    for county in counties:
        for row in roster_match_stats(county):
            stats.append({"county": county.name, "group": TargetGroup(row.pop("group")).label, **row})
    rosters = Roster.objects.filter(county__in=counties).select_related("county")[:50]
    return {"rosters": rosters, "stats": stats, "form": form, "can_upload": can_upload}
