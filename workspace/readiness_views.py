"""The county administrator's 启用检查 page: what onboarding has loaded for a county and what is
still missing (docs/policy.md §1.9)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from placements.views import today
from townships.access import AuthedRequest, get_county_or_404, require_role, visible_counties
from townships.models import Role

from .readiness import readiness


@login_required
def county_readiness(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    counties = visible_counties(request.user).order_by("code")
    code = request.GET.get("county") or (counties[0].code if counties else "")
    county = get_county_or_404(request.user, code)
    day = today()
    items = readiness(county, day)
    missing = [item for item in items if item.needed and not item.ok]
    context = {"county": county, "counties": counties, "items": items, "missing": missing, "today": day}
    return render(request, "workspace/readiness.html", context)
