"""Months of 东昌府区 paid through the bank (docs/policy.md §9.11).

January 2022 locked with five holders: 甲, 乙 (沙镇镇, 农业银行), 丙 (沙镇镇, 聊城农村商业银行: the
农商银行 by its alias), 丁 (堂邑镇, 农商行), 戊 (堂邑镇, 工商银行). Then 甲's January attendance is
corrected to 0 days and his February to 10 (February locked first with 20): March pays him 680.00
less 680.00 and 340.00 recovered, a net of −340.00, an amount to recover (待扣回), which April's
680.00 pays off (April: 340.00 through the bank)."""

import datetime as dt

import pytest

from people.models import Person
from subsidies import payroll
from subsidies.models import Attendance, PayrollRun
from tests import factories
from townships.models import County

D = dt.date
BANKS = {
    "甲": ("371502101", "6228480000000000011", "农业银行聊城分行"),
    "乙": ("371502101", "6228480000000000022", "中国农业银行"),
    "丙": ("371502101", "6228480000000000033", "聊城农村商业银行"),
    "丁": ("371502102", "6228480000000000044", "农商行堂邑支行"),
    "戊": ("371502102", "0622848000000000055", "工商银行"),
}


def month_locked(county: County, month: dt.date, cast) -> PayrollRun:
    run = payroll.compute_run(payroll.run_for(county, month), cast.finance)
    return payroll.lock(payroll.approve(run, cast.finance2), cast.finance2)


@pytest.fixture
def county(cast) -> County:
    return County.objects.get(code="371502")


@pytest.fixture
def holders(county) -> dict[str, Person]:
    people = {}
    for name, (town, account, bank) in BANKS.items():
        placement = factories.placement(town, name=name, bank_account=account)
        Person.objects.filter(pk=placement.person_id).update(bank_name=bank)
        people[name] = Person.objects.get(pk=placement.person_id)
    return people


@pytest.fixture
def january(cast, county, holders) -> PayrollRun:
    return month_locked(county, D(2022, 1, 1), cast)


@pytest.fixture
def march(cast, county, holders, january) -> PayrollRun:
    """February and March locked; 甲 owes 340.00 after March."""
    jia = holders["甲"].placements.get()
    month_locked(county, D(2022, 2, 1), cast)
    Attendance.objects.create(placement=jia, month=D(2022, 1, 1), days=0, recorded_by=cast.clerk)
    Attendance.objects.create(placement=jia, month=D(2022, 2, 1), days=10, recorded_by=cast.clerk)
    return month_locked(county, D(2022, 3, 1), cast)


@pytest.fixture
def eager(monkeypatch):
    """Run the batch making in the test process (CI has a broker but no worker for these tests)."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
