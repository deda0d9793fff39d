"""选人报名 (docs/policy.md §5.3): a clerk chooses an announcement, finds people of the township
as the people list finds them (a name, a village, a whole ID number or a name with its last 4
characters), ticks several, gives each a post of the announcement (on their row, or one for all)
and applies them at once, all or nothing. The search form posts and comes back as an address
with any number hidden (common.search); the apply form posts to that address, so a refused
list is shown again with the same search, ticks, posts and date. Thin: reads through the
scoping gate and the selectors, the write through placements.apply."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from common.idcard import mask_id_number
from common.params import pk_list, pk_param
from common.search import NUMBER_LIKE, SEARCH, revealed, searchable
from people.eligibility import GROUP_LABELS
from people.models import GroupClaim, Person
from people.selectors import person_pick
from posts.models import Announcement, Post
from townships.access import Act, AuthedRequest, act_township, is_agency, scope_by_township

from . import apply, views
from .forms import ApplyPickForm, refusal_add

FOUND_MAX = 50  # people shown for a search, like a page of the people list
CHOSEN_MAX = 200  # ticked at once: more than a village's round, a few queries' worth


@login_required
@searchable
def apply_pick(request: AuthedRequest) -> HttpResponse:
    # a clerk, or a contracted agency's staff in a township of its contract (docs/policy.md §1.5)
    township = act_township(request.user, Act.APPLICANTS, request.GET.get("township", ""))
    day = views.today()
    announcements = apply.announcements_open(township=township, today=day)
    posting = request.method == "POST"
    announcement = _announcement(announcements, request.POST if posting else request.GET, posting)
    ticked = _ticked(request) if posting else []
    form = ApplyPickForm(
        request.POST if posting else None,
        initial={"on": day},
        people=ticked,
        posts=scope_by_township(request.user, Post.objects.all()),
    )
    if posting and announcement is not None and form.is_valid():
        try:
            made = apply.applications_create(
                pairs=form.cleaned_data["pairs"],
                announcement=announcement,
                actor=request.user,
                on=form.cleaned_data["on"],
                today=day,
            )
        except ValidationError as exc:
            refusal_add(form, exc)
        else:
            names = "、".join(f"{a.person.name}（岗位{a.post.code}）" for a in made)
            messages.success(request, f"已报名{len(made)}人：{names}。")
            if is_agency(request.user):  # the queue is the township's; the agency goes on entering
                return redirect("placements:apply-pick")
            return redirect(f"{reverse('placements:queue')}?step=applied")
    q = revealed(request.GET.get(SEARCH, ""))
    found = person_pick(user=request.user, q=q, limit=FOUND_MAX + 1)
    context = {
        "announcements": announcements,
        "announcement": announcement,
        "posts": apply.posts_offered(township=township, announcement=announcement) if announcement else [],
        "form": form,
        "q": q,
        "number_like": bool(NUMBER_LIKE.search(q)),
        "rows": _rows(ticked, found[:FOUND_MAX], request.POST if posting else None),
        "more": len(found) > FOUND_MAX,
        "ticked": len(ticked),
        "common_post": pk_param(request.POST, "post") if posting else 0,
    }
    return render(request, "placements/apply_pick.html", context)


def _announcement(announcements: Any, query: QueryDict, posting: bool) -> Announcement | None:
    """The announcement chosen: a posted one must be offered (else 404); on a page view the
    one of the address, else the newest."""
    pk = pk_param(query, "announcement")
    if posting or pk:
        return get_object_or_404(announcements, pk=pk)
    return announcements.first()


def _ticked(request: AuthedRequest) -> list[Person]:
    """The people ticked, through the scoping gate: one not in the clerk's township (or not
    existing) refuses the whole list (404), never telling whether it exists elsewhere."""
    ids = set(pk_list(request.POST, "person"))
    if len(ids) > CHOSEN_MAX:
        raise BadRequest(f"一次最多选择{CHOSEN_MAX}人")
    people = scope_by_township(request.user, Person.objects.filter(pk__in=ids))
    claims = Prefetch("claims", queryset=GroupClaim.objects.order_by("group"))
    chosen = list(people.select_related("village").prefetch_related(claims).order_by("name", "id"))
    if len(chosen) != len(ids):
        raise Http404("所选人员不存在或不在本乡镇（街道）")
    return chosen


def _rows(ticked: list[Person], found: list[Person], posted: QueryDict | None) -> list[dict]:
    """The rows of the form: the people ticked (kept after a refusal), then those found; each
    with its number masked (§13.1) and the post chosen on its row."""
    shown = {p.pk for p in ticked}
    rows = []
    for person in [*ticked, *(p for p in found if p.pk not in shown)]:
        rows.append(
            {
                "pk": person.pk,
                "name": person.name,
                "masked_id": mask_id_number(person.id_number),
                "village": person.village.name,
                "groups": [GROUP_LABELS[c.group] for c in person.claims.all()],
                "checked": person.pk in shown,
                "post": pk_param(posted, f"post_{person.pk}") if posted is not None else 0,
            }
        )
    return rows
