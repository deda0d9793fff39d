"""A form refused shows again with what was typed (issue 19): one case per form page, each posting
bad input as a user would and finding the typed values in the page that answers. File fields are
not kept by any browser; passwords are never sent back (Django's password forms leave them out)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from people.models import GroupClaim
from subsidies.models import Finding, PayrollRun
from tests import factories
from tests.conftest import Cast
from tests.placements.conftest import recruiting  # noqa: F401  # the fixture: a township recruiting
from townships.models import County


@dataclass
class Case:
    user: User
    url: str
    data: dict
    typed: list[str]  # each must be in the page that answers


def person_new(cast: Cast, _town) -> Case:
    data = {"name": "赵六", "id_number": "12345", "phone": "13800001111", "address": "沙镇村一组8号"}
    return Case(
        cast.clerk, reverse("people:person-create"), data, ["赵六", "12345", "13800001111", "沙镇村一组8号"]
    )


def user_new(cast: Cast, _town) -> Case:
    data = {"username": "new_clerk_7", "role": "clerk", "new_password1": "x", "new_password2": "y"}
    return Case(cast.county_admin, reverse("accounts:user-create"), data, ['value="new_clerk_7"'])


def post_open(cast: Cast, _town) -> Case:
    data = {
        "township": "371502101",
        "village": "没有这个村",
        "line": "rural",
        "year": "2022",
        "department": "乡村振兴局",
        "count": "3",
    }
    return Case(
        cast.clerk,
        reverse("posts:post-open"),
        data,
        ['value="没有这个村"', 'value="乡村振兴局"', 'value="3"'],
    )


def announcement(cast: Cast, _town) -> Case:
    data = {"title": "沙镇镇补充招聘公告", "deadline": "不是日期", "body": "报名地点：镇便民服务中心"}
    return Case(
        cast.hr, reverse("posts:announcement-list"), data, ["沙镇镇补充招聘公告", "报名地点：镇便民服务中心"]
    )


def roster(cast: Cast, _town) -> Case:
    data = {"kind": "deaths", "roster_date": "2024-05-06"}  # no file
    return Case(
        cast.hr, reverse("people:roster-list"), data, ['value="2024-05-06"', 'value="deaths" selected']
    )


def run_start(cast: Cast, _town) -> Case:
    data = {"month": "2099-01"}  # a future month is refused (docs/policy.md §6.5)
    return Case(cast.finance, reverse("subsidies:run-start"), data, ['value="2099-01"'])


def finding_resolve(cast: Cast, _town) -> Case:
    run = PayrollRun.objects.create(county=County.objects.get(code="371502"), month=dt.date(2022, 3, 1))
    finding = Finding.objects.create(run=run, kind=Finding.Kind.values[0], blocking=True, message="检查问题")
    too_long = "已核实" * 101  # longer than the column: refused
    data = {"action": "resolve", "finding": str(finding.pk), "resolution": too_long}
    return Case(cast.finance, reverse("subsidies:run-decide", args=[run.pk]), data, [f'value="{too_long}"'])


def claim_decide(cast: Cast, _town) -> Case:
    person = factories.person(groups=["poverty"])
    claim = person.claims.first()
    assert claim is not None  # the person was registered with a group
    GroupClaim.objects.filter(pk=claim.pk).update(status=GroupClaim.Status.UNVERIFIED)
    data = {"accepted": "不是选项", "note": "村委会出具的证明"}
    return Case(cast.hr, reverse("people:claim-decide", args=[claim.pk]), data, ['value="村委会出具的证明"'])


def review(cast: Cast, town) -> Case:
    first, second = town.apply(2)
    data = {
        "application": [str(first.pk)],
        f"passed_{first.pk}": "0",
        f"note_{first.pk}": "群众反映家庭收入较高",
        "participants": "村两委成员、党员代表",
        "meeting_date": "",  # missing
    }
    typed = [
        f'value="{first.pk}" aria-label="评议{first.person.name}" checked',
        f'name="passed_{first.pk}" value="0" checked',
        'value="群众反映家庭收入较高"',
        "村两委成员、党员代表",
    ]
    return Case(cast.clerk, reverse("placements:review"), data, typed)


def publicity(cast: Cast, town) -> Case:
    first, second = town.apply(2)
    town.review([first, second])
    data = {"application": [str(first.pk)], "start": "2022-02-30"}  # no such day; the second unticked
    typed = [f'value="{first.pk}" checked', f'value="{second.pk}" aria-label', 'value="2022-02-30"']
    return Case(cast.clerk, reverse("placements:publicity-new"), data, typed)


def approve(cast: Cast, town) -> Case:
    first, second = town.apply(2)
    town.review([first, second])
    town.publicize([first, second])
    data = {"application": [str(second.pk)], "on": "2022-13-01"}
    return Case(
        cast.hr, reverse("placements:approve"), data, [f'value="{second.pk}" checked', 'value="2022-13-01"']
    )


def exit_form(cast: Cast, _town) -> Case:
    holder = factories.placement(on_post=dt.date(2022, 3, 1))
    data = {
        "exit_date": "",
        "reason": "other_work",
        "note": "到县城企业务工",
        "referral": "",
        "referral_note": "已告知",
    }
    url = reverse("placements:placement-exit", args=[holder.application_id])
    return Case(
        cast.clerk, url, data, ['value="到县城企业务工"', 'value="已告知"', 'value="other_work" selected']
    )


def migration(cast: Cast, _town) -> Case:
    data = {"commit": "1"}  # 导入 chosen, no file
    return Case(cast.hr, reverse("placements:migration-upload"), data, ['name="commit" value="1" checked'])


CASES: list[Callable[..., Case]] = [
    person_new,
    user_new,
    post_open,
    announcement,
    roster,
    run_start,
    finding_resolve,
    claim_decide,
    review,
    publicity,
    approve,
    exit_form,
    migration,
]


@pytest.mark.parametrize("build", CASES, ids=[c.__name__ for c in CASES])
def test_a_refused_form_shows_again_with_what_was_typed(cast, request, build) -> None:
    case = build(cast, request.getfixturevalue("recruiting"))
    answer = cast.client(case.user).post(case.url, case.data)
    assert answer.status_code == 200, answer.status_code  # the page again, not a redirect away
    page = answer.content.decode()
    for typed in case.typed:
        assert typed in page, typed
