"""Contracted agencies (第三方人力资源服务机构, docs/policy.md §1.5): the county administrator records the
agency and its contracts; its staff may do exactly the contract's acts, in its townships, while it
runs (judged at the act's date); every act is recorded under the agency's name."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit import record
from audit.context import acting_as
from audit.models import Entry
from audit.selectors import entry_rows
from people.models import Person
from tests import factories
from townships.access import Act, act_check, may_act, visible_counties, visible_townships, visible_villages
from townships.agencies import agency_create, agency_user_ensure, contract_create, credit_code_check
from townships.models import Agency, AgencyContract, County, Membership, Role, Township

CODE = "91371502MA3C4K7P04"  # a valid 统一社会信用代码 (GB 32100-2015 check character)
TODAY = timezone.localdate()


@pytest.fixture
def shazhen(cast) -> Township:
    return Township.objects.get(code="371502101")


@pytest.fixture
def agency(cast) -> Agency:
    return agency_create(
        county=County.objects.get(code="371502"), name="聊城众诚人力资源公司", credit_code=CODE
    )


@pytest.fixture
def contract(agency, shazhen) -> AgencyContract:
    """沙镇镇's attendance and applicants, running today."""
    return contract_create(
        agency=agency,
        number="HT-1",
        townships=[shazhen],
        start_date=TODAY - dt.timedelta(days=30),
        end_date=TODAY + dt.timedelta(days=30),
        attendance=True,
        applicants=True,
        actor=None,
    )


@pytest.fixture
def staff(agency, contract) -> User:
    return agency_user_ensure(agency=agency, username="agency_zhang", password="agency-pass-1")


def test_a_credit_code_with_a_wrong_check_character_is_refused_in_chinese(cast) -> None:
    credit_code_check(CODE)
    credit_code_check("91350100M000100Y43")  # the standard's own example
    with pytest.raises(ValidationError, match="校验位不正确"):
        credit_code_check(CODE[:-1] + "5")
    with pytest.raises(ValidationError, match="18位"):
        agency_create(county=County.objects.get(code="371502"), name="某公司", credit_code="9137150")
    assert not Agency.objects.exists()


def test_the_staff_may_do_only_the_granted_acts_in_the_contracts_townships_and_dates(
    cast, staff, contract, shazhen
) -> None:
    start, end = contract.start_date, contract.end_date
    assert may_act(staff, Act.ATTENDANCE, shazhen, start) and may_act(staff, Act.APPLICANTS, shazhen, end)
    assert not may_act(staff, Act.ASSESSMENT, shazhen, TODAY)  # not granted
    assert not may_act(staff, Act.ATTENDANCE, shazhen, start - dt.timedelta(days=1))  # before
    assert not may_act(staff, Act.ATTENDANCE, shazhen, end + dt.timedelta(days=1))  # after
    other = Township.objects.get(code="371502102")
    assert not may_act(staff, Act.ATTENDANCE, other, TODAY)  # not contracted
    with pytest.raises(ValidationError, match="无权在堂邑镇办理考勤"):
        act_check(staff, Act.ATTENDANCE, other, TODAY)
    # the clerk in their own township, nobody else
    assert may_act(cast.clerk, Act.ASSESSMENT, shazhen, TODAY)
    assert not may_act(cast.other_clerk, Act.ATTENDANCE, shazhen, TODAY)
    assert not may_act(cast.hr, Act.APPLICANTS, shazhen, TODAY)
    staff.is_active = False
    assert not may_act(staff, Act.ATTENDANCE, shazhen, TODAY)


def test_the_staff_see_the_townships_of_contracts_running_today_and_no_county(
    cast, staff, contract, shazhen
) -> None:
    assert list(visible_townships(staff)) == [shazhen]
    assert set(visible_villages(staff)) == set(shazhen.villages.all())
    assert not visible_counties(staff).exists()
    AgencyContract.objects.filter(pk=contract.pk).update(end_date=TODAY - dt.timedelta(days=1))
    assert not visible_townships(staff).exists() and not visible_villages(staff).exists()
    AgencyContract.objects.filter(pk=contract.pk).update(
        start_date=TODAY + dt.timedelta(days=1), end_date=TODAY + dt.timedelta(days=9)
    )
    assert not visible_townships(staff).exists()


def test_a_contract_ending_before_it_starts_is_refused(cast, agency, shazhen) -> None:
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        contract_create(
            agency=agency,
            number="HT-X",
            townships=[shazhen],
            start_date=dt.date(2026, 5, 1),
            end_date=dt.date(2026, 4, 30),
            attendance=True,
        )
    with pytest.raises(ValidationError, match="至少须约定一项委托事项"):
        contract_create(
            agency=agency,
            number="HT-Y",
            townships=[shazhen],
            start_date=dt.date(2026, 5, 1),
            end_date=dt.date(2026, 5, 30),
        )
    with pytest.raises(ValidationError, match="鼓楼街道不属于东昌府区"):
        contract_create(
            agency=agency,
            number="HT-Z",
            townships=[Township.objects.get(code="370812001")],
            start_date=dt.date(2026, 5, 1),
            end_date=dt.date(2026, 5, 30),
            attendance=True,
        )
    assert not AgencyContract.objects.exists()


def test_overlapping_contracts_of_one_agency_for_one_township_are_refused_naming_the_other(
    cast, agency, contract, shazhen
) -> None:
    other = Township.objects.get(code="371502102")
    with pytest.raises(ValidationError, match="与本机构的合同HT-1（.*）在沙镇镇的期限重叠"):
        contract_create(
            agency=agency,
            number="HT-2",
            townships=[other, shazhen],
            start_date=contract.end_date,
            end_date=contract.end_date + dt.timedelta(days=365),
            assessment=True,
        )
    assert AgencyContract.objects.count() == 1
    # the day after it ends, or another township, is no overlap
    after = contract_create(
        agency=agency,
        number="HT-2",
        townships=[shazhen],
        start_date=contract.end_date + dt.timedelta(days=1),
        end_date=contract.end_date + dt.timedelta(days=365),
        assessment=True,
    )
    beside = contract_create(
        agency=agency,
        number="HT-3",
        townships=[other],
        start_date=contract.start_date,
        end_date=contract.end_date,
        assessment=True,
    )
    assert after.grants() == ["绩效考核评分"] and list(beside.townships.all()) == [other]


def test_the_database_holds_an_agency_to_the_agency_role_only(cast, staff, agency, shazhen) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=staff).update(agency=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=cast.clerk).update(agency=agency)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=staff).update(township=shazhen)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyContract.objects.update(end_date=dt.date(2000, 1, 1))


def test_every_act_of_the_staff_is_recorded_under_the_agencys_name(cast, staff) -> None:
    person = factories.person("371502101")
    with acting_as(staff, "网页"):
        person.note = "机构登记"
        person.save()
        record.write(
            Person,
            [record.Change(pk=person.pk, label=person.name, before={"note": "a"}, after={"note": "b"})],
        )
    entries = list(Entry.objects.filter(actor=staff).order_by("pk"))
    assert len(entries) == 2 and all(e.additional_data == {"agency": "聊城众诚人力资源公司"} for e in entries)
    assert {row.who for row in entry_rows(entries)} == {"聊城众诚人力资源公司 · agency_zhang"}
    with acting_as(cast.clerk, "网页"):
        person.note = "经办人改"
        person.save()
    (clerks,) = entry_rows(list(Entry.objects.filter(actor=cast.clerk)))
    assert clerks.who == "clerk" and clerks.entry.additional_data is None
    page = cast.client(cast.auditor).get(reverse("audit:county-log"))
    assert "聊城众诚人力资源公司 · agency_zhang" in page.content.decode()


def test_the_county_administrator_records_agency_contract_and_staff_in_the_admin(cast, shazhen) -> None:
    admin = cast.client(cast.county_admin)
    county = County.objects.get(code="371502")
    add = reverse("admin:townships_agency_add")
    refused = admin.post(
        add, {"county": county.pk, "name": "某公司", "credit_code": CODE[:-1] + "5", **_inline()}
    )
    assert "校验位不正确" in refused.content.decode() and not Agency.objects.exists()
    assert (
        admin.post(add, {"county": county.pk, "name": "某公司", "credit_code": CODE, **_inline()}).status_code
        == 302
    )
    agency = Agency.objects.get()
    url = reverse("admin:townships_agencycontract_add")
    data = {
        "agency": agency.pk,
        "number": "HT-9",
        "townships": [shazhen.pk],
        "start_date": "2026-01-01",
        "end_date": "2025-12-31",
        "attendance": "on",
    }
    refused = admin.post(url, data)
    assert "合同结束日期不能早于开始日期" in refused.content.decode() and not AgencyContract.objects.exists()
    assert admin.post(url, {**data, "end_date": "2026-12-31"}).status_code == 302
    overlapping = admin.post(url, {**data, "number": "HT-10", "end_date": "2026-12-31"})
    assert "与本机构的合同HT-9" in overlapping.content.decode() and AgencyContract.objects.count() == 1
    assert AgencyContract.objects.get().recorded_by == cast.county_admin
    user = User.objects.create_user("agency_li")
    membership = reverse("admin:townships_membership_add")
    refused = admin.post(membership, {"user": user.pk, "role": Role.AGENCY})
    assert "第三方机构人员必须选择所属第三方人力资源服务机构" in refused.content.decode()
    assert (
        admin.post(membership, {"user": user.pk, "role": Role.AGENCY, "agency": agency.pk}).status_code == 302
    )
    assert Membership.objects.get(user=user).agency == agency


def _inline() -> dict[str, str]:
    """The management form of the agency page's contracts (read-only rows)."""
    prefix = "contracts"
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "0"}
