"""Follow-up after exit (docs/policy.md §7.10): the leavers referred and not yet followed up past
the county's 退出后跟踪期限, and one leaver's referrals with their follow-ups (a further referral and
a follow-up entry are recorded there). Thin: reads through placements.followup's selectors (the
scoping gate), writes through its services; another township's leaver answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from common.paging import CappedPaginator
from townships.access import AuthedRequest, has_role, require_role

from . import followup, views
from .forms import error_summary, refusal_add
from .insurance_forms import FollowUpForm, ReferralForm
from .models import FollowUpOutcome, Placement


@login_required
def followup_list(request: AuthedRequest) -> HttpResponse:
    """待跟踪: leavers referred, exited more than the county's days ago, with no follow-up entry;
    or (?show=year) every leaver of this year with their latest outcome."""
    require_role(request.user, *followup.READERS)
    today = views.today()
    show = "year" if request.GET.get("show") == "year" else ""
    if show:
        found = followup.leavers_listed(request.user, today.year)
    else:
        found = followup.without_followup(request.user, today)
    context = {
        "page": CappedPaginator(found, 50).get_page(request.GET.get("page")),
        "params": {"show": show},
        "figures": followup.figures(request.user, today),
        "outcomes": dict(FollowUpOutcome.choices),
    }
    return render(request, "placements/followup_list.html", context)


def _page(
    request: AuthedRequest,
    leaver: Placement,
    referral_form: ReferralForm | None = None,
    entry_form: FollowUpForm | None = None,
) -> HttpResponse:
    referrals = leaver.referrals.prefetch_related("entries__recorded_by")
    writer = has_role(request.user, *followup.WRITERS)
    context = {
        "leaver": leaver,
        "referrals": referrals,
        "referral_form": referral_form
        or (ReferralForm(initial={"referred_on": views.today()}) if writer else None),
        "entry_form": entry_form
        or (
            FollowUpForm(referrals=leaver.referrals.all(), initial={"on": views.today()}) if writer else None
        ),
    }
    return render(request, "placements/followup_detail.html", context)


@login_required
def followup_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One leaver (pk: the placement) with their referrals and follow-ups."""
    require_role(request.user, *followup.READERS)
    return _page(request, followup.leaver_get(user=request.user, pk=pk))


@login_required
@require_POST
def referral_add(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, *followup.WRITERS)
    leaver = followup.leaver_get(user=request.user, pk=pk)
    form = ReferralForm(request.POST)
    if form.is_valid():
        try:
            followup.referral_add(
                placement=leaver, actor=request.user, today=views.today(), **form.cleaned_data
            )
        except ValidationError as exc:
            refusal_add(form, exc)
        else:
            messages.success(request, "已记录转介。")
            return redirect("placements:followup-detail", pk=pk)
    messages.error(request, error_summary(form))
    return _page(request, leaver, referral_form=form)


@login_required
@require_POST
def followup_record(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, *followup.WRITERS)
    leaver = followup.leaver_get(user=request.user, pk=pk)
    form = FollowUpForm(request.POST, referrals=leaver.referrals.all())
    if form.is_valid():
        try:
            followup.followup_record(actor=request.user, today=views.today(), **form.cleaned_data)
        except ValidationError as exc:
            refusal_add(form, exc)
        else:
            messages.success(request, "已记录跟踪情况。")
            return redirect("placements:followup-detail", pk=pk)
    messages.error(request, error_summary(form))
    return _page(request, leaver, entry_form=form)
