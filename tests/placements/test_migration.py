"""新老衔接: importing existing holders, all or nothing, with migrated histories."""

import datetime as dt
import io
from decimal import Decimal as M

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from people.models import Person
from placements import terms
from placements.migration import COLUMNS, OPTIONAL, placements_import
from placements.models import Application, Placement, Step
from posts.models import Post
from tests import factories
from tests.test_celery_worker import default_queue_worker  # noqa: F401 (a fixture)
from townships.models import County, Village

HEADERS = COLUMNS + OPTIONAL[:3]


def holder_row() -> dict[str, str]:
    """One 新老衔接 holder's row by column, a fresh ID number each time (the person's-term tests
    use it too)."""
    return {
        "姓名": "王大山",
        "身份证号": factories.id_number("19680305"),
        "镇街代码": "371502101",
        "村（社区）": "沙镇东村",
        "岗位类型": "乡村",
        "岗位类别": "公共服务类",
        "岗位名称": "村容保洁",
        "人员类别": "脱贫人口",
        "上岗日期": "2021-03-01",
        "协议开始日期": "2021-03-01",
        "协议结束日期": "2022-02-28",
        "原在岗月数": "10",
        "银行账号": "6228480012345678901",
        "开户银行": "农业银行",
        "离岗日期": "",
        "离岗原因": "",
        "原月补贴标准": "",
    }


def holder(**values) -> list:
    row = holder_row() | values
    return [row[c] for c in HEADERS]


@pytest.fixture
def eager(monkeypatch):
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def upload_page(client, upload, *, commit: str = "0", capture=None):
    """Post the holders' file on HR's page; the job it starts runs (eagerly, on commit) and the
    job's page is returned."""
    with capture(execute=True):
        started = client.post(reverse("placements:migration-upload"), {"file": upload, "commit": commit})
    assert started.status_code == 302 and started["Location"].startswith("/workspace/jobs/"), started
    return client.get(started["Location"])


def run(rows, dry_run=False, actor=None):
    return placements_import(
        county=County.objects.get(code="371502"),
        source=factories.xlsx(rows, HEADERS),
        dry_run=dry_run,
        actor=actor,
    )


def test_existing_holders_come_in_with_a_migrated_history(cast) -> None:
    exited_number = factories.id_number("19600101")
    report = run(
        [
            holder(),
            holder(
                **{
                    "姓名": "李小河",
                    "身份证号": exited_number,
                    "村（社区）": "新建社区",
                    "离岗日期": "2021-12-31",
                    "离岗原因": "协议期满",
                }
            ),
        ],
        actor=cast.hr,
    )
    assert report.imported, report.problems
    assert report.villages_created == ["新建社区"]
    assert Village.objects.get(name="新建社区").kind == Village.Kind.COMMUNITY
    on_post = Placement.objects.get(person__name="王大山")
    assert (on_post.on_post_date, on_post.prior_months, on_post.migrated) == (dt.date(2021, 3, 1), 10, True)
    assert terms.subsidy_end(on_post) == dt.date(2023, 4, 30)  # 36 - 10 = 26 months from March 2021
    application = on_post.application
    assert (application.step, application.holds_post, application.migrated) == (Step.PLACED, True, True)
    assert list(application.history.values_list("to_step", "migrated")) == [("placed", True)]
    assert on_post.post.status == Post.Status.FILLED
    left = Placement.objects.get(person__id_number=exited_number)
    assert (left.exit_date, left.exit_reason, left.application.step) == (
        dt.date(2021, 12, 31),
        "agreement_ended",
        "exited",
    )
    assert left.post.status == Post.Status.VACANT
    assert Person.objects.get(name="王大山").claims.get().group == "poverty"


def test_one_bad_row_imports_nothing_and_every_problem_is_named(cast) -> None:
    good = factories.id_number("19680305")
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [
        holder(),
        holder(身份证号=wrong_check),
        holder(镇街代码="370812001"),
        holder(岗位类型="城市"),
        holder(岗位名称="不存在的岗位"),
        holder(上岗日期="2021-13-01"),
        holder(离岗日期="2021-06-01"),
        holder(原在岗月数="十"),
    ]
    report = run(rows, actor=cast.hr)
    assert not report.imported and not Placement.objects.exists() and not Person.objects.exists()
    where = {(p.row, p.column) for p in report.problems}
    assert where >= {
        (3, "身份证号"),
        (4, "镇街代码"),
        (5, "岗位类型"),
        (6, "岗位名称"),
        (7, "上岗日期"),
        (8, "离岗原因"),
        (9, "原在岗月数"),
    }


def test_a_person_already_on_a_post_is_refused(cast) -> None:
    number = factories.id_number("19680305")
    assert run([holder(身份证号=number)], actor=cast.hr).imported
    again = run([holder(身份证号=number, 姓名="王大山")], actor=cast.hr)
    assert again.problems[0].message == "该人员已在岗，同一人只能占用一个公益性岗位"
    assert Application.objects.count() == 1


def test_the_command_dry_runs_imports_and_fails_loudly(cast, tmp_path, capsys) -> None:
    path = tmp_path / "holders.xlsx"
    path.write_bytes(factories.xlsx([holder()], HEADERS).getvalue())
    call_command("import_placements", str(path), "--county", "371502", "--dry-run")
    assert not Placement.objects.exists()
    call_command("import_placements", str(path), "--county", "371502", "--user", "hr")
    assert "已导入在岗人员 1 人" in capsys.readouterr().out
    assert Placement.objects.get().application.history.get().actor.username == "hr"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(factories.xlsx([holder(岗位类型="城市")], HEADERS).getvalue())
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_placements", str(bad), "--county", "371502")


def test_a_holder_not_qualifying_now_keeps_the_old_pay_until_the_old_agreement_ends(
    cast, eager, django_capture_on_commit_callbacks
) -> None:
    # 76 years old on the import day: no longer an 农村大龄人员 (45–65) under the new rules.
    old = {"身份证号": factories.id_number("19500305"), "人员类别": "大龄人员", "协议结束日期": "2022-06-30"}
    for dry_run in (True, False):
        refused = run([holder(), holder(**old)], dry_run=dry_run, actor=cast.hr)
        assert [(p.row, p.column) for p in refused.problems] == [(3, "原月补贴标准")]
        assert "按原协议待遇至协议期满" in refused.problems[0].message
        assert not Placement.objects.exists() and not Person.objects.exists()
    upload = factories.xlsx([holder(**old, 原月补贴标准="1,200.5")], HEADERS)
    upload.name = "holders.xlsx"
    page = upload_page(cast.client(cast.hr), upload, capture=django_capture_on_commit_callbacks)
    assert "其中1人不符合现行条件，按原协议待遇至协议期满" in page.content.decode()
    assert not Placement.objects.exists()  # the page's first upload is a dry run
    imported = run([holder(**old, 原月补贴标准="1,200.5")], actor=cast.hr)
    assert imported.imported and imported.legacy == 1
    kept = Placement.objects.get()
    assert (kept.legacy_terms, kept.legacy_pay, kept.legacy_until) == (
        True,
        M("1200.50"),
        dt.date(2022, 6, 30),
    )
    assert terms.subsidy_end(kept) == dt.date(2022, 6, 30)
    assert kept.application.agreements.get().monthly_pay == M("1200.50")


@pytest.mark.parametrize("amount", ["一千", "-5", "0", "1200.555", "100000", "NaN"])
def test_an_old_pay_that_is_no_amount_is_refused(cast, amount) -> None:
    report = run([holder(原月补贴标准=amount)], dry_run=True, actor=cast.hr)
    assert [(p.row, p.column) for p in report.problems] == [(2, "原月补贴标准")]


def test_a_claim_only_waiting_for_its_manual_decision_keeps_a_holder_on_the_new_terms(cast) -> None:
    from people.models import Roster, RosterKind

    county = County.objects.get(code="371502")
    Roster.objects.create(
        county=county, kind=RosterKind.RURAL_REVITALIZATION, roster_date=dt.date(2022, 1, 1)
    )  # empty
    report = run([holder()], actor=cast.hr)  # 脱贫人口 not on the roster: unverified, not refused
    assert report.imported, report.problems
    placement = Placement.objects.get()
    assert placement.person.claims.get().status == "unverified"
    assert (placement.legacy_terms, placement.legacy_pay) == (False, None)


def test_months_locked_before_the_import_were_paid_by_the_old_system_and_get_no_back_pay(cast) -> None:
    from subsidies import payroll

    county = County.objects.get(code="371502")
    march = payroll.compute_run(payroll.run_for(county, dt.date(2022, 3, 1)))
    payroll.lock(payroll.approve(march, cast.finance), cast.finance2)
    assert run([holder(协议结束日期="2023-02-28")], actor=cast.hr).imported
    april = payroll.compute_run(payroll.run_for(county, dt.date(2022, 4, 1)))
    assert list(april.lines.values_list("kind", "pay")) == [("regular", M("680.00"))]


def holders(count: int, first: int = 0) -> list[list]:
    """`count` holders born on different days of 1970 (numbers of their own)."""
    born = [dt.date(1970, 1, 1) + dt.timedelta(days=i) for i in range(first, first + count)]
    return [
        holder(
            **{
                "姓名": "持岗" + "甲乙丙丁戊己庚辛壬癸"[i % 10] * (1 + i // 10),
                "身份证号": factories.id_number(f"{day:%Y%m%d}"),
                "原在岗月数": "3",
            }
        )
        for i, day in enumerate(born, start=first)
    ]


def test_the_import_writes_in_the_same_number_of_statements_for_any_number_of_holders(cast) -> None:
    """Set-based (placements.migration_write): 5,000 holders took 4 min 22 s one by one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert run(holders(1, 300), actor=cast.hr).imported  # content types and the like, cached after
    counts = []
    for count, first in ((2, 0), (40, 100)):
        with CaptureQueriesContext(connection) as queries:
            report = run(holders(count, first), actor=cast.hr)
        assert report.imported, report.problems[:3]
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Placement.objects.filter(migrated=True).count() == 43


def test_each_imported_holder_is_recorded_in_the_audit_log_with_numbers_masked(cast) -> None:
    from audit.models import Entry

    report = run(holders(2), actor=cast.hr)
    assert report.imported, report.problems[:3]
    person = Person.objects.get(name="持岗甲")
    placement = person.placements.get()
    application = placement.application
    subjects = {
        "people.person": f"people.person:{person.pk}",
        "posts.post": f"posts.post:{placement.post_id}",
        "placements.application": f"placements.application:{application.pk}",
        "placements.agreement": f"placements.application:{application.pk}",
        "placements.placement": f"placements.placement:{placement.pk}",
    }
    for label, subject in subjects.items():
        app_label, model = label.split(".")
        entry = Entry.objects.get(
            content_type__app_label=app_label, content_type__model=model, subject=subject, action=0
        )
        assert entry.township_id == person.township_id
    changes = Entry.objects.get(subject=subjects["people.person"], content_type__model="person").changes
    assert changes["人员类别"] == ["None", "脱贫享受政策人口"] or "人员类别" in changes
    assert "6228480012345678901" not in str(changes) and changes["bank_account"][1].endswith("8901")


def test_a_refused_file_lists_its_problems_on_the_job_page_with_the_whole_report(
    cast, eager, django_capture_on_commit_callbacks
) -> None:
    from openpyxl import load_workbook

    from common.models import Job
    from common.uploads import kept_exists

    client = cast.client(cast.hr)
    upload = factories.xlsx([holder(), holder(**{"身份证号": "123"})], HEADERS)
    upload.name = "holders.xlsx"
    page = upload_page(client, upload, commit="1", capture=django_capture_on_commit_callbacks)
    text = page.content.decode()
    assert "共1处错误，未导入任何数据。" in text and "身份证号应为18位" in text
    job = Job.objects.get(kind=Job.Kind.PLACEMENTS_IMPORT)
    assert not kept_exists(job.params["token"])  # whole numbers are not kept
    report = client.get(reverse("workspace:job-download", args=[job.pk]))
    rows = list(
        load_workbook(io.BytesIO(b"".join(report.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[2][:2] == (3, "身份证号") and not Placement.objects.exists()


@pytest.mark.worker
@pytest.mark.usefixtures("default_queue_worker")
def test_hr_uploads_5000_holders_and_a_real_worker_imports_them_with_progress(cast) -> None:
    """The page only keeps the file and queues the job (it was killed at 60 s in the request);
    a real Celery worker imports the 5,000 holders and the job page shows it done."""
    import time

    from common.models import Job

    client = cast.client(cast.hr)
    born = [dt.date(1966, 1, 1) + dt.timedelta(days=i) for i in range(5000)]
    rows = [
        holder(
            **{"姓名": "持岗人", "身份证号": factories.id_number(f"{d:%Y%m%d}"), "原月补贴标准": "1700.00"}
        )
        for d in born
    ]
    upload = factories.xlsx(rows, HEADERS)
    upload.name = "holders.xlsx"
    started = time.monotonic()
    answer = client.post(reverse("placements:migration-upload"), {"file": upload, "commit": "1"})
    assert answer.status_code == 302 and time.monotonic() - started < 5
    job = Job.objects.get(kind=Job.Kind.PLACEMENTS_IMPORT)
    for _ in range(600):  # up to 5 minutes on a busy machine
        job.refresh_from_db()
        if job.finished:
            break
        time.sleep(0.5)
    assert job.state == Job.State.DONE, job.error
    assert (job.done, job.total) == (5000, 5000) and Placement.objects.filter(migrated=True).count() == 5000
    assert "已导入在岗人员5000人" in client.get(answer["Location"]).content.decode()


def test_text_longer_than_its_column_is_named_not_a_database_error(cast) -> None:
    report = run([holder(**{"村（社区）": "村" * 81, "开户银行": "银" * 81})], actor=cast.hr)
    assert [(p.column, p.message) for p in report.problems] == [
        ("开户银行", "开户银行不能超过80个字"),
        ("村（社区）", "村（社区）不能超过80个字"),
    ]
    assert not Person.objects.exists()


def test_an_existing_persons_new_bank_account_waits_for_a_second_person(cast) -> None:
    """A 新老衔接 file does not move money alone: a registered person's new account is entered as a
    change by the importing user, which another clerk or HR confirms (docs/policy.md §10)."""
    from people.models import BankAccountChange

    person = factories.person("371502101", birth="19680305", bank_account="6222020200000000123")
    report = run([holder(身份证号=person.id_number, 姓名=person.name)], actor=cast.hr)
    assert report.imported, report.problems
    person.refresh_from_db()
    assert person.bank_account == "6222020200000000123"
    change = BankAccountChange.objects.get(person=person)
    assert (change.state, change.requested_by, change.bank_account) == (
        "pending",
        cast.hr,
        "6228480012345678901",
    )


def test_a_holder_registered_in_another_township_is_named_and_another_countys_counted(cast, settings) -> None:
    """HR sees every township of the county, so a holder of another of them is named plainly; a
    number registered in another county is answered as a clerk's registration is: counted against
    the searches by number, recorded, and past the limit told only the limit."""
    from audit.context import acting_as
    from audit.models import Entry
    from common.search import limit_message

    settings.ID_SEARCH_LIMIT = 1
    here = factories.person("371502102", name="堂邑人")
    there = factories.person("370812001", name="鼓楼人")
    with acting_as(cast.hr, "网页"):
        report = run([holder(身份证号=here.id_number), holder(身份证号=there.id_number)], actor=cast.hr)
        assert [p.message for p in report.problems] == [
            "该人员已在本区县其他乡镇（街道）登记",
            "该身份证号已在其他乡镇（街道）登记，不能重复登记",
        ]
        again = run([holder(身份证号=there.id_number), holder(身份证号=factories.id_number("19700101"))])
    assert [p.message for p in again.problems] == [limit_message(), limit_message()]
    asked = Entry.objects.filter(changes__has_key="查询", actor=cast.hr)
    assert asked.count() == 1 and not Application.objects.exists()  # the refused ones answered nothing
