"""The audit pages: the county log (auditors, county administrators) and an object's 修改记录
(whoever may see the object)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.listing import export, wants_export
from common.paging import CappedPaginator
from townships.access import require_role, visible_townships

from . import selectors
from .listings import ENTRIES
from .models import ACTIONS

PAGE = 50


@login_required
def county_log(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *ENTRIES.roles)
    params = ENTRIES.params(request.GET)
    entries = ENTRIES.queryset(request.user, params)
    if wants_export(request):
        return export(request, ENTRIES, params, entries)
    page = CappedPaginator(entries, PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": selectors.entry_rows(list(page)),
        "params": params,
        "townships": visible_townships(request.user),
        "kinds": selectors.kind_choices(),
        "actions": ACTIONS,
    }
    return render(request, "audit/county_log.html", context)


@login_required
def object_log(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    obj = selectors.subject_get(user=request.user, kind=kind, pk=pk)
    page = CappedPaginator(selectors.object_entries(obj), PAGE).get_page(request.GET.get("page"))
    context = {"object": obj, "kind": kind, "page": page, "rows": selectors.entry_rows(list(page))}
    return render(request, "audit/object_log.html", context)
