"""Payment batches (docs/policy.md §9.11): from a locked month, one batch per bank of one net per
person and township; a second finance user approves; bad requests are refused in Chinese with
nothing written."""

import datetime as dt
from decimal import Decimal as M

import pytest
from django.core.exceptions import ValidationError

from payments.banks import BankMatcher, banks_ensure
from payments.batches import batch_approve, batches_make, download_check
from payments.models import Bank, Batch, Item, Line, Recovery, Settlement
from payments.recoveries import repayment_record
from people.models import Person
from subsidies import payroll
from subsidies.models import PayrollLine, PayrollRun

from .conftest import month_locked

D = dt.date
PAY_DAY = D(2022, 1, 31)


def _lines(batch: Batch) -> list[tuple]:
    return list(batch.lines.order_by("seq").values_list("seq", "name", "account", "amount", "township_name"))


def test_one_batch_per_bank_of_the_locked_months_nets(cast, january) -> None:
    made = batches_make(run=january, actor=cast.finance, pay_date=PAY_DAY)
    by_bank = {b.bank.name: b for b in made}
    assert set(by_bank) == {"农业银行", "农商银行", "工商银行"}
    # 聊城农村商业银行 and 农商行堂邑支行 are one bank by its aliases; lines by township, village, name
    assert _lines(by_bank["农商银行"]) == [
        (1, "丙", "6228480000000000033", M("680.00"), "沙镇镇"),
        (2, "丁", "6228480000000000044", M("680.00"), "堂邑镇"),
    ]
    assert [(b.line_count, b.total, b.state) for b in made] == [
        (len(_lines(b)), sum(r[3] for r in _lines(b)), "made") for b in made
    ]
    assert by_bank["工商银行"].lines.get().account == "0622848000000000055"  # text: the leading 0 kept
    assert sum(b.total for b in made) == M("3400.00")
    assert set(Item.objects.values_list("state", flat=True)) == {Item.State.IN_BATCH}
    assert {i.batch_id for i in Item.objects.all()} == {b.pk for b in made}


def test_a_month_not_locked_is_refused(cast, county, holders) -> None:
    run = payroll.compute_run(payroll.run_for(county, D(2022, 1, 1)), cast.finance)
    with pytest.raises(ValidationError, match="只有已锁定的月份可以生成代发批次"):
        batches_make(run=run, actor=cast.finance, pay_date=PAY_DAY)
    assert not Batch.objects.exists() and not Item.objects.exists()


def test_a_second_batch_for_lines_already_in_one_is_refused(cast, january) -> None:
    bank = banks_ensure(january.county)[0]
    batches_make(run=january, actor=cast.finance, pay_date=PAY_DAY, bank=Bank.objects.get(name="工商银行"))
    again = Bank.objects.get(name="工商银行")
    with pytest.raises(ValidationError, match="没有待生成工商银行代发批次的明细"):
        batches_make(run=january, actor=cast.finance, pay_date=PAY_DAY, bank=again)
    made = batches_make(run=january, actor=cast.finance, pay_date=PAY_DAY)  # the other banks still
    assert {b.bank.name for b in made} == {"农业银行", "农商银行"} and bank is not None
    with pytest.raises(ValidationError, match="已生成的批次不能重复生成"):
        batches_make(run=january, actor=cast.finance, pay_date=PAY_DAY)
    assert Line.objects.count() == 5


def test_a_bank_not_in_the_county_table_is_refused_by_name(cast, holders, county) -> None:
    Person.objects.filter(pk=holders["戊"].pk).update(bank_name="某某村镇银行")
    run = month_locked(county, D(2022, 1, 1), cast)
    with pytest.raises(ValidationError, match="某某村镇银行（1人）"):
        batches_make(run=run, actor=cast.finance, pay_date=PAY_DAY)
    assert not Batch.objects.exists() and not Item.objects.exists()


def test_the_matcher_takes_the_longest_name() -> None:
    banks = [Bank(name="农业银行", aliases="农行"), Bank(name="农商银行", aliases="农村商业银行\n农商行")]
    match = BankMatcher(banks)
    farm, rural = match("中国农业银行聊城分行"), match("聊城农村商业银行股份有限公司")
    assert farm is not None and farm.name == "农业银行"
    assert rural is not None and rural.name == "农商银行"
    assert match("建设银行") is None


def test_a_second_finance_user_approves_never_the_maker(cast, january) -> None:
    batch = batches_make(run=january, actor=cast.finance, pay_date=PAY_DAY)[0]
    with pytest.raises(ValidationError, match="须审核后才能下载文件|须经另一名财务人员审核后才能下载文件"):
        download_check(batch)
    with pytest.raises(ValidationError, match="须由另一名财务人员审核"):
        batch_approve(batch=batch, actor=cast.finance)
    with pytest.raises(ValidationError, match="只有本区县的财务人员"):
        batch_approve(batch=batch, actor=cast.hr)
    batch = batch_approve(batch=batch, actor=cast.finance2)
    assert (batch.state, batch.approved_by) == ("approved", cast.finance2)
    download_check(batch)
    with pytest.raises(ValidationError, match="只有待审核的批次可以审核"):
        batch_approve(batch=batch, actor=cast.finance2)


def test_only_finance_of_the_county_makes_batches(cast, january) -> None:
    with pytest.raises(ValidationError, match="只有本区县的财务人员可以生成代发批次"):
        batches_make(run=january, actor=cast.hr, pay_date=PAY_DAY)


def test_a_negative_net_is_not_paid_but_recovered_from_the_next_month(cast, county, holders, march) -> None:
    """March: 甲 nets 680.00 − 680.00 − 340.00 = −340.00: no line, an amount to recover with the
    net's shares; April's 680.00 gives 340.00 of it up and 340.00 goes to the bank (docs/policy.md §9.11)."""
    made = batches_make(run=march, actor=cast.finance, pay_date=D(2022, 3, 31))
    assert "甲" not in {line.name for b in made for line in b.lines.all()}
    (owed,) = Recovery.objects.all()
    assert (owed.person, owed.amount, owed.settled) == (holders["甲"], M("340.00"), M("0.00"))
    assert owed.province + owed.city + owed.district == M("340.00")
    april = month_locked(county, D(2022, 4, 1), cast)
    made = batches_make(run=april, actor=cast.finance, pay_date=D(2022, 4, 30))
    (jia,) = [line for b in made for line in b.lines.all() if line.name == "甲"]
    assert jia.amount == M("340.00")
    owed.refresh_from_db()
    assert owed.settled == M("340.00") and owed.balance == 0
    (deducted,) = Settlement.objects.all()
    assert (deducted.kind, deducted.amount, deducted.item_id) == ("deducted", M("340.00"), jia.item_id)
    assert (deducted.province, deducted.city, deducted.district) == (owed.province, owed.city, owed.district)
    item = jia.item
    assert item.net == M("680.00") and item.amount + deducted.amount == item.net
    assert item.province + item.city + item.district == M("340.00")


def test_a_recovery_larger_than_the_next_net_is_carried_on(cast, county, holders, march) -> None:
    batches_make(run=march, actor=cast.finance, pay_date=D(2022, 3, 31))
    Recovery.objects.update(amount=M("1000.00"), province=M("500.00"), city=M("200.00"), district=M("300.00"))
    april = month_locked(county, D(2022, 4, 1), cast)
    made = batches_make(run=april, actor=cast.finance, pay_date=D(2022, 4, 30))
    assert "甲" not in {line.name for b in made for line in b.lines.all()}
    jia = Item.objects.get(run=april, person=holders["甲"])
    assert (jia.state, jia.amount) == (Item.State.PAID, M("0.00"))  # wholly taken by the recovery
    owed = Recovery.objects.get()
    assert (owed.settled, owed.balance) == (M("680.00"), M("320.00"))
    may = month_locked(county, D(2022, 5, 1), cast)
    made = batches_make(run=may, actor=cast.finance, pay_date=D(2022, 5, 31))
    (line,) = [line for b in made for line in b.lines.all() if line.name == "甲"]
    assert line.amount == M("360.00")
    owed.refresh_from_db()
    assert owed.balance == 0
    sums = [sum(getattr(s, p) for s in owed.settlements.all()) for p in ("province", "city", "district")]
    assert sums == [M("500.00"), M("200.00"), M("300.00")]  # the last settlement takes what is left


def test_a_repayment_settles_what_is_owed(cast, march) -> None:
    batches_make(run=march, actor=cast.finance, pay_date=D(2022, 3, 31))
    owed = Recovery.objects.get()
    with pytest.raises(ValidationError, match="超过尚未扣回"):
        repayment_record(
            recovery=owed, amount=M("340.01"), on=D(2022, 4, 5), note="收据1", actor=cast.finance
        )
    with pytest.raises(ValidationError, match="只有本区县的财务人员可以登记退回"):
        repayment_record(recovery=owed, amount=M("100"), on=D(2022, 4, 5), note="收据1", actor=cast.clerk)
    repayment_record(recovery=owed, amount=M("100"), on=D(2022, 4, 5), note="收据1", actor=cast.finance)
    repayment_record(recovery=owed, amount=M("240"), on=D(2022, 4, 9), note="收据2", actor=cast.finance)
    owed.refresh_from_db()
    assert owed.balance == 0 and owed.settlements.count() == 2


def test_every_line_kind_nets_in_a_bonus_too(cast, january, holders) -> None:
    """Whatever kinds of line a month has (绩效奖励 among them), the batch pays their net."""
    line = PayrollLine.objects.filter(run=january, placement__person=holders["乙"]).get()
    PayrollLine.objects.create(
        run=january,
        placement=line.placement,
        township=line.township,
        line=line.line,
        kind=PayrollLine.Kind.BONUS,
        days_on_post=0,
        days_attended=0,
        fraction=0,
        pay=M("500.00"),
        province=0,
        city=0,
        district=M("500.00"),
        payee_name=line.payee_name,
        payee_id_number=line.payee_id_number,
        bank_account=line.bank_account,
        bank_name=line.bank_name,
    )
    made = batches_make(run=january, actor=cast.finance, pay_date=PAY_DAY)
    (yi,) = [line for b in made for line in b.lines.all() if line.name == "乙"]
    assert yi.amount == M("1180.00")
    assert PayrollRun.objects.get(pk=january.pk).state == "locked"
