"""The payment sheet (issue 17, docs/policy.md §9.8): one row per person and township with the net
amount (当月补贴 + 补发 − 扣回) and its parts; a net below 0 is not paid but listed apart as an
amount to recover (待扣回); a net of exactly 0 is neither, named in the note. Read back from the
workbook a user downloads, to the fen."""

import datetime as dt
import io
from decimal import Decimal as M

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from people.models import Person
from subsidies import payroll
from subsidies.exports import payroll_workbook_write, township_totals
from subsidies.models import Attendance, PayrollLine, PayrollRun
from tests import factories
from townships.models import County, Township

D = dt.date
CENT = M("0.01")
MONEY = ("当月补贴", "补发", "扣回", "实发金额", "省级承担", "市级承担", "区级承担")


def _month(county: County, month: dt.date, cast, *, lock: bool) -> PayrollRun:
    run = payroll.compute_run(payroll.run_for(county, month), cast.finance)
    if lock:
        run = payroll.lock(payroll.approve(run, cast.finance2), cast.finance2)
    return run


@pytest.fixture
def march(cast) -> PayrollRun:
    """东昌府区 March 2022 after January and February were locked and then corrected:
    沙镇镇 — 补发人 (February paid for 10 days, then 20: 补发 340.00 beside March's 680.00),
    离岗人 (left on 31 January, recorded in March: February's 680.00 recovered, no March pay),
    相抵人 (January's attendance corrected to 0: January's 680.00 recovered from March's 680.00,
    net 0), 在岗人 (March only); 堂邑镇 — 堂邑人 (March only)."""
    county = County.objects.get(code="371502")
    back = factories.placement("371502101", name="补发人", bank_account="6228480000000000011")
    left = factories.placement("371502101", name="离岗人", bank_account="6228480000000000022")
    even = factories.placement("371502101", name="相抵人", bank_account="6228480000000000033")
    factories.placement("371502101", name="在岗人", bank_account="6228480000000000044")
    factories.placement("371502102", name="堂邑人", bank_account="6228480000000000055")
    _month(county, D(2022, 1, 1), cast, lock=True)
    short = Attendance.objects.create(placement=back, month=D(2022, 2, 1), days=10, recorded_by=cast.clerk)
    _month(county, D(2022, 2, 1), cast, lock=True)
    short.days = 20  # the attendance of locked February corrected
    short.save()
    left.exit_date = D(2022, 1, 31)  # the exit recorded late
    left.save()
    Attendance.objects.create(placement=even, month=D(2022, 1, 1), days=0, recorded_by=cast.clerk)
    run = _month(county, D(2022, 3, 1), cast, lock=False)
    kinds = sorted(run.lines.values_list("placement__person__name", "kind"))
    assert kinds == [
        ("在岗人", "regular"),
        ("堂邑人", "regular"),
        ("相抵人", "recovery"),
        ("相抵人", "regular"),
        ("离岗人", "recovery"),
        ("补发人", "back_pay"),
        ("补发人", "regular"),
    ]
    return run


def _book(run: PayrollRun, **options) -> Workbook:
    buffer = io.BytesIO()
    payroll_workbook_write(run=run, target=buffer, **options)
    buffer.seek(0)
    return load_workbook(buffer)


def _cents(value: object) -> M:
    return M(str(value)).quantize(CENT)


def _table(sheet) -> tuple[list[str], list[dict], dict, str]:
    """The header, the data rows (as dicts, money as Decimal), the totals row and the note."""
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(rows) if row[0] == "序号")
    headers = rows[start]
    note = rows[1][0] if start == 2 else ""
    end = next(i for i, row in enumerate(rows) if row[0] == "合计")

    def record(row: list) -> dict:
        money = (*MONEY, "待扣回金额")
        return {h: _cents(v) if h in money else v for h, v in zip(headers, row, strict=True)}

    data = [record(row) for row in rows[start + 1 : end] if row[0] is not None]
    return headers, data, record(rows[end]), note


def test_one_row_per_person_with_the_net_and_its_parts(march) -> None:
    book = _book(march)
    assert book.sheetnames == ["汇总", "沙镇镇发放表", "堂邑镇发放表", "待扣回", "沙镇镇", "堂邑镇"]
    headers, rows, totals, note = _table(book["沙镇镇发放表"])
    assert (
        headers
        == [
            "序号",
            "村（社区）",
            "姓名",
            "身份证号",
            "开户银行",
            "银行账号",
            *MONEY[:3],
            "绩效奖励",  # docs/policy.md §9.10: a column of its own, inside the net
            *MONEY[3:],
        ]
    )
    people = {row["姓名"]: row for row in rows}
    assert set(people) == {"补发人", "在岗人"}  # the leaver and the person whose lines cancel are not paid
    back = people["补发人"]
    assert [back[k] for k in MONEY] == [
        M("680.00"),
        M("340.00"),
        M("0.00"),
        M("1020.00"),
        M("500.00"),
        M("208.00"),
        M("312.00"),
    ]
    assert back["银行账号"] == "6228480000000000011"
    assert back["身份证号"] == Person.objects.get(name="补发人").id_number
    assert [people["在岗人"][k] for k in MONEY] == [
        M("680.00"),
        M("0.00"),
        M("0.00"),
        M("680.00"),
        M("333.33"),
        M("138.67"),
        M("208.00"),
    ]
    assert [row["序号"] for row in rows] == [1, 2]
    assert totals["姓名"] == "2人"
    assert [totals[k] for k in MONEY] == [
        M("1360.00"),
        M("340.00"),
        M("0.00"),
        M("1700.00"),
        M("833.33"),
        M("346.67"),
        M("520.00"),
    ]
    assert "实发金额 = 当月补贴 + 补发 − 扣回" in note
    assert "实发金额小于0的人员不发放，列入“待扣回”表" in note and "本镇街待扣回1人，共680.00元" in note
    assert "实发金额为0的人员（扣回与应发相抵）不发放，也不扣回" in note
    assert "实发金额为0、不发放也不扣回的人员：相抵人。" in note
    sheet = book["沙镇镇发放表"]
    assert {sheet.cell(row=4, column=c).number_format for c in range(7, 14)} == {"#,##0.00"}
    assert sheet.cell(row=4, column=6).data_type == "s"  # the bank account as text


def test_a_leaver_with_only_a_recovery_is_listed_apart_to_recover(march) -> None:
    book = _book(march)
    headers, rows, totals, note = _table(book["待扣回"])
    assert headers[:5] == ["序号", "镇街", "村（社区）", "姓名", "身份证号"] and "银行账号" not in headers
    (left,) = rows
    assert (left["镇街"], left["姓名"]) == ("沙镇镇", "离岗人")
    assert [left[k] for k in MONEY] == [
        M("0.00"),
        M("0.00"),
        M("680.00"),
        M("-680.00"),
        M("-333.34"),
        M("-138.66"),
        M("-208.00"),
    ]
    assert left["待扣回金额"] == M("680.00")
    assert (totals["姓名"], totals["实发金额"], totals["待扣回金额"]) == ("1人", M("-680.00"), M("680.00"))
    assert "实发金额小于0的人员不发放" in note and "不发放也不扣回的人员：相抵人（沙镇镇）" in note
    for name in ("离岗人", "相抵人"):  # on no payment sheet, with or without an account
        for sheet in ("沙镇镇发放表", "堂邑镇发放表"):
            assert name not in {row["姓名"] for row in _table(book[sheet])[1]}
    # the lines sheet still lists every line as computed
    lines = [row[3] for row in book["沙镇镇"].iter_rows(min_row=3, values_only=True)]
    assert lines.count("补发人") == 2 and lines.count("离岗人") == 1


def test_the_sheets_add_up_to_the_runs_totals_by_party(cast, march) -> None:
    """Paid nets plus nets to recover are the run's amounts, township by township and party by
    party (the person whose lines cancel out adds 0 to each); 汇总 says the same."""
    book = _book(march)
    run_totals = township_totals(march)
    names = dict(Township.objects.values_list("pk", "name"))
    recover = _table(book["待扣回"])[1]
    shares = {"实发金额": "pay", "省级承担": "province", "市级承担": "city", "区级承担": "district"}
    for township_id, expected in run_totals.items():
        town = names[township_id]
        paid = _table(book[f"{town}发放表"])[2]
        owed = [row for row in recover if row["镇街"] == town]
        for column, key in shares.items():
            assert paid[column] + sum((row[column] for row in owed), M("0.00")) == expected[key], (town, key)
    # and the run page's totals (the same definition, through the scoping gate)
    page = cast.client(cast.finance).get(reverse("subsidies:run-detail", args=[march.pk]))
    by_code = {t["township__code"]: t for t in page.context["townships"]}
    assert by_code["371502101"]["pay"] == M("1020.00") == M("1700.00") - M("680.00")
    summary = {row[0]: row for row in book["汇总"].iter_rows(min_row=3, values_only=True) if row[0]}
    _, _, people, pay, province, city, district, paid_people, paid, owed_people, owed = summary["371502101"]
    assert (people, paid_people, owed_people) == (3, 2, 1)
    assert [_cents(v) for v in (pay, province, city, district, paid, owed)] == [
        M("1020.00"),
        M("499.99"),
        M("208.01"),
        M("312.00"),
        M("1700.00"),
        M("680.00"),
    ]
    grand = summary["合计"]
    assert (grand[7], _cents(grand[8]), grand[9], _cents(grand[10])) == (3, M("2380.00"), 1, M("680.00"))
    sums = PayrollLine.objects.filter(run=march)
    assert _cents(grand[3]) == sum(line.pay for line in sums) == _cents(grand[8]) - _cents(grand[10])


def test_the_run_page_says_who_is_paid_and_what_is_to_recover(cast, march) -> None:
    page = cast.client(cast.finance).get(reverse("subsidies:run-detail", args=[march.pk]))
    text = page.content.decode()
    assert "发放：<strong>3</strong>人，实发金额合计<strong>2380.00</strong>元" in text
    assert "待扣回：<strong>1</strong>人，合计<strong>680.00</strong>元" in text
    assert "实发金额为0的1人不发放，也不扣回" in text
    totals = page.context["payment"]
    assert (totals.paid_people, totals.paid, totals.recover_people, totals.recover, totals.zero_people) == (
        3,
        M("2380.00"),
        1,
        M("680.00"),
        1,
    )


def test_a_locked_months_payment_sheet_pays_the_frozen_payee_and_hr_sees_numbers_masked(cast, march) -> None:
    locked = payroll.lock(payroll.approve(march, cast.finance2), cast.finance2)
    back = Person.objects.get(name="补发人")
    changed = {"name": "改名人", "bank_account": "6217000099998888777", "bank_name": "建设银行"}
    Person.objects.filter(pk=back.pk).update(**changed)
    masked = f"{back.id_number[:6]}********{back.id_number[-4:]}"
    for user, shown in ((cast.finance, back.id_number), (cast.hr, masked)):
        response = cast.client(user).get(reverse("subsidies:run-download", args=[locked.pk]))
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        rows = {row["姓名"]: row for row in _table(book["沙镇镇发放表"])[1]}
        assert "改名人" not in rows
        paid = rows["补发人"]
        assert (paid["身份证号"], paid["实发金额"]) == (shown, M("1020.00"))
        account = "6228480000000000011" if user == cast.finance else "*" * 15 + "0011"
        assert paid["银行账号"] == account
        owed = _table(book["待扣回"])[1][0]
        number = Person.objects.get(name="离岗人").id_number
        assert owed["身份证号"] == (number if user == cast.finance else f"{number[:6]}********{number[-4:]}")


def test_one_townships_workbook_holds_its_people_only(cast, march, tmp_path) -> None:
    path = tmp_path / "one.xlsx"
    call_command(
        "export_payroll",
        "--county",
        "371502",
        "--month",
        "2022-03",
        "--township",
        "371502102",
        "--output",
        str(path),
    )
    book = load_workbook(path)
    assert book.sheetnames == ["汇总", "堂邑镇发放表", "待扣回", "堂邑镇"]
    (row,) = _table(book["堂邑镇发放表"])[1]
    assert (row["姓名"], row["实发金额"]) == ("堂邑人", M("680.00"))
    _, owed, totals, note = _table(book["待扣回"])
    assert owed == [] and totals["待扣回金额"] == M("0.00") and "相抵人" not in note


def test_a_month_without_corrections_pays_each_person_their_line(cast) -> None:
    factories.placement("371502101", name="王秀英")
    factories.placement("371502101", name="李建国", on_post=D(2022, 3, 16))
    run = _month(County.objects.get(code="371502"), D(2022, 3, 1), cast, lock=False)
    _, rows, totals, note = _table(_book(run)["沙镇镇发放表"])
    assert {row["姓名"]: row["实发金额"] for row in rows} == {"王秀英": M("680.00"), "李建国": M("350.97")}
    assert totals["实发金额"] == M("1030.97") and "本镇街待扣回" not in note and "实发金额为0、" not in note
    assert "实发金额为0的人员（扣回与应发相抵）不发放，也不扣回" in note  # the rule, always said
    assert _table(_book(run)["待扣回"])[1] == []
