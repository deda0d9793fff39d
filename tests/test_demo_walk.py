"""The demo walk that seed_demo (`make run`) prints, followed step by step through the pages by
the users it names, with the dates it names: from the seeded announcement to a locked payroll
month. The walk is demo.walk.walk(); a step it prints that this test does not know fails here.

Its business date is a Saturday after a holiday (2026-06-20; 端午 was Friday 06-19), so the first
steps fall on the last working day before it (docs/policy.md §5.5, §6.1), and the payroll month is
the one before (§6.5)."""

import datetime as dt
from collections.abc import Callable
from io import BytesIO

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from demo.seed import DEMO_TITLE, demo_people
from demo.walk import COMMAND, WalkDates, WalkStep, walk, walk_dates, walk_lines
from placements.models import Application, Step
from posts.models import Announcement, Post
from subsidies.models import PayrollRun

TODAY = dt.date(2026, 6, 20)
PASSWORD = "demo12345"


@pytest.fixture
def demo(db, monkeypatch, capsys) -> str:
    """seed_demo as `make run` runs it, on TODAY; its printed output."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the embedded default of make run
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    call_command("seed_demo")
    return capsys.readouterr().out


def page(username: str) -> Client:
    user = User.objects.get(username=username)
    assert user.check_password(PASSWORD)
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    return response.content.decode()


def ids() -> list[int]:
    return list(Application.objects.order_by("pk").values_list("pk", flat=True))


def attendance_sheet(days: int) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["身份证号", "出勤天数", "备注"])
    for _, number in demo_people():
        sheet.append([number, days, ""])
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("attendance.xlsx", buffer.getvalue())


def apply(step: WalkStep, d: WalkDates) -> None:
    announcement = Announcement.objects.get(title=DEMO_TITLE)
    posts = Post.objects.filter(announcements=announcement).order_by("code")
    for (name, number), post in zip(demo_people(), posts, strict=True):
        form = {"announcement": announcement.pk, "post": post.pk, "id_number": number, "on": d.first}
        assert f"{name}已报名岗位{post.code}" in text_of(page(step.user).post(step.where, form, follow=True))


def review(step: WalkStep, d: WalkDates) -> None:
    form = {
        "meeting_date": d.first,
        "participants": "村两委、党员和群众代表",
        "application": ids(),
        **{f"passed_{pk}": "1" for pk in ids()},
    }
    maker = text_of(page("clerk_371502101").post(step.where, form, follow=True))
    assert "已记录民主评议" not in maker  # why the demo has a second clerk (docs/policy.md §1.3)
    assert "已记录民主评议，共3人" in text_of(page(step.user).post(step.where, form, follow=True))


def publicity(step: WalkStep, d: WalkDates) -> None:
    done = text_of(page(step.user).post(step.where, {"start": d.first, "application": ids()}, follow=True))
    assert "（5个工作日）" in done


def advance(step: WalkStep, d: WalkDates, capsys: pytest.CaptureFixture[str]) -> None:
    approval = {"on": d.later, "application": ids()}
    early = text_of(page("hr_371502").post(reverse("placements:approve"), approval, follow=True))
    assert "公示期至2026年06月25日，尚未期满" in early and "审批通过3人" not in early
    assert step.where == "python manage.py demo_advance"
    call_command("demo_advance")
    assert "已期满" in capsys.readouterr().out


def approve(step: WalkStep, d: WalkDates) -> None:
    done = page(step.user).post(step.where, {"on": d.later, "application": ids()}, follow=True)
    assert "审批通过3人" in text_of(done)


def agree(step: WalkStep, d: WalkDates) -> None:
    form = {"start": d.later, "signed_on": d.later, "application": ids()}
    assert "已为3人办理：协议签订" in text_of(page(step.user).post(step.where, form, follow=True))


def train(step: WalkStep, d: WalkDates) -> None:
    form = {"date": d.later, "hours": "8", "content": "岗位职责与安全", "application": ids()}
    assert "已为3人办理：岗前培训" in text_of(page(step.user).post(step.where, form, follow=True))


def place(step: WalkStep, d: WalkDates) -> None:
    form = {"on": d.later, "application": ids()}
    assert "已为3人办理：安排上岗" in text_of(page(step.user).post(step.where, form, follow=True))
    assert set(Application.objects.values_list("step", flat=True)) == {Step.PLACED}


def attendance(step: WalkStep, d: WalkDates) -> None:
    form = {"month": d.month, "file": attendance_sheet(20)}
    done = text_of(page(step.user).post(step.where, form, follow=True))
    assert f"已导入{d.later:%Y年%m月}考勤3人" in done


def compute(step: WalkStep, d: WalkDates) -> None:
    assert page(step.user).get(step.where).status_code == 200
    page(step.user).post(reverse("subsidies:run-start"), {"month": d.month}, follow=True)
    run = PayrollRun.objects.get(county__code="371502", month=d.later)
    assert run.state == PayrollRun.State.COMPUTED and run.lines.count() == 3
    refused = page(step.user).post(reverse("subsidies:run-decide", args=[run.pk]), {"action": "approve"})
    assert PayrollRun.objects.get(pk=run.pk).state == PayrollRun.State.COMPUTED, refused


def lock(step: WalkStep, d: WalkDates) -> None:
    run = PayrollRun.objects.get(county__code="371502", month=d.later)
    assert str(reverse("subsidies:run-detail", args=[run.pk])) in text_of(page(step.user).get(step.where))
    for action in ("approve", "lock"):
        page(step.user).post(reverse("subsidies:run-decide", args=[run.pk]), {"action": action})
    assert PayrollRun.objects.get(pk=run.pk).state == PayrollRun.State.LOCKED


ACTIONS: dict[str, Callable[[WalkStep, WalkDates], None]] = {
    "apply": apply,
    "review": review,
    "publicity": publicity,
    "approve": approve,
    "agree": agree,
    "train": train,
    "place": place,
    "attendance": attendance,
    "compute": compute,
    "lock": lock,
}


def test_the_printed_demo_walk_runs_from_announcement_to_a_locked_month(demo: str, capsys) -> None:
    for line in walk_lines(TODAY, PASSWORD):
        assert line in demo
    d = walk_dates(TODAY)
    assert (d.first, d.later) == (dt.date(2026, 6, 18), dt.date(2026, 5, 1))
    steps = walk(TODAY)
    assert [s.key for s in steps] == [*list(ACTIONS)[:3], "advance", *list(ACTIONS)[3:]]
    for step in steps:
        if step.user == COMMAND:
            advance(step, d, capsys)
        else:
            ACTIONS[step.key](step, d)
