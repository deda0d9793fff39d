"""One whole round in a real browser, each step by the role that does it, through the pages only:
posts and announcement (HR) → applicants imported and registered (clerk) → applications, village
review, publicity → county approval with one applicant over the quota → agreement, training,
placement → attendance → the month's payroll computed, approved, locked and downloaded (finance),
its figures checked against docs/policy.md §8.10 → another township's clerk reaches none of it.

The dates are in 2022, as in tests/placements/test_journey_pages.py (the publicity's working
days are long past). Reference data comes from the seed; only the quota revision and the second
clerk of the village review are set up directly, as in that test."""

import datetime as dt
import re
from dataclasses import astuple
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Page, expect

from people.imports import COLUMNS as APPLICANT_COLUMNS
from posts.models import Duty
from subsidies import money, payroll
from subsidies.models import PayrollRun
from subsidies.services import policy_annuals_on
from tests import factories
from tests.conftest import PASSWORD
from townships.models import County, Quota, Role, Township
from townships.services import user_with_membership_ensure

pytestmark = pytest.mark.e2e

TOWNSHIP = "371502101"  # 沙镇镇, 东昌府区
POVERTY = "脱贫享受政策人口（含监测对象）"


def workbook(path: Path, headers: list[str], rows: list[list[str | int]]) -> Path:
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


def form_of(page: Page, heading: str):  # type: ignore[no-untyped-def]
    """The form under a heading: its labels stay unambiguous however the page around it grows."""
    return page.locator("form").filter(has=page.get_by_role("heading", name=heading))


def cents(value: object) -> Decimal:
    """A money cell as read back (a number with two decimals) as an exact Decimal."""
    return Decimal(str(value)).quantize(money.CENT)


def test_a_round_from_open_posts_to_the_locked_payroll_in_the_browser(
    cast, signed_in, shot, eager, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # The business date moves with the round: each step is entered on its day, none is dated
    # after it, and the publicity is entered the day it starts (docs/policy.md §5.5).
    clock = {"today": dt.date(2022, 2, 28)}
    monkeypatch.setattr("posts.views.today", lambda: clock["today"])
    monkeypatch.setattr("placements.views.today", lambda: clock["today"])
    township = Township.objects.get(code=TOWNSHIP)
    quota = Quota.objects.filter(plan__year=2022, township=township)
    quota.update(rural=3)
    village = township.villages.order_by("pk").first().name
    duty = Duty.objects.filter(line="rural").first()
    reviewer = user_with_membership_ensure(
        username="clerk_b", password=PASSWORD, role=Role.CLERK, county=township.county, township=township
    )

    # HR opens three rural posts in the village and publishes an announcement of them.
    hr = signed_in(cast.hr, reverse("posts:post-list"))
    opening = form_of(hr, "开设岗位")
    opening.get_by_label("乡镇（街道）").select_option(label=township.name)
    opening.get_by_label("用人单位（村/社区）").fill(village)
    opening.get_by_label("城乡").select_option(label="乡村")
    opening.get_by_label("开发年度").fill("2022")
    opening.get_by_label("岗位类别·职责").select_option(label=str(duty))
    opening.get_by_label("岗位性质").select_option(label="城乡公益性岗位")
    opening.get_by_label("开设数量").fill("3")
    opening.get_by_role("button", name="开设").click()
    message(hr, "已开设岗位 3 个")
    shot(hr, "posts")
    hr.goto(reverse("posts:announcement-list"))
    publishing = form_of(hr, "发布招聘公告")
    publishing.get_by_label("公告标题").fill("沙镇镇乡村公益性岗位招聘")
    publishing.get_by_label("报名截止日期").fill("2099-12-31")
    ours = publishing.get_by_role("checkbox", name=re.compile(rf"^{TOWNSHIP}-2022-"))
    expect(ours).to_have_count(3)
    for box in ours.all():
        box.check()
    publishing.get_by_role("button", name="发布").click()
    message(hr, "已发布公告：沙镇镇乡村公益性岗位招聘")
    expect(hr.get_by_role("heading", name="沙镇镇乡村公益性岗位招聘")).to_be_visible()
    shot(hr, "announcement")

    # The clerk imports two applicants from the template spreadsheet: upload → preview → confirm.
    clerk = signed_in(cast.clerk, reverse("people:import-upload"))
    people = {"赵一": factories.id_number("19750203"), "钱二": factories.id_number("19780611")}
    banks = {"孙三": "6228480012345678903", "赵一": "6228480012345678901", "钱二": "6228480012345678902"}
    rows = [
        [
            name,
            number,
            f"1380000000{i}",
            village,
            "沙镇镇一村",
            f"H00{i}",
            "脱贫人口",
            banks[name],
            "农业银行",
            "",
        ]
        for i, (name, number) in enumerate(people.items(), start=1)
    ]
    assert APPLICANT_COLUMNS == ["姓名", "身份证号", "联系电话", "村（社区）", "户籍地址", "户号", "人员类别",
                                 "银行账号", "开户银行", "备注"]  # fmt: skip
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
    clerk.get_by_label("银行账号").fill(banks["孙三"])
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
    person_url = clerk.url
    people = {"孙三": right, **people}
    shot(clerk, "person")

    # Each applies for a post of the announcement (孙三 first, so 钱二 is the one over the quota).
    clock["today"] = dt.date(2022, 3, 1)
    clerk.goto(reverse("placements:apply"))
    applications = {}
    for index, (name, number) in enumerate(people.items()):
        posts = clerk.get_by_label(re.compile("^岗位"))  # not 招聘公告, whose option names a 岗位 too
        post = posts.locator("option").nth(index).inner_text()
        clerk.get_by_label(re.compile("^招聘公告")).select_option(
            label="沙镇镇乡村公益性岗位招聘（截止2099-12-31）"
        )
        posts.select_option(label=post)
        clerk.get_by_label("申请人身份证号").fill(number)
        clerk.get_by_label("报名日期").fill("2022-03-01")
        clerk.get_by_role("button", name="报名").click()
        message(clerk, f"{name}已报名岗位{post.split(' · ')[0]}。")
        applications[name] = clerk.url
        clerk.goto(reverse("placements:apply"))
    shot(clerk, "apply")

    # The village's democratic review, recorded by a second clerk (maker ≠ checker).
    clock["today"] = dt.date(2022, 3, 3)
    second = signed_in(reviewer, reverse("placements:review"))
    second.get_by_label("评议日期").fill("2022-03-03")
    second.get_by_label("参加人员").fill("村两委、党员和群众代表")
    for name in people:
        second.get_by_label(f"评议{name}").check()
    shot(second, "review")
    second.get_by_role("button", name="记录评议结果").click()
    message(second, "已记录民主评议，共3人。")

    # Publicity: five working days on the calendar, ID numbers masked on the notice.
    clock["today"] = dt.date(2022, 3, 7)
    clerk.goto(reverse("placements:publicity-new"))
    clerk.get_by_label("公示开始日期").fill("2022-03-07")
    clerk.get_by_role("button", name="开始公示").click()
    message(clerk, "已公示3人：2022-03-07至2022-03-11。")
    expect(clerk.get_by_text("2022年3月7日至2022年3月11日（5个工作日）")).to_be_visible()
    for name, number in people.items():
        expect(clerk.get_by_role("cell", name=name, exact=True)).to_be_visible()
        assert number not in clerk.content()
    shot(clerk, "publicity")

    # The plan was revised down after the posts were opened: HR approves two, 钱二 is refused.
    quota.update(rural=2)
    clock["today"] = dt.date(2022, 3, 14)
    hr.goto(reverse("placements:approve"))
    hr.get_by_label("审批日期").fill("2022-03-14")
    for name in people:
        hr.get_by_label(f"审批{name}").check()
    hr.get_by_role("button", name="审批通过所选人员").click()
    message(hr, "审批通过2人。")
    message(hr, "沙镇镇2022年乡村岗位计划2个已全部审批，钱二未获审批")
    shot(hr, "approve")

    # Agreement, training and placement of the two approved, from each application's page.
    clock["today"] = dt.date(2022, 4, 1)  # signed 03-20, trained 03-25, on post from 04-01, entered 04-01
    for name in ("孙三", "赵一"):
        clerk.goto(applications[name])
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

    # April's attendance: 孙三 full, 赵一 15 of the 20 required days.
    clerk.goto(reverse("subsidies:attendance"))
    sheet = workbook(
        tmp_path / "attendance.xlsx",
        ["身份证号", "出勤天数", "备注"],
        [[people["孙三"], 20, ""], [people["赵一"], 15, "病假5天"]],
    )
    clerk.get_by_label("月份").fill("2022-04")
    clerk.get_by_label("考勤表").set_input_files(sheet)
    clerk.get_by_role("button", name="上传").click()
    message(clerk, "已导入2022年04月考勤2人。")
    shot(clerk, "attendance")
    shot(clerk, "attendance", phone=True)

    # Finance computes April (the task runs eagerly), approves, locks and downloads the workbook.
    finance = signed_in(cast.finance, reverse("subsidies:run-list"))
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
    finance = signed_in(cast.finance2, run_url)  # the second finance user approves and locks
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
    download_url = download.value.url
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)

    # The figures: docs/policy.md §8.10 (东昌府区 rural, April) through the money rules, and the workbook.
    policy = payroll.policy_in_force(County.objects.get(code="371502"), "rural", dt.date(2022, 4, 1))
    full = money.full_month(policy_annuals_on(policy, dt.date(2022, 4, 1)), 4)
    short = money.part_month(full, 15, policy.required_days)
    M = Decimal
    assert full == money.Shares(M("680.00"), M("333.33"), M("138.67"), M("208.00"))
    assert short == money.Shares(M("510.00"), M("250.00"), M("104.00"), M("156.00"))
    run = PayrollRun.objects.get(county__code="371502", month=dt.date(2022, 4, 1))
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
        assert (row[4], row[7], row[12]) == (people[name], days, banks[name])
        assert [cents(v) for v in row[8:12]] == list(astuple(shares))
        assert {cell.number_format for cell in lines[name][8:12]} == {"#,##0.00"}
    assert [f"{cents(c.value)}" for c in lines["赵一"][8:12]] == ["510.00", "250.00", "104.00", "156.00"]
    totals = next(r for r in book["汇总"].iter_rows(values_only=True) if r[0] == "合计")
    assert totals[2] == 2
    assert [cents(v) for v in totals[3:7]] == [
        a + b for a, b in zip(astuple(full), astuple(short), strict=True)
    ]

    # Each role's landing page after the round: the pictures are drawn (canvas), nothing is missing.
    for page, name in ((clerk, "clerk"), (hr, "hr"), (finance, "finance")):
        page.goto(reverse("home"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("工作台")
        expect(page.locator("canvas").first).to_be_visible()
        shot(page, f"home-{name}")
    shot(clerk, "home-clerk", phone=True)

    # Another township's clerk, same county: every one of these addresses answers 404.
    stranger = signed_in(cast.other_clerk, reverse("placements:queue"))
    for url in (person_url, applications["赵一"], run_url, download_url):
        response = stranger.goto(url)
        assert response is not None and response.status == 404, url
        expect(stranger.get_by_role("heading", name="页面不存在")).to_be_visible()
        assert "赵一" not in stranger.content() and "孙三" not in stranger.content()
    shot(stranger, "other-township-404")
