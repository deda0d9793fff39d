"""Reads about people, always through the scoping gate."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from audit import record as audit
from audit.context import current_actor
from common.idcard import mask_id_number
from common.search import (
    NUMBER_LIKE,
    id_search,
    limit_message,
    number_search_allowed,
    number_search_exhausted,
)
from townships.access import scope_by_township, township_pk
from townships.models import Township, Village

from .models import BankAccountChange, GroupClaim, Person

ELSEWHERE = "该身份证号已在其他乡镇（街道）登记，不能重复登记"
TAKEN = "该身份证号已登记，同一人不能重复登记（如需修改请在人员列表中查找）"


def person_list(
    *,
    user: User | AnonymousUser,
    q: str = "",
    group: str = "",
    township: str = "",
    status: str = "",
    flag: str = "",
) -> QuerySet[Person]:
    """People the user may see, filtered. Search (`person_search`): a whole ID number, a name
    with the number's last 4 characters, the people of the village of that exact name, or else a
    name prefix. Group and status
    filters apply to the same claim; `flag` keeps people found on the death or pension roster.
    Ordered by township and name along person_township_name_idx, so a page is an index range."""
    people = scope_by_township(user, Person.objects.all())
    found = person_search(user=user, q=q)
    if found is not None:
        people = people.filter(found)
    if township:
        people = people.filter(township_id=township_pk(user, township))  # type: ignore[misc]  # None finds nothing
    if flag:
        people = people.filter(Q(on_death_roster=True) | Q(on_pension_roster=True))
    if group or status:
        claims = GroupClaim.objects.filter(person=OuterRef("pk"))
        claims = claims.filter(group=group) if group else claims
        claims = claims.filter(status=status) if status else claims
        people = people.filter(Exists(claims))
    return (
        people.select_related("village", "township__county")
        .prefetch_related(Prefetch("claims", queryset=GroupClaim.objects.order_by("group")))
        .order_by("township_id", "name", "id")
    )


def person_search(*, user: User | AnonymousUser, q: str, path: str = "") -> Q | None:
    """The condition of a list's search box on a person reached by `path` (say "person__"): a
    whole ID number (exactly), a name prefix with the number's last 4 characters, else the people
    of the village of that exact name in the user's scope, or else a name prefix. Any other
    search holding digits finds nobody: an open prefix of a number would give away the birth
    date its mask hides, one digit at a time (common.search, which counts and records searches
    by number). None when the box is empty."""
    q = q.strip()
    if not q:
        return None
    if (by_number := id_search(q)) is not None:
        found = (
            Q(id_number=by_number.number)
            if by_number.number
            else Q(id_number__endswith=by_number.ends, name__startswith=by_number.name)
        )
    elif NUMBER_LIKE.search(q):
        found = Q(pk__in=[])
    elif villages := list(
        scope_by_township(user, Village.objects.filter(name=q)).values_list("pk", flat=True)
    ):
        found = Q(village__in=villages)
    else:
        # The lower bound is implied by the prefix (a name sorts after its own beginning in every
        # collation) but the planner does not know it: without it, a page in name order walks
        # the township's index from its first name, filtering; with it, the walk starts at the
        # prefix (docs/performance.md P5).
        found = Q(name__startswith=q, name__gte=q)
    if not path:
        return found
    # From another table: the matching people first, along the person indexes, then their rows.
    people = scope_by_township(user, Person.objects.filter(found)).values("pk")
    return Q(**{f"{path}in": people})


def person_pick(*, user: User | AnonymousUser, q: str, limit: int) -> list[Person]:
    """People to pick for an application (placements.apply_views): the people list's search
    (`person_search`: a whole ID number, a name with the last 4 characters, a village, a name
    prefix; never an open number prefix, docs/policy.md §13.2) in the user's scope, at most
    `limit`, in name order along person_township_name_idx. Nobody for an empty search: a
    township has thousands. Two queries (people with their village, their claims) whatever
    `limit` is."""
    found = person_search(user=user, q=q)
    if found is None:
        return []
    people = scope_by_township(user, Person.objects.filter(found))
    return list(
        people.select_related("village")
        .prefetch_related(Prefetch("claims", queryset=GroupClaim.objects.order_by("group")))
        .order_by("township_id", "name", "id")[:limit]
    )


def person_get(*, user: User | AnonymousUser, pk: int) -> Person:
    """One person in the user's scope, or 404."""
    queryset = scope_by_township(user, Person.objects.select_related("village", "township__county"))
    return get_object_or_404(queryset, pk=pk)


def claim_get(*, user: User | AnonymousUser, pk: int) -> GroupClaim:
    queryset = GroupClaim.objects.filter(person__in=scope_by_township(user, Person.objects.all()))
    return get_object_or_404(queryset.select_related("person"), pk=pk)


def registered_elsewhere(*, number: str) -> str:
    """What a clerk is told when `number` belongs to a person of another township (the rule
    stands: one person, one township). The answer tells whether a number exists, so it counts
    against the asker's limit of searches by number (common.search); over the limit the clerk is
    told only that. Record each answer with `elsewhere_record`, outside the transaction that the
    refusal rolls back."""
    actor = current_actor()
    return ELSEWHERE if number_search_allowed(actor.pk if actor is not None else None) else limit_message()


def search_exhausted() -> bool:
    """Whether the acting user is past the limit of searches by number (common.search)."""
    actor = current_actor()
    return number_search_exhausted(actor.pk if actor is not None else None)


def elsewhere_record(*, township: Township | None, numbers: list[str]) -> None:
    """An audit entry per answer of `registered_elsewhere`: who asked, from which township (None:
    the asker's own township or county), and the number's masked ends."""
    for number in numbers:
        audit.asked(f"登记时查到已在其他乡镇登记（{mask_id_number(number)}）", township=township)


def registration_refusal(*, township: Township, number: str, person: Person | None = None) -> str | None:
    """Why `number` cannot be registered in `township` (for `person`, when changing theirs):
    it is another person's of this township, or of another (answered and recorded as above);
    None when it is free. Call it outside a transaction, so that its audit entry stays."""
    holders = Person.objects.filter(id_number=number)
    holders = holders.exclude(pk=person.pk) if person else holders
    holder = holders.values_list("township_id", flat=True).first()
    if holder == township.pk:  # the clerk's own people: on their lists anyway
        return "该身份证号已登记为另一人" if person else TAKEN
    if search_exhausted():  # a free number is refused as another township's: neither is told
        return limit_message()
    if holder is None:
        return None
    elsewhere_record(township=township, numbers=[number])
    return registered_elsewhere(number=number)


def bank_change_get(*, user: User | AnonymousUser, pk: int) -> BankAccountChange:
    """A bank-account change of a person the user may see, or 404."""
    changes = scope_by_township(user, BankAccountChange.objects.select_related("person"), "person__township")
    return get_object_or_404(changes, pk=pk)


def bank_change_waiting(*, person: Person, entered_by: User) -> bool:
    """Whether a change of the person's account entered by `entered_by` waits for confirmation."""
    return person.bank_changes.filter(state="pending", requested_by=entered_by).exists()
