"""Builders for test data: valid ID numbers and people registered through the service."""

import datetime as dt
import itertools
from io import BytesIO

from openpyxl import Workbook

from common.idcard import check_character
from people.models import Person
from people.services import PersonData, person_create
from posts.models import Duty
from townships.models import Township, Village

_sequence = itertools.count(1)


def id_number(birth: str = "19700101", *, sex: str = "male", area: str = "371502") -> str:
    """A valid 18-character ID number; birth as YYYYMMDD; a fresh sequence each call."""
    n = next(_sequence) % 500
    seq = f"{n * 2 + (1 if sex == 'male' else 0):03d}"[-3:]
    first17 = f"{area}{birth}{seq}"
    return first17 + check_character(first17)


def village_of(township: Township) -> Village:
    """The township's first village (every seeded township has villages)."""
    village = township.villages.first()
    assert village is not None, f"{township.name} has no village: is the seed loaded?"
    return village


def duty_for(line: str) -> Duty:
    """The first seeded duty of the line (the seed has duties for both lines)."""
    duty = Duty.objects.filter(line=line).first()
    assert duty is not None, f"no {line} duty: is the seed loaded?"
    return duty


def person(
    township: str = "371502101",
    *,
    birth: str = "19700101",
    sex: str = "male",
    groups: list[str] | None = None,
    name: str = "张三",
    **extra: str,
) -> Person:
    town = Township.objects.get(code=township)
    village = town.villages.first()
    assert village is not None  # every seeded township has villages
    return person_create(
        township=town,
        data=PersonData(
            name=name,
            id_number=id_number(birth, sex=sex),
            village=village.name,
            groups=groups or ["poverty"],
            **extra,
        ),
    )


def xlsx(rows: list[list], headers: list[str] | None = None) -> BytesIO:
    """An in-memory workbook with a header row (unless headers is []) and the given rows."""
    wb = Workbook()
    ws = wb.active
    if headers is not None:
        ws.append(headers)
    for number, row in enumerate(rows, start=ws.max_row + 1 if headers is not None else 1):
        ws.append(row)
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and value.startswith("="):
                ws.cell(row=number, column=column).data_type = "s"
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def placement(
    township: str = "371502101",
    *,
    line: str = "rural",
    on_post=None,
    exit_date=None,
    prior_months: int = 0,
    birth: str = "19700101",
    name: str = "在岗人",
    bank_account: str = "6228480012345678901",
    who=None,
    agreement_until=None,
    agreement: bool = True,
):
    """A person (or `who`, again) on a post from `on_post` (default 2022-01-01), made directly:
    the procedure that leads there is tested in tests/placements. With the agreement that covers
    it (no agreement, no pay: docs/policy.md §8.11), from the on-post date to `agreement_until` (default:
    the end of the tenth year on, past any subsidy period a test reaches), priced from the policy
    then in force."""
    from django.contrib.auth.models import User

    from placements.models import Application, Placement, Step
    from placements.terms import STORED, stored_terms_refresh
    from posts.models import WORKING_TIME, Duty, Line, Post

    on_post = on_post or dt.date(2022, 1, 1)
    groups = ["poverty"] if line == "rural" else ["urban_older"]
    who = who or person(township, birth=birth, name=name, groups=groups, bank_account=bank_account)
    town = who.township
    serial = Post.objects.count() + 1
    duty = Duty.objects.filter(line=line).first()
    assert duty is not None  # the seeded duties cover both lines
    post = Post.objects.create(
        code=f"T-{town.code}-{serial:05d}",
        year=on_post.year,
        township=town,
        village=who.village,
        line=line,
        duty=duty,
        status=Post.Status.VACANT if exit_date else Post.Status.FILLED,
        working_time=WORKING_TIME[Line(line)],  # as post_create opens it
    )
    actor = User.objects.get_or_create(username="factory")[0]
    application = Application.objects.create(
        person=who,
        post=post,
        township=town,
        line=line,
        year=on_post.year,
        applied_on=on_post,
        approved_on=on_post,
        step=Step.EXITED if exit_date else Step.PLACED,
        holds_post=not exit_date,
        created_by=actor,
    )
    if agreement:
        agreement_for(application, on_post, agreement_until or dt.date(on_post.year + 10, 12, 31))
    made = Placement.objects.create(
        application=application,
        person=who,
        post=post,
        township=town,
        line=line,
        on_post_date=on_post,
        exit_date=exit_date,
        prior_months=prior_months,
        first_approved_on=on_post,
    )
    stored_terms_refresh(person_ids=[made.person_id])  # as every service does after writing one
    made.refresh_from_db(fields=list(STORED))
    return made


def agreement_for(application, start, end, number: int = 1):
    """The application's agreement `number` from `start` to `end`, with what the policy and the
    post say (placements.agreements; 0 where no policy is in force then, as before 2022)."""
    from decimal import Decimal

    from django.contrib.auth.models import User
    from django.core.exceptions import ValidationError

    from placements.agreements import agreement_terms
    from placements.models import Agreement

    try:
        terms = agreement_terms(application, start)
    except ValidationError:  # no policy in force at `start`
        post = application.post
        terms = {
            "monthly_pay": Decimal("0.00"),
            "working_time": post.working_time,
            "duties": str(post.duty.name),
            "village": post.village,
        }
    return Agreement.objects.create(
        application=application,
        number=number,
        start_date=start,
        end_date=end,
        signed_on=start,
        recorded_by=User.objects.get_or_create(username="factory")[0],
        **terms,
    )
