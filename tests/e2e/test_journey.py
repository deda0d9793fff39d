"""One whole round in a real browser, each step by the role that does it, through the pages only:
posts and announcement (HR) → applicants imported and registered (clerk) → applications, village
review, publicity → county approval with one applicant over the quota → agreement, training,
placement → attendance → the month's payroll computed, approved, locked and downloaded (finance),
its figures checked against docs/policy.md §8.10 → another township's clerk reaches none of it.

One test per role's task. Each starts from the state the tasks before it leave, made by the same
services those pages call (the fixtures `announced` … `locked`, each on the one before), so a task
can be run and read alone; its own step is done in the browser only.

The dates are in 2022, as in tests/placements/test_journey_pages.py (the publicity's working
days are long past). Reference data comes from the seed; only the quota revision and the second
clerk of the village review are set up directly, as in that test."""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import astuple, dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Page, expect

from people.imports import COLUMNS as APPLICANT_COLUMNS
from people.models import Person
from people.services import PersonData, person_create
from placements import services
from placements.models import Application
from posts.models import Announcement, Duty, Post
from posts.services import announcement_publish, post_create
from subsidies import money, payroll
from subsidies.attendance import attendance_import
from subsidies.models import PayrollRun
from subsidies.services import policy_annuals_on
from tests import factories
from tests.conftest import PASSWORD, Cast
from townships.models import County, Quota, Role, Township
from townships.services import user_with_membership_ensure

# One worker of a parallel run (make test) takes every task of the round, with one live server and
# one browser, and numbers the screenshots in the round's order.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

D = dt.date
TOWNSHIP = "371502101"  # 沙镇镇, 东昌府区
POVERTY = "脱贫享受政策人口（含监测对象）"
TITLE = "沙镇镇乡村公益性岗位招聘"
BANKS = {"孙三": "6228480012345678903", "赵一": "6228480012345678901", "钱二": "6228480012345678902"}


def workbook(path: Path, headers: list[str], rows: Sequence[Sequence[str | int]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def message(page: Page, text: str) -> None:
    """The flash message after a move (Django messages, shown by base.html: errors as alerts)."""
    expect(page.locator("[role=status], [role=alert]").filter(has_text=text)).to_be_visible()


def form_of(page: Page, heading: str):
    """The form under a heading: its labels stay unambiguous however the page around it grows."""
    return page.locator("form").filter(has=page.get_by_role("heading", name=heading))


def cents(value: object) -> Decimal:
    """A money cell as read back (a number with two decimals) as an exact Decimal."""
    return Decimal(str(value)).quantize(money.CENT)


def attendance_sheet(path: Path, people: dict[str, str]) -> Path:
    """April's attendance: 孙三 full, 赵一 15 of the 20 required days."""
    return workbook(
        path, ["身份证号", "出勤天数", "备注"], [[people["孙三"], 20, ""], [people["赵一"], 15, "病假5天"]]
    )


@dataclass
class Round:
    """The round so far. The business date moves with it (`clock`): each step is entered on its
    day, none is dated after it, and the publicity is entered the day it starts (docs/policy.md
    §5.5)."""

    cast: Cast
    clock: dict[str, dt.date]
    township: Township
    village: str
    duty: Duty
    quota: QuerySet[Quota]
    reviewer: User  # the second clerk of the village review (maker ≠ checker)
    people: dict[str, str] = field(default_factory=dict)  # name → ID number, in the order they applied
    applications: dict[str, Application] = field(default_factory=dict)
    run: PayrollRun | None = None

    def application_url(self, name: str) -> str:
        return reverse("placements:application-detail", args=[self.applications[name].pk])

    def person_url(self, name: str) -> str:
        return reverse("people:person-detail", args=[Person.objects.get(id_number=self.people[name]).pk])


@pytest.fixture
def journey(cast: Cast, eager: None, monkeypatch: pytest.MonkeyPatch) -> Round:
    clock = {"today": D(2022, 2, 28)}
    monkeypatch.setattr("posts.views.today", lambda: clock["today"])
    monkeypatch.setattr("placements.views.today", lambda: clock["today"])
    township = Township.objects.get(code=TOWNSHIP)
    quota = Quota.objects.filter(plan__year=2022, township=township)
    quota.update(rural=3)
    reviewer = user_with_membership_ensure(
        username="clerk_b", password=PASSWORD, role=Role.CLERK, county=township.county, township=township
    )
    village = township.villages.order_by("pk").first()
    assert village is not None  # the seeded township has villages
    return Round(
        cast=cast,
        clock=clock,
        township=township,
        village=village.name,
        duty=factories.duty_for("rural"),
        quota=quota,
        reviewer=reviewer,
    )


@pytest.fixture
def announced(journey: Round) -> Round:
    """HR's task done: three rural posts in the village and their announcement."""
    village = journey.township.villages.get(name=journey.village)
    posts = [
        post_create(township=journey.township, village=village, line="rural", year=2022, duty=journey.duty)
        for _ in range(3)
    ]
    announcement_publish(
        county=journey.township.county,
        title=TITLE,
        deadline=D(2099, 12, 31),
        posts=posts,
        actor=journey.cast.hr,
        on=D(2022, 2, 28),
    )
    return journey


@pytest.fixture
def registered(announced: Round) -> Round:
    """The clerk's registration done: 孙三 (by hand), 赵一 and 钱二 (imported), with their banks."""
    rows = (
        ("孙三", "19800512", "13900000003", "", "", "农业银行聊城分行"),
        ("赵一", "19750203", "13800000001", "沙镇镇一村", "H001", "农业银行"),
        ("钱二", "19780611", "13800000002", "沙镇镇一村", "H002", "农业银行"),
    )
    for name, birth, phone, address, household, bank in rows:
        data = PersonData(
            name=name,
            id_number=factories.id_number(birth),
            village=announced.village,
            groups=["poverty"],
            phone=phone,
            address=address,
            household_no=household,
            bank_account=BANKS[name],
            bank_name=bank,
        )
        announced.people[name] = person_create(township=announced.township, data=data).id_number
    return announced


@pytest.fixture
def applied(registered: Round) -> Round:
    """Each applied on 2022-03-01 for a post of the announcement, in this order."""
    registered.clock["today"] = D(2022, 3, 1)
    announcement = Announcement.objects.get(title=TITLE)
    posts = Post.objects.filter(township=registered.township).order_by("code")
    for post, (name, number) in zip(posts, registered.people.items(), strict=True):
        registered.applications[name] = services.application_create(
            person=Person.objects.get(id_number=number),
            post=post,
            announcement=announcement,
            actor=registered.cast.clerk,
            on=D(2022, 3, 1),
        )
    return registered


@pytest.fixture
def reviewed(applied: Round) -> Round:
    applied.clock["today"] = D(2022, 3, 3)
    services.review_record(
        village=applied.township.villages.get(name=applied.village),
        meeting_date=D(2022, 3, 3),
        participants="村两委、党员和群众代表",
        minutes_name="",
        outcomes=[services.ReviewOutcome(a, True) for a in applied.applications.values()],
        actor=applied.reviewer,
    )
    return applied


@pytest.fixture
def publicized(reviewed: Round) -> Round:
    reviewed.clock["today"] = D(2022, 3, 7)
    services.publicity_start(
        applications=list(reviewed.applications.values()),
        start=D(2022, 3, 7),
        actor=reviewed.cast.clerk,
        entered_on=D(2022, 3, 7),
    )
    return reviewed


@pytest.fixture
def approved(publicized: Round) -> Round:
    """The plan revised down to 2: 孙三 and 赵一 approved on 2022-03-14, 钱二 refused."""
    publicized.quota.update(rural=2)
    publicized.clock["today"] = D(2022, 3, 14)
    result = services.approve(
        applications=list(publicized.applications.values()), actor=publicized.cast.hr, on=D(2022, 3, 14)
    )
    assert [a.person.name for a, _ in result.refused] == ["钱二"]
    return publicized


@pytest.fixture
def placed(approved: Round) -> Round:
    """孙三 and 赵一: signed 03-20, trained 03-25, on post from 04-01."""
    approved.clock["today"] = D(2022, 4, 1)
    for name in ("孙三", "赵一"):
        application = approved.applications[name]
        clerk = approved.cast.clerk
        services.agreement_sign(
            application=application, start=D(2022, 4, 1), signed_on=D(2022, 3, 20), actor=clerk
        )
        services.training_record(
            application=application,
            date=D(2022, 3, 25),
            hours=Decimal("8"),
            content="岗位职责与安全",
            actor=clerk,
        )
        services.placement_start(application=application, on_post_date=D(2022, 4, 1), actor=clerk)
    return approved


@pytest.fixture
def attended(placed: Round, tmp_path: Path) -> Round:
    report = attendance_import(
        township=placed.township,
        month=D(2022, 4, 1),
        actor=placed.cast.clerk,
        source=str(attendance_sheet(tmp_path / "attendance-set-up.xlsx", placed.people)),
    )
    assert report.ok and report.saved == 2, report.problems
    return placed


@pytest.fixture
def locked(attended: Round) -> Round:
    """April computed by finance, approved and locked by finance2."""
    run = payroll.run_for(attended.township.county, D(2022, 4, 1))
    payroll.compute_run(run, actor=attended.cast.finance)
    payroll.approve(PayrollRun.objects.get(pk=run.pk), attended.cast.finance2)
    attended.run = payroll.lock(PayrollRun.objects.get(pk=run.pk), attended.cast.finance2)
    return attended


def test_hr_opens_three_posts_and_publishes_their_announcement(journey: Round, signed_in, shot) -> None:
    hr = signed_in(journey.cast.hr, reverse("posts:post-list"))
    opening = form_of(hr, "开设岗位")
    opening.get_by_label("乡镇（街道）").select_option(label=journey.township.name)
    opening.get_by_label("用人单位（村/社区）").fill(journey.village)
    opening.get_by_label("城乡").select_option(label="乡村")
    opening.get_by_label("开发年度").fill("2022")
    opening.get_by_label("岗位类别·职责").select_option(label=str(journey.duty))
    opening.get_by_label("岗位性质").select_option(label="城乡公益性岗位")
    opening.get_by_label("开设数量").fill("3")
    opening.get_by_role("button", name="开设").click()
    message(hr, "已开设岗位 3 个")
    shot(hr, "posts")
    hr.goto(reverse("posts:announcement-list"))
    publishing = form_of(hr, "发布招聘公告")
    publishing.get_by_label("公告标题").fill(TITLE)
    publishing.get_by_label("报名截止日期").fill("2099-12-31")
    ours = publishing.get_by_role("checkbox", name=re.compile(rf"^{TOWNSHIP}-2022-"))
    expect(ours).to_have_count(3)
    for box in ours.all():
        box.check()
    publishing.get_by_role("button", name="发布").click()
    message(hr, f"已发布公告：{TITLE}")
    expect(hr.get_by_role("heading", name=TITLE)).to_be_visible()
    shot(hr, "announcement")


def test_the_clerk_imports_two_applicants_and_registers_a_third_by_hand(
    announced: Round, signed_in, shot, tmp_path: Path
) -> None:
    # The clerk imports two applicants from the template spreadsheet: upload → preview → confirm.
    village = announced.village
    clerk = signed_in(announced.cast.clerk, reverse("people:import-upload"))
    people = {"赵一": factories.id_number("19750203"), "钱二": factories.id_number("19780611")}
    rows = [
        [
            name,
            number,
            f"1380000000{i}",
            village,
            "沙镇镇一村",
            f"H00{i}",
            "脱贫人口",
            BANKS[name],
            "农业银行",
            "",
        ]
        for i, (name, number) in enumerate(people.items(), start=1)
    ]
    assert APPLICANT_COLUMNS == [
        "姓名",
        "身份证号",
        "联系电话",
        "村（社区）",
        "户籍地址",
        "户号",
        "人员类别",
        "银行账号",
        "开户银行",
        "备注",
    ]
    clerk.get_by_label("申请人表格").set_input_files(
        workbook(tmp_path / "applicants.xlsx", APPLICANT_COLUMNS, rows)
    )
    clerk.get_by_role("button", name="上传并检查").click()
    expect(clerk.get_by_text("共 2 行，全部通过检查：新增 2 人，更新 0 人。")).to_be_visible()
    shot(clerk, "import-preview")
    clerk.get_by_role("button", name="确认导入").click()
    message(clerk, "已导入 2 人（新增 2，更新 0）。")

    # … and registers one more by hand: a wrong check digit is refused next to the field.
    right = factories.id_number("19800512")
    wrong = right[:17] + ("0" if right[17] != "0" else "1")
    clerk.goto(reverse("people:person-create"))
    clerk.get_by_label("姓名").fill("孙三")
    clerk.get_by_label("身份证号").fill(wrong)
    clerk.get_by_label("村（社区）").select_option(label=village)
    clerk.get_by_label(POVERTY).check()
    clerk.get_by_label("联系电话").fill("13900000003")
    clerk.get_by_label("银行账号").fill(BANKS["孙三"])
    clerk.get_by_label("开户银行").fill("农业银行聊城分行")
    clerk.get_by_role("button", name="保存").click()
    id_field = clerk.locator(".field").filter(has=clerk.get_by_label("身份证号"))
    expect(id_field.get_by_role("alert")).to_have_text(
        f"身份证号校验位错误：应为{right[17]}，实际为{wrong[17]}"
    )
    expect(clerk.get_by_label("身份证号")).to_have_value(wrong)
    shot(clerk, "person-form-error")
    shot(clerk, "person-form-error", phone=True)
    clerk.get_by_label("身份证号").fill(right)
    clerk.get_by_role("button", name="保存").click()
    message(clerk, "已登记 孙三。")
    expect(clerk.get_by_role("heading", name="孙三")).to_be_visible()
    assert clerk.url.endswith(reverse("people:person-detail", args=[Person.objects.get(id_number=right).pk]))
    shot(clerk, "person")


def test_the_clerk_applies_each_for_a_post_of_the_announcement(registered: Round, signed_in, shot) -> None:
    # Each applies for a post of the announcement (孙三 first, so 钱二 is the one over the quota).
    registered.clock["today"] = D(2022, 3, 1)
    clerk = signed_in(registered.cast.clerk, reverse("placements:apply"))
    for index, (name, number) in enumerate(registered.people.items()):
        posts = clerk.get_by_label(re.compile("^岗位"))  # not 招聘公告, whose option names a 岗位 too
        post = posts.locator("option").nth(index).inner_text()
        clerk.get_by_label(re.compile("^招聘公告")).select_option(label=f"{TITLE}（截止2099-12-31）")
        posts.select_option(label=post)
        clerk.get_by_label("申请人身份证号").fill(number)
        clerk.get_by_label("报名日期").fill("2022-03-01")
        clerk.get_by_role("button", name="报名").click()
        message(clerk, f"{name}已报名岗位{post.split(' · ')[0]}。")
        clerk.goto(reverse("placements:apply"))
    shot(clerk, "apply")
    assert list(Application.objects.order_by("pk").values_list("person__name", flat=True)) == [
        "孙三",
        "赵一",
        "钱二",
    ]


def test_a_second_clerk_records_the_village_review(applied: Round, signed_in, shot) -> None:
    # The village's democratic review, recorded by a second clerk (maker ≠ checker).
    applied.clock["today"] = D(2022, 3, 3)
    second = signed_in(applied.reviewer, reverse("placements:review"))
    second.get_by_label("评议日期").fill("2022-03-03")
    second.get_by_label("参加人员").fill("村两委、党员和群众代表")
    for name in applied.people:
        second.get_by_label(f"评议{name}").check()
    shot(second, "review")
    second.get_by_role("button", name="记录评议结果").click()
    message(second, "已记录民主评议，共3人。")


def test_the_clerk_starts_the_publicity_with_id_numbers_masked(reviewed: Round, signed_in, shot) -> None:
    # Publicity: five working days on the calendar, ID numbers masked on the notice.
    reviewed.clock["today"] = D(2022, 3, 7)
    clerk = signed_in(reviewed.cast.clerk, reverse("placements:publicity-new"))
    clerk.get_by_label("公示开始日期").fill("2022-03-07")
    clerk.get_by_role("button", name="开始公示").click()
    message(clerk, "已公示3人：2022-03-07至2022-03-11。")
    expect(clerk.get_by_text("2022年3月7日至2022年3月11日（5个工作日）")).to_be_visible()
    for name, number in reviewed.people.items():
        expect(clerk.get_by_role("cell", name=name, exact=True)).to_be_visible()
        assert number not in clerk.content()
    shot(clerk, "publicity")


def test_hr_approves_two_and_the_one_over_the_revised_quota_is_refused(
    publicized: Round, signed_in, shot
) -> None:
    # The plan was revised down after the posts were opened: HR approves two, 钱二 is refused.
    publicized.quota.update(rural=2)
    publicized.clock["today"] = D(2022, 3, 14)
    hr = signed_in(publicized.cast.hr, reverse("placements:approve"))
    hr.get_by_label("审批日期").fill("2022-03-14")
    for name in publicized.people:
        hr.get_by_label(f"审批{name}").check()
    hr.get_by_role("button", name="审批通过所选人员").click()
    message(hr, "审批通过2人。")
    message(hr, "沙镇镇2022年乡村岗位计划2个已全部审批，钱二未获审批")
    shot(hr, "approve")


def test_the_clerk_signs_trains_and_places_the_two_approved(approved: Round, signed_in, shot) -> None:
    # Agreement, training and placement of the two approved, from each application's page.
    approved.clock["today"] = D(2022, 4, 1)  # signed 03-20, trained 03-25, on post from 04-01, entered 04-01
    clerk = signed_in(approved.cast.clerk, approved.application_url("孙三"))
    for name in ("孙三", "赵一"):
        clerk.goto(approved.application_url(name))
        agreement = form_of(clerk, "协议签订")
        agreement.get_by_label("协议开始日期").fill("2022-04-01")
        agreement.get_by_label("签订日期").fill("2022-03-20")
        assert "680.00 元" in agreement.inner_text()  # the policy's amount, shown, not typed
        agreement.get_by_role("button", name="记录协议").click()
        message(clerk, "已办理：协议签订。")
        training = form_of(clerk, "岗前培训")
        training.get_by_label("培训日期").fill("2022-03-25")
        training.get_by_label("学时").fill("8")
        training.get_by_label("培训内容").fill("岗位职责与安全")
        training.get_by_role("button", name="记录培训").click()
        message(clerk, "已办理：岗前培训。")
        placing = form_of(clerk, "安排上岗")
        placing.get_by_label("上岗日期").fill("2022-04-01")
        placing.get_by_role("button", name="安排上岗").click()
        message(clerk, "已办理：安排上岗。")
    shot(clerk, "application-placed")
    clerk.get_by_role("link", name="2022-04-01 至 2023-03-31").click()
    expect(clerk.get_by_role("heading", name=re.compile("协议"))).to_be_visible()
    expect(clerk.locator("body")).to_contain_text("赵一")
    expect(clerk.locator("body")).to_contain_text("680.00")
    shot(clerk, "agreement-print")


def test_the_clerk_uploads_aprils_attendance(placed: Round, signed_in, shot, tmp_path: Path) -> None:
    # April's attendance: 孙三 full, 赵一 15 of the 20 required days.
    clerk = signed_in(placed.cast.clerk, reverse("subsidies:attendance"))
    sheet = attendance_sheet(tmp_path / "attendance.xlsx", placed.people)
    clerk.get_by_label("月份").fill("2022-04")
    clerk.get_by_label("考勤表").set_input_files(sheet)
    clerk.get_by_role("button", name="上传").click()
    message(clerk, "已导入2022年04月考勤2人。")
    shot(clerk, "attendance")
    shot(clerk, "attendance", phone=True)


def test_finance_computes_approves_locks_and_downloads_april(
    attended: Round, signed_in, shot, tmp_path: Path
) -> None:
    # Finance computes April (the task runs eagerly), approves, locks and downloads the workbook.
    township, people = attended.township, attended.people
    finance = signed_in(attended.cast.finance, reverse("subsidies:run-list"))
    start = finance.locator("form").filter(has=finance.get_by_role("button", name="计算该月补贴"))
    start.get_by_label("月份").fill("2022-04")
    start.get_by_role("button", name="计算该月补贴").click()
    message(finance, "已开始计算")
    bar = finance.get_by_role("progressbar", name="计算进度")
    total = bar.get_attribute("max")
    assert total and int(total) == township.county.townships.count()
    expect(bar).to_have_attribute("value", total)
    expect(finance.locator("#run-count")).to_have_text(f"{total} / {total} 个镇街")
    expect(finance.locator("#run-state")).to_have_text("已计算")
    run_url = finance.url
    expect(finance.get_by_role("row", name=township.name)).to_contain_text("1190.00")
    shot(finance, "run-computed")
    finance.get_by_role("button", name="审核通过").click()  # who computed it: refused
    message(finance, "须由另一名财务人员审核")
    finance = signed_in(attended.cast.finance2, run_url)  # the second finance user approves and locks
    expect(finance.locator("#run-people")).to_contain_text("计算：finance")
    finance.get_by_role("button", name="审核通过").click()
    message(finance, "已审核")
    finance.get_by_role("button", name="锁定该月").click()
    message(finance, "已锁定，此后不再变动")
    expect(finance.locator("#run-state")).to_have_text("已锁定")
    shot(finance, "run-locked")
    shot(finance, "run-locked", phone=True)
    with finance.expect_download() as download:
        finance.get_by_role("link", name=re.compile("下载发放表")).click()
    assert download.value.suggested_filename == "payroll-371502-2022-04.xlsx"
    run = PayrollRun.objects.get(county__code="371502", month=dt.date(2022, 4, 1))
    assert run_url.endswith(reverse("subsidies:run-detail", args=[run.pk]))
    assert download.value.url.endswith(reverse("subsidies:run-download", args=[run.pk]))
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)

    # The figures: docs/policy.md §8.10 (东昌府区 rural, April) through the money rules, and the workbook.
    policy = payroll.policy_in_force(County.objects.get(code="371502"), "rural", dt.date(2022, 4, 1))
    full = money.full_month(policy_annuals_on(policy, dt.date(2022, 4, 1)), 4)
    short = money.part_month(full, 15, policy.required_days)
    M = Decimal
    assert full == money.Shares(M("680.00"), M("333.33"), M("138.67"), M("208.00"))
    assert short == money.Shares(M("510.00"), M("250.00"), M("104.00"), M("156.00"))
    computed = {
        line.placement.person.name: money.Shares(line.pay, line.province, line.city, line.district)
        for line in run.lines.select_related("placement__person")
    }
    assert computed == {"孙三": full, "赵一": short}
    book = load_workbook(saved)
    assert book["汇总"]["A1"].value == "东昌府区2022年04月城乡公益性岗位补贴发放表"  # locked: no 草稿
    town = book[township.name]
    lines = {row[3].value: row for row in town.iter_rows() if row[1].value == township.name}
    assert set(lines) == {"孙三", "赵一"}
    for name, days, shares in (("孙三", 20, full), ("赵一", 15, short)):
        row = [cell.value for cell in lines[name]]
        assert (row[4], row[7], row[12]) == (people[name], days, BANKS[name])
        assert [cents(v) for v in row[8:12]] == list(astuple(shares))
        assert {cell.number_format for cell in lines[name][8:12]} == {"#,##0.00"}
    assert [f"{cents(c.value)}" for c in lines["赵一"][8:12]] == ["510.00", "250.00", "104.00", "156.00"]
    totals = next(r for r in book["汇总"].iter_rows(values_only=True) if r[0] == "合计")
    assert totals[2] == 2
    assert [cents(v) for v in totals[3:7]] == [
        a + b for a, b in zip(astuple(full), astuple(short), strict=True)
    ]


def test_each_roles_landing_page_draws_its_pictures_after_the_round(locked: Round, signed_in, shot) -> None:
    # Each role's landing page after the round: the pictures are drawn (canvas), nothing is missing.
    pages = {
        "clerk": signed_in(locked.cast.clerk),
        "hr": signed_in(locked.cast.hr),
        "finance": signed_in(locked.cast.finance2),
    }
    for name, page in pages.items():
        page.goto(reverse("home"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("工作台")
        expect(page.locator("canvas").first).to_be_visible()
        shot(page, f"home-{name}")
    shot(pages["clerk"], "home-clerk", phone=True)


def test_another_townships_clerk_reaches_none_of_it(locked: Round, signed_in, shot) -> None:
    # Another township's clerk, same county: every one of these addresses answers 404.
    assert locked.run is not None
    stranger = signed_in(locked.cast.other_clerk, reverse("placements:queue"))
    urls = (
        locked.person_url("孙三"),
        locked.application_url("赵一"),
        reverse("subsidies:run-detail", args=[locked.run.pk]),
        reverse("subsidies:run-download", args=[locked.run.pk]),
    )
    for url in urls:
        response = stranger.goto(url)
        assert response is not None and response.status == 404, url
        expect(stranger.get_by_role("heading", name="页面不存在")).to_be_visible()
        assert "赵一" not in stranger.content() and "孙三" not in stranger.content()
    shot(stranger, "other-township-404")
