"""The demo walked from the announcement to a locked payroll month: who does which step, where,
with which dates. seed_demo (`make run`) prints it; tests/test_demo_walk.py follows the same steps
through the pages, so the printed walk is the one that works.

The dates are counted from the day it is printed: the first steps on the last working day (a
publicity cannot start on a day off and no step is dated after today, docs/policy.md §5.5, §6.1),
then `demo_advance` moves the round back past its publicity (docs/policy.md §5.11), and every
later step is dated the first day of last month, a month whose payroll may be computed (§6.5)."""

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from common.workdays import CalendarMissing, is_workday

from .seed import DEMO_TITLE, DEMO_TOWNSHIP, demo_people

COUNTY = DEMO_TOWNSHIP[:6]
CLERK = f"clerk_{DEMO_TOWNSHIP}"
CHECKER = f"clerk2_{DEMO_TOWNSHIP}"  # maker ≠ checker (docs/policy.md §1.3)
HR = f"hr_{COUNTY}"
FINANCE = f"finance_{COUNTY}"
FINANCE2 = f"finance2_{COUNTY}"  # two people for money (docs/policy.md §9.4)
COMMAND = "（命令）"


@dataclass(frozen=True)
class WalkStep:
    key: str  # what tests/test_demo_walk.py does for it
    user: str  # the login name, or COMMAND
    where: str  # the page's address, or the command line
    what: str


@dataclass(frozen=True)
class WalkDates:
    first: dt.date  # application, review and publicity: the last working day up to today
    later: dt.date  # approval, agreement, training and placement: the first day of last month

    @property
    def month(self) -> str:
        return f"{self.later:%Y-%m}"


def last_working_day(today: dt.date) -> dt.date:
    """Today, or the working day before it; today itself where no calendar holds its year (the
    publicity page then says what is missing)."""
    day = today
    try:
        while not is_workday(day):
            day -= dt.timedelta(days=1)
    except CalendarMissing:
        return today
    return day


def walk_dates(today: dt.date) -> WalkDates:
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return WalkDates(first=last_working_day(today), later=last_month)


def walk(today: dt.date) -> list[WalkStep]:
    d = walk_dates(today)
    applicants = "、".join(f"{name} {number}" for name, number in demo_people())
    every = "勾选全部人员"
    url = reverse
    return [
        WalkStep(
            "apply",
            CLERK,
            url("placements:apply"),
            f"报名：公告选「{DEMO_TITLE}」，每人一个岗位，报名日期 {d.first}；申请人身份证号 {applicants}",
        ),
        WalkStep("review", CHECKER, url("placements:review"), f"民主评议：评议日期 {d.first}，{every}通过"),
        WalkStep(
            "publicity", CLERK, url("placements:publicity-new"), f"审核公示：公示开始日期 {d.first}，{every}"
        ),
        WalkStep(
            "advance", COMMAND, "python manage.py demo_advance", "演示专用：把本轮日期前移到公示期满之后"
        ),
        WalkStep("approve", HR, url("placements:approve"), f"区级审批：审批日期 {d.later}，{every}"),
        WalkStep(
            "agree", CLERK, url("placements:batch-agree"), f"协议签订：协议开始和签订日期 {d.later}，{every}"
        ),
        WalkStep(
            "train", CLERK, url("placements:batch-train"), f"岗前培训：培训日期 {d.later}，学时 8，{every}"
        ),
        WalkStep("place", CLERK, url("placements:batch-place"), f"安排上岗：上岗日期 {d.later}，{every}"),
        WalkStep(
            "attendance",
            CLERK,
            url("subsidies:attendance"),
            f"考勤：月份 {d.month}，上传考勤表（列：身份证号、出勤天数、备注；不上传按全勤）",
        ),
        WalkStep("compute", FINANCE, url("subsidies:run-list"), f"补贴发放：月份 {d.month}，计算该月补贴"),
        WalkStep("lock", FINANCE2, url("subsidies:run-list"), f"打开 {d.month} 的发放，审核通过，再锁定"),
    ]


def walk_lines(today: dt.date, password: str) -> list[str]:
    """The walk as seed_demo prints it: one line per step, numbered."""
    lines = [f"演示流程（沙镇镇；登录 {reverse('login')}，密码 {password}；从公告到发放）："]
    for number, step in enumerate(walk(today), start=1):
        lines.append(f"  {number:>2}. {step.user:<18} {step.where:<28} {step.what}")
    return lines
