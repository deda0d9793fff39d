"""选人报名 (docs/policy.md §5.3): a clerk finds the township's people as the people list finds
them (a name prefix, a whole ID number, a name with the last 4 characters; never an open number
prefix, §13.2), ticks several, gives each a post and applies them at once: every pair through
the one service, all or nothing, each refused pair named with its reason, the ticks kept; other
townships' people are refused with a 404, and the page reads as many queries for 3 people found
as for 30."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from placements import apply
from placements.apply import Pair
from placements.models import Application, Step
from tests import factories
from tests.placements.conftest import APPLIED_ON, Round

D = dt.date
URL = reverse("placements:apply-pick")


@pytest.fixture(autouse=True)
def business_day(monkeypatch):
    monkeypatch.setattr("placements.views.today", lambda: APPLIED_ON)


def people(recruiting: Round, *names: str) -> list:
    return [factories.person(recruiting.township.code, name=name) for name in names]


def too_old(recruiting: Round, name: str):
    """A 农村大龄人员 of 72 on the application date: past the group's 65 (docs/policy.md §4.2)."""
    return factories.person(recruiting.township.code, name=name, birth="19500101", groups=["rural_older"])


def search(client, q: str, announcement=None) -> str:
    """The search form as a browser sends it: posted, then followed to the page's address."""
    body = {"q": q, **({"announcement": announcement.pk} if announcement else {})}
    return client.post(URL, body, follow=True).content.decode()


def rows(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="person" value="(\d+)"', page)}


def ticked(page: str) -> set[str]:
    return set(re.findall(r'name="person" value="(\d+)" checked', page))


def masked(number: str) -> str:
    return f"{number[:6]}********{number[-4:]}"


# The service: every pair through application_create, all or nothing


def test_it_applies_several_people_to_several_posts_at_once(recruiting) -> None:
    a, b, c = people(recruiting, "王一", "王二", "李三")
    posts = recruiting.posts
    pairs = [Pair(a, posts[0]), Pair(b, posts[0]), Pair(c, posts[1])]
    made = apply.applications_create(
        pairs=pairs, announcement=recruiting.announcement, actor=recruiting.cast.clerk, on=APPLIED_ON
    )
    assert [(x.person, x.post, x.step, x.applied_on) for x in made] == [
        (a, posts[0], Step.APPLIED, APPLIED_ON),
        (b, posts[0], Step.APPLIED, APPLIED_ON),
        (c, posts[1], Step.APPLIED, APPLIED_ON),
    ]
    assert all(x.history.get().note == "报名" for x in made)


def test_one_refused_pair_refuses_the_whole_list_and_each_refused_pair_is_named(recruiting) -> None:
    a, b = people(recruiting, "王一", "王二")
    old = too_old(recruiting, "赵老")
    (elsewhere,) = [factories.person("371502102", name="钱外")]
    pairs = [
        Pair(a, recruiting.posts[0]),
        Pair(old, recruiting.posts[0]),
        Pair(elsewhere, recruiting.posts[1]),
    ]
    pairs.append(Pair(b, recruiting.posts[1]))
    with pytest.raises(ValidationError) as refused:
        apply.applications_create(
            pairs=pairs, announcement=recruiting.announcement, actor=recruiting.cast.clerk, on=APPLIED_ON
        )
    messages = refused.value.messages
    assert len(messages) == 2
    assert messages[0].startswith(
        f"赵老（{masked(old.id_number)}）报名岗位{recruiting.posts[0].code}：不符合安置条件"
    )
    assert messages[1] == (
        f"钱外（{masked(elsewhere.id_number)}）报名岗位{recruiting.posts[1].code}：只能报名本乡镇（街道）的岗位"
    )
    assert not Application.objects.exists()


def test_a_second_submission_of_the_same_pairs_creates_nothing_twice(recruiting) -> None:
    a, b = people(recruiting, "王一", "王二")
    pairs = [Pair(a, recruiting.posts[0]), Pair(b, recruiting.posts[0])]
    kwargs = {"announcement": recruiting.announcement, "actor": recruiting.cast.clerk, "on": APPLIED_ON}
    apply.applications_create(pairs=pairs, **kwargs)
    with pytest.raises(ValidationError) as again:
        apply.applications_create(pairs=pairs, **kwargs)
    assert [m.split("：", 1)[1] for m in again.value.messages] == ["该人员已报名此岗位"] * 2
    assert Application.objects.count() == 2


def test_the_date_is_judged_once_for_the_whole_list(recruiting) -> None:
    a, b = people(recruiting, "王一", "王二")
    pairs = [Pair(a, recruiting.posts[0]), Pair(b, recruiting.posts[0])]
    with pytest.raises(ValidationError) as late:
        apply.applications_create(
            pairs=pairs,
            announcement=recruiting.announcement,
            actor=recruiting.cast.clerk,
            on=D(2022, 3, 11),
            today=D(2022, 3, 20),
        )
    assert late.value.messages == ["报名已于2022年03月10日截止（报名日期2022年03月11日）"]
    assert not Application.objects.exists()


# The page


def test_it_finds_the_townships_people_by_name_prefix_with_masked_numbers(recruiting) -> None:
    a, b, c = people(recruiting, "王小明", "王小红", "李四")
    factories.person("371502102", name="王小外")  # another township's
    client = recruiting.cast.client(recruiting.cast.clerk)
    page = search(client, "王小", recruiting.announcement)
    assert "王小明" in page and "王小红" in page and "李四" not in page and "王小外" not in page
    assert masked(a.id_number) in page and a.id_number not in page
    assert f'name="post_{a.pk}"' in page and recruiting.posts[0].code in page


def test_it_finds_by_a_whole_number_or_a_name_with_the_last_four_never_an_open_prefix(recruiting) -> None:
    a, b = people(recruiting, "王一", "王二")
    client = recruiting.cast.client(recruiting.cast.clerk)
    whole = client.post(URL, {"q": a.id_number})
    assert a.id_number not in whole["Location"]  # the number is kept out of the address (§13.1)
    assert rows(client.get(whole["Location"]).content.decode()) == {a.pk}
    assert rows(search(client, f"王二 {b.id_number[-4:]}")) == {b.pk}
    prefix = search(client, a.id_number[:10])  # would walk the birth date one digit at a time
    assert 'name="person"' not in prefix and "没有符合条件的人员" in prefix
    assert "按身份证号查找请输入完整的18位号码" in prefix


def test_several_pairs_are_applied_in_one_post(recruiting) -> None:
    a, b, c = people(recruiting, "王一", "王二", "李三")
    posts = recruiting.posts
    client = recruiting.cast.client(recruiting.cast.clerk)
    body = {
        "announcement": recruiting.announcement.pk,
        "on": "2022-03-01",
        "post": posts[0].pk,  # for everyone whose row names none
        "person": [a.pk, b.pk, c.pk],
        f"post_{c.pk}": posts[2].pk,
    }
    done = client.post(URL, body)
    assert done.status_code == 302 and done["Location"] == reverse("placements:queue") + "?step=applied"
    made = Application.objects.order_by("person__name")
    assert [(x.person.name, x.post, x.applied_on) for x in made] == [
        ("李三", posts[2], APPLIED_ON),
        ("王一", posts[0], APPLIED_ON),
        ("王二", posts[0], APPLIED_ON),
    ]
    page = client.get(done["Location"]).content.decode()
    assert "已报名3人" in page and f"李三（岗位{posts[2].code}）" in page


def test_a_refused_pair_refuses_the_post_names_the_pair_and_keeps_the_ticks(recruiting) -> None:
    a, b = people(recruiting, "王一", "王二")
    old = too_old(recruiting, "王老")
    posts = recruiting.posts
    client = recruiting.cast.client(recruiting.cast.clerk)
    search(client, "王", recruiting.announcement)  # the apply form posts to the search's address
    body = {
        "announcement": recruiting.announcement.pk,
        "on": "2022-03-01",
        "post": "",
        "person": [a.pk, old.pk, b.pk],
        f"post_{a.pk}": posts[0].pk,
        f"post_{old.pk}": posts[1].pk,
        f"post_{b.pk}": posts[1].pk,
    }
    page = client.post(f"{URL}?announcement={recruiting.announcement.pk}&q=王", body)
    assert page.status_code == 200
    text = page.content.decode()
    assert "未报名，全部未作更改" in text
    assert f"王老（{masked(old.id_number)}）报名岗位{posts[1].code}：不符合安置条件" in text
    assert "王一（" not in text.split("未报名")[1].split("</ul>")[0]  # only the refused pair is named
    assert not Application.objects.exists()
    assert ticked(text) == {str(a.pk), str(old.pk), str(b.pk)}
    select = re.search(rf'name="post_{b.pk}".*?</select>', text, re.S)
    assert select is not None, text
    chosen = select.group(0)
    assert f'<option value="{posts[1].pk}" selected>' in chosen
    assert 'value="2022-03-01"' in text


def test_a_person_without_a_post_is_named(recruiting) -> None:
    (a,) = people(recruiting, "王一")
    client = recruiting.cast.client(recruiting.cast.clerk)
    body = {"announcement": recruiting.announcement.pk, "on": "2022-03-01", "person": [a.pk]}
    text = client.post(URL, body).content.decode()
    assert "请为王一选择报名岗位（或选择统一报名岗位）" in text and ticked(text) == {str(a.pk)}
    nobody = client.post(URL, {"announcement": recruiting.announcement.pk, "on": "2022-03-01"})
    assert "请至少勾选一名人员" in nobody.content.decode()
    assert not Application.objects.exists()


def test_a_second_click_is_refused_clearly(recruiting) -> None:
    a, b = people(recruiting, "王一", "王二")
    client = recruiting.cast.client(recruiting.cast.clerk)
    body = {
        "announcement": recruiting.announcement.pk,
        "on": "2022-03-01",
        "post": recruiting.posts[0].pk,
        "person": [a.pk, b.pk],
    }
    assert client.post(URL, body).status_code == 302
    again = client.post(URL, body).content.decode()
    assert again.count("该人员已报名此岗位") == 2
    assert Application.objects.count() == 2


@pytest.mark.parametrize("whose", ["other_township", "other_county", "missing"])
def test_another_townships_person_posted_by_hand_is_a_404(recruiting, whose) -> None:
    (a,) = people(recruiting, "王一")
    other = {
        "other_township": lambda: factories.person("371502102", name="王外").pk,
        "other_county": lambda: factories.person("370812001", name="王外").pk,
        "missing": lambda: 2**31,
    }[whose]()
    client = recruiting.cast.client(recruiting.cast.clerk)
    body = {
        "announcement": recruiting.announcement.pk,
        "on": "2022-03-01",
        "post": recruiting.posts[0].pk,
        "person": [a.pk, other],
    }
    assert client.post(URL, body).status_code == 404
    assert not Application.objects.exists()


def test_another_townships_post_or_announcement_is_refused(recruiting, cast) -> None:
    (a,) = people(recruiting, "王一")
    foreign = factories.placement("371502102").post  # a post of 堂邑镇
    client = recruiting.cast.client(recruiting.cast.clerk)
    body = {"announcement": recruiting.announcement.pk, "on": "2022-03-01", "person": [a.pk]}
    text = client.post(URL, {**body, f"post_{a.pk}": foreign.pk}).content.decode()
    assert "请为王一选择报名岗位" in text  # not one of ours: as if none was chosen
    assert client.post(URL, {**body, "announcement": "abc"}).status_code == 404
    assert cast.client(cast.clerk_other_county).post(URL, body).status_code == 404
    assert cast.client(cast.hr).get(URL).status_code == 404
    assert not Application.objects.filter(person=a).exists()


def test_the_page_reads_as_many_queries_for_3_people_found_as_for_30(recruiting) -> None:
    client = recruiting.cast.client(recruiting.cast.clerk)
    address = f"{URL}?announcement={recruiting.announcement.pk}&q=计数"

    def count(n: int) -> int:
        have = len(re.findall('name="person"', client.get(address).content.decode()))
        for i in range(have, n):
            factories.person(recruiting.township.code, name=f"计数{chr(65 + i % 26) * (1 + i // 26)}")
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            page = client.get(address).content.decode()
        assert len(re.findall('name="person"', page)) == n
        return len(captured)

    assert count(3) == count(30)
