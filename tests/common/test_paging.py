"""CappedPaginator: pages past the first read their keys first, then their rows; what a page
holds and its order are exactly the list's."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.paging import CappedPaginator
from people.models import Person
from tests import factories


def test_every_page_holds_the_lists_rows_in_the_lists_order(cast) -> None:
    for i, name in enumerate("庚甲丁乙己丙戊"):
        factories.person("371502101", name=f"{name}某", birth=f"19700{i + 1}01")
    people = Person.objects.select_related("village").order_by("-name", "pk")
    expected = [p.pk for p in people]
    paginator = CappedPaginator(people, 3)
    pages = [[p.pk for p in paginator.page(n)] for n in paginator.page_range]
    assert pages == [expected[0:3], expected[3:6], expected[6:7]]
    assert paginator.page(2)[0].village.name  # the rows come with what the list selects
    with CaptureQueriesContext(connection) as captured:
        list(paginator.page(3))
    assert len(captured) == 2 and "OFFSET 6" in captured[0]["sql"]  # keys (the count is kept), rows


def test_a_plain_list_is_paged_too() -> None:
    paginator = CappedPaginator(list(range(7)), 3)
    assert (paginator.count, list(paginator.page(3))) == (7, [6])
