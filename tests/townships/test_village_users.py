"""Village users (村（社区）协管员, docs/policy.md §1.2): one village each, nothing else; made by the county
administrator in the admin or by a clerk of the village's township, who may also stop them."""

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from accounts.services import must_change_password, village_user_create, village_user_deactivate
from placements.models import Placement
from tests import factories
from townships.access import scope_by_village, visible_counties, visible_townships, visible_villages
from townships.models import Membership, Role, Township, Village


@pytest.fixture
def village(cast) -> Village:
    village = Township.objects.get(code="371502101").villages.order_by("pk").first()
    assert village is not None  # the seeded township has villages
    return village


@pytest.fixture
def keeper(cast, village) -> User:
    user, _ = village_user_create(actor=cast.clerk, village=village, username="cun")
    return user


def test_a_village_user_sees_their_village_and_its_posts_holders_only(cast, village, keeper) -> None:
    mine = factories.placement("371502101", name="本村人")
    other_village = Township.objects.get(code="371502101").villages.exclude(pk=village.pk).first()
    elsewhere = factories.placement("371502101", name="邻村人")
    elsewhere.post.village = other_village
    elsewhere.post.save()
    assert list(visible_villages(keeper)) == [village]
    assert not visible_townships(keeper).exists() and not visible_counties(keeper).exists()
    assert list(scope_by_village(keeper, Placement.objects.all(), "post__village")) == [mine]
    assert set(visible_villages(cast.clerk)) == set(Township.objects.get(code="371502101").villages.all())
    assert not visible_villages(cast.clerk_other_county).filter(pk=village.pk).exists()
    keeper.is_active = False
    assert not visible_villages(keeper).exists()


@pytest.mark.parametrize(
    "name",
    [
        "people:person-detail",
        "people:person-list",
        "people:person-create",
        "placements:queue",
        "placements:placement-list",
        "placements:alerts",
        "posts:post-list",
        "subsidies:attendance",
        "subsidies:run-list",
    ],
)
def test_every_township_page_answers_404_to_a_village_user(cast, keeper, name) -> None:
    if name == "people:person-detail":
        url = reverse("people:person-detail", args=[factories.placement("371502101").person_id])
    else:
        url = reverse(name)
    assert cast.client(keeper).get(url).status_code == 404


def test_a_clerk_makes_a_village_user_who_must_change_the_one_time_password(cast, village) -> None:
    user, password = village_user_create(actor=cast.clerk, village=village, username=" cun2 ")
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.village, membership.township_id, membership.county) == (
        Role.VILLAGE,
        village,
        village.township_id,
        None,
    )
    assert user.check_password(password) and len(password) == 12 and must_change_password(user)
    client = cast.client(None)
    assert client.post(reverse("login"), {"username": "cun2", "password": password}).status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("accounts:password-change")


def test_a_village_user_is_made_only_by_a_clerk_of_its_township(cast, village, keeper) -> None:
    for outsider in (cast.other_clerk, cast.clerk_other_county, cast.hr, keeper):
        with pytest.raises(Http404):
            village_user_create(actor=outsider, village=village, username="cun3")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="该用户名已被使用"):
        village_user_create(actor=cast.clerk, village=village, username="CUN")
    assert not User.objects.filter(username="cun3").exists()


def test_a_clerk_stops_a_village_user_of_their_township(cast, keeper) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(Http404):
        village_user_deactivate(actor=cast.other_clerk, user=keeper)
    with pytest.raises(ValidationError, match="只能停用村（社区）协管员"):
        village_user_deactivate(actor=cast.clerk, user=cast.other_clerk)
    village_user_deactivate(actor=cast.clerk, user=keeper)
    keeper.refresh_from_db()
    assert not keeper.is_active and not visible_villages(keeper).exists()
    with pytest.raises(ValidationError, match="已停用"):
        village_user_deactivate(actor=cast.clerk, user=keeper)


def test_the_database_holds_a_village_to_the_village_role_only(cast, keeper, village) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=keeper).update(village=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=cast.clerk).update(village=village)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=cast.hr).update(village=village)


def test_the_county_administrator_gives_the_role_in_the_admin(cast, village) -> None:
    user = User.objects.create_user("cun_admin")
    admin = cast.client(cast.county_admin)
    url = reverse("admin:townships_membership_add")
    data = {"user": user.pk, "role": Role.VILLAGE, "county": "", "township": "", "village": ""}
    refused = admin.post(url, data)
    assert refused.status_code == 200 and "村（社区）协管员必须选择所属村（社区）" in refused.content.decode()
    other = Township.objects.get(code="371502102")
    refused = admin.post(url, {**data, "village": village.pk, "township": other.pk})
    assert f"{village.name}不属于{other.name}" in refused.content.decode()
    assert not Membership.objects.filter(user=user).exists()
    assert admin.post(url, {**data, "village": village.pk}).status_code == 302
    membership = Membership.objects.get(user=user)
    assert (membership.village, membership.township) == (village, village.township)
