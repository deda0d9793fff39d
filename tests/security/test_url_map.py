"""Every URL the site has, for every kind of visitor: an anonymous visitor is sent to log in
everywhere; a clerk of another township and the officers of another county get 404 for every
address that names one of 沙镇镇's (or 东昌府区's) objects, by GET and by POST; the admin is for
county administrators only. A new URL fails `test_every_url_is_in_the_map` until it is placed."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.services import village_user_create
from assessment.models import BonusRound, BonusRule, Scheme, Sheet
from common.models import Job
from payments.banks import banks_ensure
from payments.models import Batch, Recovery
from people.bank import bank_change_request
from people.models import GroupClaim
from placements import insurance
from placements.models import InsurancePolicy, Placement, Publicity
from subsidies import payroll
from subsidies.models import SubsidyPolicy
from tests import factories
from tests.placements.conftest import recruiting  # noqa: F401
from townships.models import County


@dataclass(frozen=True)
class Address:
    name: str
    args: tuple = ()
    post: bool = False  # the view answers POST only
    scope: str = ""  # "township": names a 沙镇镇 object; "county": a 东昌府区 object; "": neither


def url_names() -> set[str]:
    found: set[str] = set()

    def walk(patterns: list, namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                # the data interface answers by token (401, not a login redirect): tests/api
                if pattern.namespace not in ("admin", "api"):
                    walk(pattern.url_patterns, f"{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return found


@pytest.fixture
def addresses(recruiting) -> list[Address]:  # noqa: F811
    (application,) = recruiting.to_approved(1)
    recruiting.to_placed(application)
    person = application.person
    claim = GroupClaim.objects.filter(person=person).first()
    assert claim is not None  # the person was registered with a group
    change = bank_change_request(
        person=person, bank_account="6217000099998888777", bank_name="", actor=recruiting.cast.hr
    )
    publicity = Publicity.objects.get()
    run = payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), dt.date(2022, 4, 1)))
    job = Job.objects.create(user=recruiting.cast.clerk, listing="people", title="导出人员名单")
    announcement, app = recruiting.announcement.pk, application.pk
    placement = Placement.objects.get(application=app).pk
    on_post = Placement.objects.get(pk=placement)
    # the village user of the holder's village: their month and the holder's accident are theirs
    keeper, _ = village_user_create(
        actor=recruiting.cast.clerk, village=on_post.post.village, username="cun_map"
    )
    accident = insurance.accident_record(
        placement=on_post, occurred_on=on_post.on_post_date, description="摔伤", actor=recruiting.cast.clerk
    )
    policy = InsurancePolicy.objects.create(
        county=on_post.township.county,
        insurer="中国人寿",
        number="P1",
        start_date=on_post.on_post_date,
        end_date=on_post.on_post_date,
        premium=50,
        recorded_by=recruiting.cast.hr,
    )
    leaver = factories.placement("371502101", exit_date=dt.date(2022, 6, 30), name="离岗人").pk
    village = Placement.objects.get(application=app).post.village_id
    bank = banks_ensure(run.county)[0].pk
    pay_policy = SubsidyPolicy.objects.filter(county=run.county).values_list("pk", flat=True)[0]
    batch = Batch.objects.create(
        county=run.county,
        run=run,
        bank_id=bank,
        pay_date=dt.date(2022, 4, 30),
        made_by=recruiting.cast.finance,
    ).pk
    recovery = Recovery.objects.create(
        county=run.county,
        run=run,
        township=person.township,
        person=person,
        amount=1,
        province=0,
        city=0,
        district=1,
    ).pk
    sheet, bonus_round = assessment_objects(recruiting.cast, Placement.objects.get(application=app))
    return [
        Address("home"),
        Address("login"),
        Address("logout", post=True),
        Address("posts:plan-detail", ("371502", 2022), scope="county"),
        Address("posts:plan-download", ("371502", 2022), scope="county"),
        Address("posts:post-list"),
        Address("posts:post-open", post=True),
        Address("posts:announcement-list"),
        Address("posts:announcement-detail", (announcement,), scope="county"),
        Address("posts:announcement-pdf", (announcement,), scope="county"),
        Address("people:person-list"),
        Address("people:person-create"),
        Address("people:person-detail", (person.pk,), scope="township"),
        Address("people:person-edit", (person.pk,), scope="township"),
        Address("people:claim-decide", (claim.pk,), post=True, scope="township"),
        Address("people:bank-change-decide", (change.pk,), post=True, scope="township"),
        Address("people:import-upload"),
        Address("people:import-template"),
        Address("people:import-preview", ("0" * 32,)),
        Address("people:import-confirm", ("0" * 32,), post=True),
        Address("people:import-errors", ("0" * 32,)),
        Address("people:roster-list"),
        Address("placements:queue"),
        Address("placements:placement-list"),
        Address("placements:apply"),
        Address("placements:apply-pick"),
        Address("placements:review"),
        Address("placements:publicity-new"),
        Address("placements:approve"),
        Address("placements:alerts"),
        Address("placements:migration-upload"),
        Address("placements:application-detail", (app,), scope="township"),
        Address("placements:batch-agree"),
        Address("placements:batch-train"),
        Address("placements:batch-place"),
        Address("placements:agreements-print"),
        Address("placements:agreements-pdf"),
        Address("placements:application-approve", (app,), post=True, scope="township"),
        Address("placements:application-agree", (app,), post=True, scope="township"),
        Address("placements:application-train", (app,), post=True, scope="township"),
        Address("placements:application-place", (app,), post=True, scope="township"),
        Address("placements:application-close", (app,), post=True, scope="township"),
        Address("placements:objection", (app,), post=True, scope="township"),
        Address("placements:objection-resolve", (app,), post=True, scope="township"),
        Address("placements:placement-exit", (app,), post=True, scope="township"),
        Address("placements:placement-renew", (app,), post=True, scope="township"),
        Address("placements:placement-extend", (app,), post=True, scope="township"),
        Address("placements:agreement-print", (app, 1), scope="township"),
        Address("placements:agreement-pdf", (app, 1), scope="township"),
        Address("placements:publicity-print", (publicity.pk,), scope="township"),
        Address("placements:publicity-pdf", (publicity.pk,), scope="township"),
        Address("placements:insurance-list"),
        Address("placements:insurance-detail", (policy.pk,), scope="county"),
        Address("placements:insurance-roster"),
        Address("placements:accident-list"),
        Address("placements:accident-new", (placement,), scope="township"),
        Address("placements:accident-detail", (accident.pk,), scope="township"),
        Address("placements:accident-claim", (accident.pk,), post=True, scope="township"),
        Address("placements:followup-list"),
        Address("placements:followup-detail", (leaver,), scope="township"),
        Address("placements:followup-referral", (leaver,), post=True, scope="township"),
        Address("placements:followup-entry", (leaver,), post=True, scope="township"),
        Address("subsidies:run-list"),
        Address("subsidies:run-start", post=True),
        Address("subsidies:attendance"),
        Address("subsidies:attendance-villages"),
        Address("subsidies:attendance-grid", (village,), scope="township"),
        Address("subsidies:attendance-template"),
        Address("subsidies:village-home"),
        Address("subsidies:village-month", (village,), scope="township"),
        Address("subsidies:costs"),
        Address("subsidies:costs-download"),
        Address("subsidies:run-detail", (run.pk,), scope="county"),
        Address("subsidies:run-lines", (run.pk,), scope="county"),
        Address("subsidies:run-progress", (run.pk,), scope="county"),
        Address("subsidies:run-decide", (run.pk,), post=True, scope="county"),
        Address("subsidies:run-download", (run.pk,), scope="county"),
        Address("subsidies:run-social", (run.pk,), scope="county"),
        Address("subsidies:run-social-download", (run.pk,), scope="county"),
        Address("subsidies:run-sheet", (run.pk,), scope="county"),
        Address("subsidies:run-sheet-pdf", (run.pk,), scope="county"),
        Address("payments:batch-list"),
        Address("payments:batch-make", post=True),
        Address("payments:batch-detail", (batch,), scope="county"),
        Address("payments:batch-approve", (batch,), post=True, scope="county"),
        Address("payments:batch-download", (batch, "xlsx"), scope="county"),
        Address("payments:batch-return", (batch,), post=True, scope="county"),
        Address("payments:recoveries"),
        Address("payments:recovery-repay", (recovery,), post=True, scope="county"),
        Address("payments:reconciliation"),
        Address("assessment:sheet-list"),
        Address("assessment:sheet-detail", (sheet,), scope="township"),
        Address("assessment:sheet-upload", (sheet,), post=True, scope="township"),
        Address("assessment:sheet-publish", (sheet,), post=True, scope="township"),
        Address("assessment:sheet-reopen", (sheet,), post=True, scope="township"),
        Address("assessment:sheet-print", (sheet,), scope="township"),
        Address("assessment:exit-list"),
        Address("assessment:bonus-list"),
        Address("assessment:bonus-detail", (bonus_round,), scope="county"),
        Address("workspace:export-new"),
        Address("workspace:job-list"),
        Address("workspace:readiness"),
        Address("workspace:job-detail", (job.pk,), scope="township"),
        Address("workspace:job-progress", (job.pk,), scope="township"),
        Address("workspace:job-download", (job.pk,), scope="township"),
        Address("audit:county-log"),
        Address("audit:object-log", ("person", person.pk), scope="township"),
        Address("audit:object-log", ("application", app), scope="township"),
        Address("audit:object-log", ("placement", placement), scope="township"),
        Address("audit:object-log", ("post", application.post_id), scope="township"),
        Address("audit:object-log", ("run", run.pk), scope="county"),
        Address("accounts:password-change"),
        Address("accounts:user-list"),
        Address("accounts:user-create"),
        Address("accounts:users-load"),
        Address("accounts:users-template"),
        Address("accounts:user-password-reset", (recruiting.cast.clerk.pk,), scope="township"),
        Address("accounts:village-users"),
        Address("accounts:village-user-stop", (keeper.pk,), post=True, scope="township"),
        Address("townships:organisation-load"),
        Address("townships:calendar-load"),
        Address("townships:organisation-template"),
        Address("townships:calendar-template"),
        Address("supervision:home"),
        Address("supervision:city", ("3715",), scope="county"),
        Address("supervision:county", ("371502",), scope="county"),
        Address("townships:plan-list", ("371502",), scope="county"),
        Address("townships:plan-new", ("371502",), scope="county"),
        Address("townships:plan-import", ("371502",), scope="county"),
        Address("townships:plan-import-template", ("371502",), scope="county"),
        Address("townships:plan-versions", ("371502", 2022), scope="county"),
        Address("townships:plan-adjust", ("371502", 2022), scope="county"),
        Address("townships:plan-version-print", ("371502", 2022, 1), scope="county"),
        Address("townships:five-year-new", ("371502",), scope="county"),
        Address("townships:five-year-detail", ("370812", 2021)),  # 兖州区's: hr_other_county's own
        Address("townships:five-year-download", ("370812", 2021)),
        Address("subsidies:policy-list", ("371502",), scope="county"),
        Address("subsidies:policy-new", ("371502",), scope="county"),
        Address("subsidies:policy-edit", ("371502", pay_policy), scope="county"),
        Address("subsidies:policy-import", ("371502",), scope="county"),
        Address("subsidies:policy-import-template", ("371502",), scope="county"),
        Address("payments:bank-list", ("371502",), scope="county"),
        Address("payments:bank-new", ("371502",), scope="county"),
        Address("payments:bank-edit", ("371502", bank), scope="county"),
        Address("payments:bank-import", ("371502",), scope="county"),
        Address("payments:bank-import-template", ("371502",), scope="county"),
    ]


def assessment_objects(cast, on_post: Placement) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A published sheet of 沙镇镇 (April 2022) and a bonus round of 东昌府区."""
    scheme = Scheme.objects.create(
        county=on_post.township.county, name="考核", valid_from=dt.date(2022, 1, 1)
    )
    sheet = Sheet.objects.create(
        scheme=scheme,
        township=on_post.township,
        first=dt.date(2022, 4, 1),
        last=dt.date(2022, 4, 1),
        state="published",
    )
    rule = BonusRule.objects.create(county=on_post.township.county, valid_from=dt.date(2022, 1, 1), share=1)
    made = BonusRound.objects.create(
        county=on_post.township.county,
        rule=rule,
        first=dt.date(2022, 1, 1),
        last=dt.date(2022, 12, 1),
        proposed_by=cast.hr,
    )
    return sheet.pk, made.pk


def request(client, address: Address):  # type: ignore[no-untyped-def]
    url = reverse(address.name, args=address.args)
    return client.post(url, {}) if address.post else client.get(url)


def test_every_url_is_in_the_map(addresses) -> None:
    assert {a.name for a in addresses} == url_names()


def test_an_anonymous_visitor_is_sent_to_log_in_everywhere(cast, addresses) -> None:
    client = cast.client(None)
    for address in addresses:
        if address.name in ("login", "logout"):
            continue
        response = request(client, address)
        assert response.status_code == 302, address.name
        assert response["Location"].startswith(reverse("login")), address.name
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("who", ["other_clerk", "clerk_other_county", "hr_other_county"])
def test_another_townships_or_countys_user_gets_404_for_every_object(cast, addresses, who) -> None:
    client = cast.client(getattr(cast, who))
    other_county = who != "other_clerk"
    for address in addresses:
        if address.scope == "township" or (address.scope == "county" and other_county):
            assert request(client, address).status_code == 404, (who, address.name)


def test_a_user_without_a_role_reaches_no_data(cast, addresses) -> None:
    client = cast.client(cast.nobody)
    for address in addresses:
        # the job list is their own (empty), and so is their password
        if address.name in ("login", "logout", "workspace:job-list", "accounts:password-change"):
            continue
        assert request(client, address).status_code in (403, 404), address.name


@pytest.mark.parametrize("who", ["hr", "finance", "auditor", "clerk", "nobody", "city", "province"])
def test_the_admin_is_for_county_administrators_only(cast, who) -> None:
    user = supervisor(who) if who in ("city", "province") else getattr(cast, who)
    response = cast.client(user).get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert cast.client(cast.county_admin).get("/admin/").status_code == 200


# A contracted agency's staff with every act for 沙镇镇 (docs/policy.md §1.5): these pages, and only
# these, answer them; the township's checks, approvals and money answer 404.
AGENCY_PAGES = {
    "home",
    "accounts:password-change",
    "workspace:job-list",  # their own jobs (none)
    "subsidies:attendance",
    "subsidies:attendance-villages",
    "subsidies:attendance-grid",
    "subsidies:attendance-template",
    "assessment:sheet-list",
    "assessment:sheet-detail",
    "assessment:sheet-upload",
    "assessment:sheet-print",
    "people:person-create",
    "people:import-upload",  # 申请人录入 includes the applicant file
    "people:import-template",
    "placements:apply",
    "placements:apply-pick",
}


def test_an_agencys_staff_reach_only_the_acts_of_their_contract(cast, addresses) -> None:
    from django.utils import timezone

    from townships.agencies import agency_create, agency_user_ensure, contract_create
    from townships.models import Township

    today = timezone.localdate()
    agency = agency_create(
        county=County.objects.get(code="371502"), name="某人力资源公司", credit_code="91371502MA3C4K7P04"
    )
    contract_create(
        agency=agency,
        number="HT-1",
        townships=[Township.objects.get(code="371502101")],
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=1),
        attendance=True,
        assessment=True,
        applicants=True,
    )
    client = cast.client(agency_user_ensure(agency=agency, username="agency_a", password="agency-pass-1"))
    for address in addresses:
        if address.name in ("login", "logout"):
            continue
        status = request(client, address).status_code
        if address.name in AGENCY_PAGES:
            assert status != 404, address.name
        else:
            assert status in (403, 404), (address.name, address.args)
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")


# A village user (docs/policy.md §1.2, §9.2, §7.9, §8.14): their village's month, its holders'
# accidents, their part of an assessment sheet, their password and jobs; every other page answers
# 404 (or 403): the claim's steps, publishing and reopening results included.
VILLAGE_PAGES = {
    "home",
    "accounts:password-change",
    "workspace:job-list",
    "subsidies:village-home",
    "subsidies:village-month",
    "placements:accident-list",
    "placements:accident-new",
    "placements:accident-detail",
    # their village's part of an assessment sheet (docs/policy.md §8.14): entered, uploaded, printed
    "assessment:sheet-list",
    "assessment:sheet-detail",
    "assessment:sheet-upload",
    "assessment:sheet-print",
}


def test_a_village_user_reaches_only_their_villages_pages(cast, addresses) -> None:
    client = cast.client(User.objects.get(username="cun_map"))
    wrong = []
    for address in addresses:
        if address.name in ("login", "logout"):
            continue
        status = request(client, address).status_code
        if (address.name in VILLAGE_PAGES) == (status in (403, 404)):
            wrong.append((address.name, address.args, status))
    assert wrong == [], "\n".join(map(str, wrong))


# City and province users (docs/policy.md §1.4): their supervision pages, their password and their
# own jobs; the landing page sends them to their area. Every county or township page answers 404
# (or 403), read or write; another city's pages answer 404 too.
SUPERVISOR_PAGES = {
    "home",
    "accounts:password-change",
    "workspace:job-list",  # their own jobs (none)
    "supervision:home",
    "supervision:city",
    "supervision:county",
}


def supervisor(role: str, city: str = "3715"):  # type: ignore[no-untyped-def]
    from tests.conftest import PASSWORD
    from townships.models import City, Role
    from townships.services import user_with_membership_ensure

    found = City.objects.get(code=city) if role == "city" else None
    username = f"{role}_{city}" if role == "city" else "province_37"
    return user_with_membership_ensure(username=username, password=PASSWORD, role=Role(role), city=found)


@pytest.mark.parametrize("who", [("city", "3715"), ("province", ""), ("city", "3708")])
def test_city_and_province_users_read_their_area_only_and_write_nothing(cast, addresses, who) -> None:
    role, city = who
    client = cast.client(supervisor(role, city or "3715"))
    other_city = city == "3708"  # 济宁's user: 聊城 and 东昌府区 are not theirs
    for address in addresses:
        if address.name in ("login", "logout"):
            continue
        status = request(client, address).status_code
        if address.name in SUPERVISOR_PAGES and not (other_city and address.scope):
            assert status in (200, 302), (who, address.name)
        else:
            assert status in (403, 404), (who, address.name, address.args)
