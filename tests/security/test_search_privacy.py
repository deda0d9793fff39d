"""An ID number searched for never appears in an address: the list's search form posts, and
the list comes back at an address holding a session token instead of the number. Names stay
readable; a token means nothing in another session."""

import datetime as dt
import io
import re

from django.urls import reverse
from openpyxl import load_workbook

from tests import factories


def test_an_id_search_comes_back_at_an_address_without_the_number(cast) -> None:
    person = factories.person(name="查找人")
    factories.person(name="别人", birth="19800101")
    client = cast.client(cast.clerk)
    posted = client.post(reverse("people:person-list"), {"q": person.id_number, "line": ""})
    assert posted.status_code == 302
    address = posted["Location"]
    assert person.id_number not in address and person.id_number[:10] not in address and "q=~" in address
    page = client.get(address)
    text = page.content.decode()
    assert "查找人" in text and "别人" not in text
    assert person.id_number not in text.split("<main")[0]  # nor in the page's own links above
    download = client.get(address + "&export=xlsx")
    rows = [
        [c.value for c in row]
        for row in load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.iter_rows()
    ]
    header = next(i for i, row in enumerate(rows) if row[0] == "姓名")
    assert [row[0] for row in rows[header + 1 :]] == ["查找人"]


def test_a_name_search_stays_readable_and_a_token_means_nothing_elsewhere(cast) -> None:
    person = factories.person(name="查找人")
    client = cast.client(cast.clerk)
    by_name = client.post(reverse("people:person-list"), {"q": "查找"})
    assert "q=%E6%9F%A5%E6%89%BE" in by_name["Location"]
    address = client.post(reverse("people:person-list"), {"q": person.id_number[:8]})["Location"]
    elsewhere = cast.client(cast.clerk).get(address).content.decode()
    assert "查找人" in elsewhere  # the token is forgotten: the whole list, not a search
    assert person.id_number[:8] not in address


def test_every_list_with_a_search_posts_it(cast) -> None:
    for name in ("people:person-list", "placements:queue", "placements:placement-list", "posts:post-list"):
        page = cast.client(cast.clerk).get(reverse(name)).content.decode()
        # posted (an action where the page is also shown at another address, e.g. after a refused form)
        assert re.search(r'<form method="post"( action="[^"]+")? class="filters" role="search">', page)


def test_the_pages_links_carry_the_token_and_the_box_shows_the_number(cast) -> None:
    from common.idcard import check_character
    from people.services import PersonData, person_create
    from townships.models import Township

    town = Township.objects.get(code="371502101")
    made = 0
    for day in range(1, 800):  # more than a page of people with the same name and last 4 characters
        first17 = f"371502{(dt.date(1960, 1, 1) + dt.timedelta(days=day)):%Y%m%d}002"
        if made < 60 and check_character(first17) == "5":
            data = PersonData(name="查找人", id_number=first17 + "5", village="沙镇东村", groups=["poverty"])
            person_create(township=town, data=data)
            made += 1
    search = "查找人 0025"
    client = cast.client(cast.clerk)
    address = client.post(reverse("people:person-list"), {"q": search})["Location"]
    page = client.get(address).content.decode()
    assert f'value="{search}"' in page  # the search box shows what was typed
    links = [part.split('"')[0] for part in page.split('href="')[1:]]
    assert any("page=2" in link for link in links) and any("export=xlsx" in link for link in links)
    assert not any("0025" in link for link in links)
