"""The county's pay policies and banks on their pages (docs/policy.md §8.1, §9.11), in Chromium at
1280×800 and on a phone at 390×844: HR opens 补贴标准 from the menu, adds a policy on the form
(the open one is closed the day before) and previews a sheet; the county administrator adds a
bank and previews a banks sheet. No page scrolls sideways on the phone; screenshots of each."""

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from payments.bank_sheet import BANK_COLUMNS, BANK_OPTIONAL
from payments.banks import STANDARD
from subsidies.policy_sheet import POLICY_COLUMNS, POLICY_OPTIONAL
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, Shots
from tests.factories import xlsx

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]
WIDE: ViewportSize = {"width": 1280, "height": 800}


def both(page: Page, shot: Shots, name: str) -> None:
    """A screenshot at 1280×800 and one at 390×844, where the page must not scroll sideways."""
    page.set_viewport_size(WIDE)
    shot(page, name)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], name
    shot(page, name, phone=True)
    page.set_viewport_size(WIDE)


def test_hr_adds_a_policy_and_previews_a_sheet(
    cast: Cast, signed_in: Callable[..., Page], shot: Shots, tmp_path: Path
) -> None:
    page = signed_in(cast.hr, "/")
    page.get_by_role("link", name="补贴标准").click()
    expect(page.get_by_role("heading", name="东昌府区补贴标准与资金分担")).to_be_visible()
    both(page, shot, "policies")
    page.get_by_role("link", name="新增补贴标准").click()
    page.get_by_label("城乡").select_option("urban")
    page.get_by_label("起始日期").fill("2026-01-01")
    page.locator("#id_document").fill("东昌政办字〔2026〕1号")
    page.get_by_label("补贴标准方式").select_option("monthly")
    page.get_by_label("月补贴（元）").fill("2000")
    page.get_by_label("资金分担方式").select_option("district")
    both(page, shot, "policy-form")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("的截止日期定为2025-12-31")).to_be_visible()
    expect(page.get_by_text("2026-01-01至今后")).to_be_visible()
    both(page, shot, "policies-after")
    page.get_by_role("link", name="从表格导入").click()
    amounts = {"年补贴（元/人）": "10000", "省级比例（%）": "40", "市级比例（%）": "20"}
    row = ["乡村", "2026-01-01", "东昌政办字〔2026〕1号", "每年固定", 20, "省市比例"]
    row += [amounts.get(column, "") for column in POLICY_OPTIONAL]
    path = tmp_path / "policies.xlsx"
    path.write_bytes(xlsx([row], [*POLICY_COLUMNS, *POLICY_OPTIONAL]).getvalue())
    page.get_by_label("补贴标准表格（.xlsx 或 .xls）").set_input_files(path)
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_text("检查通过，共1行，尚未导入")).to_be_visible()
    expect(page.get_by_text("乡村岗位「东昌政办字〔2022〕4号」的截止日期将定为2025-12-31")).to_be_visible()
    both(page, shot, "policies-import-preview")


def test_the_county_administrator_adds_a_bank_and_previews_a_sheet(
    cast: Cast, signed_in: Callable[..., Page], shot: Shots, tmp_path: Path
) -> None:
    page = signed_in(cast.county_admin, "/payments/banks/371502/")
    expect(page.get_by_role("heading", name="东昌府区代发银行")).to_be_visible()
    page.get_by_role("link", name="新增代发银行").click()
    page.get_by_label("银行名称").fill("泰山银行")
    page.get_by_label("别名").fill("泰山行")
    page.get_by_label("代发文件格式").select_option(STANDARD)
    both(page, shot, "bank-form")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存代发银行泰山银行")).to_be_visible()
    both(page, shot, "banks")
    page.get_by_role("link", name="从表格导入").click()
    path = tmp_path / "banks.xlsx"
    path.write_bytes(xlsx([["泰山银行", "招商格式", ""]], [*BANK_COLUMNS, *BANK_OPTIONAL]).getvalue())
    page.get_by_label("代发银行表格（.xlsx 或 .xls）").set_input_files(path)
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_text("共2处错误，未导入任何数据")).to_be_visible()
    both(page, shot, "banks-import-refused")
