"""The county's pay policies (docs/policy.md §8.1): the list per line with their periods, a policy
added or corrected on a form, and the county's policies from a sheet (preview first, then all or
nothing). County roles read; HR and the county administrator write. The county comes through the
gate (townships.access): another county, or another county's policy, answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from common.imports import Checked, template_response
from townships.access import COUNTY_ROLES, AuthedRequest, get_county_or_404, has_role, require_role
from townships.models import County, Line, Role

from . import policy_sheet
from .models import MinimumWage, SubsidyPolicy
from .policies import policy_save
from .policy_forms import PolicyForm, PolicyUploadForm

WRITERS = (Role.HR, Role.COUNTY_ADMIN)


def _county(request: AuthedRequest, code: str, *roles: str) -> County:
    require_role(request.user, *(roles or COUNTY_ROLES))
    return get_county_or_404(request.user, code)


@login_required
def policy_list(request: AuthedRequest, county_code: str) -> HttpResponse:
    county = _county(request, county_code)
    policies = SubsidyPolicy.objects.filter(county=county).order_by("-valid_from")
    context = {
        "county": county,
        "lines": [(label, [p for p in policies if p.line == line]) for line, label in Line.choices],
        "wages": MinimumWage.objects.filter(county=county).order_by("-valid_from"),
        "can_write": has_role(request.user, *WRITERS),
    }
    return render(request, "subsidies/policy_list.html", context)


def _saved(request: AuthedRequest, form: PolicyForm) -> bool:
    """Save the form's policy through the service; its late refusal (a race) shown on the form."""
    try:
        saved = policy_save(policy=form.instance)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return False
    messages.success(request, saved.message)
    for warning in saved.warnings:
        messages.warning(request, f"注意：{warning}")
    return True


@login_required
def policy_new(request: AuthedRequest, county_code: str) -> HttpResponse:
    county = _county(request, county_code, *WRITERS)
    form = PolicyForm(request.POST or None, instance=SubsidyPolicy(county=county))
    if request.method == "POST" and form.is_valid() and _saved(request, form):
        return redirect("subsidies:policy-list", county.code)
    context = {"county": county, "form": form, "heading": f"新增{county.name}补贴标准"}
    return render(request, "subsidies/policy_form.html", context)


@login_required
def policy_edit(request: AuthedRequest, county_code: str, pk: int) -> HttpResponse:
    county = _county(request, county_code, *WRITERS)
    policy = get_object_or_404(SubsidyPolicy, county=county, pk=pk)
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid() and _saved(request, form):
        return redirect("subsidies:policy-list", county.code)
    heading = f"修改{policy.get_line_display()}岗位补贴标准（{policy.valid_from:%Y-%m-%d}起）"
    context = {"county": county, "form": form, "heading": heading, "policy": policy}
    return render(request, "subsidies/policy_form.html", context)


@login_required
def policy_import(request: AuthedRequest, county_code: str) -> HttpResponse:
    county = _county(request, county_code, *WRITERS)
    form = PolicyUploadForm(request.POST or None, request.FILES or None)
    checked: Checked | None = None
    closings: list[str] = []
    if request.method == "POST" and form.is_valid():
        checked, closings = policy_sheet.policies_import(
            county=county, source=form.cleaned_data["file"], dry_run=form.cleaned_data["commit"] != "1"
        )
        if checked.written:
            messages.success(request, f"已导入{county.name}的补贴标准{len(checked.rows)}条。")
            for closing in closings:
                messages.info(request, closing.replace("将定为", "定为"))
            return redirect("subsidies:policy-list", county.code)
    columns = [*policy_sheet.POLICY_COLUMNS, *policy_sheet.POLICY_OPTIONAL]
    context = {
        "county": county,
        "form": form,
        "checked": checked,
        "closings": closings if checked and checked.ok else [],
        "columns": columns,
        "preview": checked.preview(columns) if checked else [],
    }
    return render(request, "subsidies/policy_import.html", context)


@login_required
def policy_import_template(request: AuthedRequest, county_code: str) -> FileResponse:
    _county(request, county_code, *WRITERS)
    return template_response(
        policy_sheet.PolicyImporter,
        name="补贴标准",
        filename="policies-template.xlsx",
        notes=policy_sheet.NOTES,
    )
