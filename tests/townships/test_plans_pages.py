"""The plan pages (issue 22; docs/policy.md §2.1, §2.5, §2.6): HR enters a year's plan on the
formset page or from a sheet (a preview writing nothing, every refusal named by its row), adjusts
it as dated versions with their history and print page; the five-year report and its Excel; the
gate: another county's plan answers 404, a clerk gets 404, the auditor reads but does not write."""

import datetime as dt
import io
from collections.abc import Mapping

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from posts.models import Post
from tests.factories import duty_for, village_of, xlsx
from tests.placements.conftest import recruiting  # noqa: F401
from townships.models import County, Plan, PlanVersion, Quota, Township
from townships.plan_sheet import PLAN_COLUMNS, PLAN_OPTIONAL

pytestmark = pytest.mark.django_db
SHEET = [*PLAN_COLUMNS, *PLAN_OPTIONAL]  # 代码, 城镇, 乡村, 名称


def formset(
    county: County,
    numbers: Mapping[str, tuple[object, object]] | None = None,
    default: tuple[object, object] = (1, 2),
) -> dict:
    data: dict = {}
    towns = list(county.townships.order_by("code"))
    for i, town in enumerate(towns):
        urban, rural = (numbers or {}).get(town.code, default)
        data |= {f"rows-{i}-code": town.code, f"rows-{i}-urban": urban, f"rows-{i}-rural": rural}
    return data | {"rows-TOTAL_FORMS": len(towns), "rows-INITIAL_FORMS": len(towns)}


def plan_post(county: County, **changes: object) -> dict:
    head = {"year": 2023, "title": "2023年计划", "document": "兖政办字〔2023〕1号"}
    head |= {"declared_urban": 10, "declared_rural": 20}
    return head | formset(county) | changes


def test_hr_enters_a_year_s_plan_on_the_page(cast) -> None:
    county = County.objects.get(code="370812")
    client = cast.client(cast.hr_other_county)
    page = client.get(reverse("townships:plan-new", args=["370812"]))
    assert page.status_code == 200 and "小孟镇" in page.content.decode()
    response = client.post(reverse("townships:plan-new", args=["370812"]), plan_post(county))
    assert response.status_code == 302
    plan = Plan.objects.get(county=county, year=2023)
    assert plan.versions.get().quotas.filter(urban=1, rural=2).count() == 10
    followed = client.get(response["Location"]).content.decode()
    # shown against the five-year target: the split is 2,387, the rural share 67 % (warnings)
    assert "2021年至2023年计划合计2417个" in followed
    assert "提示：2023年计划30个，与五年目标的年度分解2387个不同" in followed


def test_the_page_refuses_rows_not_adding_up_and_writes_nothing(cast) -> None:
    county = County.objects.get(code="370812")
    client = cast.client(cast.hr_other_county)
    response = client.post(
        reverse("townships:plan-new", args=["370812"]), plan_post(county, declared_urban=9)
    )
    assert "各乡镇（街道）城镇岗位合计10个，与所列城镇合计9个不一致" in response.content.decode()
    assert not Plan.objects.filter(county=county, year=2023).exists()


def test_the_page_refuses_a_negative_number_and_a_township_of_another_county(cast) -> None:
    county = County.objects.get(code="370812")
    client = cast.client(cast.hr_other_county)
    url = reverse("townships:plan-new", args=["370812"])
    negative = client.post(url, plan_post(county, **{"rows-0-urban": -1}))
    assert "不能为负数" in negative.content.decode()
    forged = client.post(url, plan_post(county, **{"rows-0-code": "371502101"}))  # a hidden field changed
    assert "371502101是东昌府区的沙镇镇，不属于兖州区" in forged.content.decode()
    assert not Plan.objects.filter(county=county, year=2023).exists()


def sheet(rows: list[list]) -> SimpleUploadedFile:
    return SimpleUploadedFile("plan.xlsx", xlsx(rows, SHEET).getvalue())


def yanzhou_rows(urban: int = 1, rural: int = 2) -> list[list]:
    towns = Township.objects.filter(county__code="370812").order_by("code")
    return [[t.code, urban, rural, t.name] for t in towns]


def upload(client, rows: list[list], commit: str = "0", **changes: object):
    data = {"year": 2023, "title": "2023年计划", "document": "", "declared_urban": 10, "declared_rural": 20}
    data |= {"file": sheet(rows), "commit": commit} | changes
    return client.post(reverse("townships:plan-import", args=["370812"]), data)


def test_a_sheet_preview_writes_nothing_then_the_import_writes_it_all(cast) -> None:
    client = cast.client(cast.hr_other_county)
    preview = upload(client, yanzhou_rows())
    assert "检查通过，共10行，尚未导入" in preview.content.decode()
    assert not Plan.objects.filter(county__code="370812", year=2023).exists()
    done = upload(client, yanzhou_rows(), commit="1")
    assert done.status_code == 302
    version = PlanVersion.objects.get(plan__county__code="370812", plan__year=2023)
    assert (version.number, version.declared_total, version.quotas.count()) == (1, 30, 10)


def test_a_sheet_names_each_bad_row_and_loads_nothing(cast) -> None:
    client = cast.client(cast.hr_other_county)
    rows = yanzhou_rows()
    rows[1] = ["371502101", 1, 2, "沙镇"]  # another county's township, in place of 龙桥街道
    rows[2][2] = -3
    rows[3][0] = rows[0][0]  # 鼓楼街道 twice
    rows[4][1] = "五"
    content = upload(client, rows, commit="1").content.decode()
    assert "未导入任何数据" in content
    for row, message in [
        (3, "371502101是东昌府区的沙镇镇，不属于兖州区"),
        (4, "乡村岗位数不能为负数"),
        (5, "与第2行的乡镇（街道）重复"),
        (6, "城镇岗位数须为整数"),
    ]:
        assert f"<td>{row}</td><td>" in content and message in content
    assert "缺少兖州区的乡镇（街道）：龙桥街道、兴隆庄街道" in content
    assert not Plan.objects.filter(county__code="370812", year=2023).exists()


def test_a_sheet_whose_rows_do_not_add_up_is_refused(cast) -> None:
    content = upload(cast.client(cast.hr_other_county), yanzhou_rows(), declared_rural=21).content.decode()
    assert "乡村岗位数合计20个，与所列合计21个不一致" in content


def test_a_sheet_for_a_year_that_has_a_plan_is_refused_before_reading(cast) -> None:
    content = upload(cast.client(cast.hr_other_county), yanzhou_rows(), year=2022).content.decode()
    assert "兖州区2022年已有开发计划；年度中的变动请录入计划调整" in content


def test_the_sheet_template_lists_the_county_s_townships(cast) -> None:
    response = cast.client(cast.hr_other_county).get(
        reverse("townships:plan-import-template", args=["370812"])
    )
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[0] == ("乡镇（街道）代码", "乡镇（街道）名称", "城镇岗位数", "乡村岗位数")
    assert [r[0] for r in rows[1:]] == list(
        Township.objects.filter(county__code="370812").order_by("code").values_list("code", flat=True)
    )


def adjustment(county: County, **changes: object) -> dict:
    numbers = {
        q.township.code: (q.urban, q.rural) for q in Quota.objects.filter(version__plan__county=county)
    }
    numbers["371502101"] = (18, 400)
    head: dict[str, object] = {
        "effective_from": "2022-07-01",
        "document": "东昌人社字〔2022〕9号",
        "reason": "沙镇镇需求减少",
    }
    head |= {"declared_urban": 760, "declared_rural": 2547}
    return head | formset(county, numbers) | changes


def test_hr_adjusts_a_plan_and_each_version_is_listed_and_printable(cast) -> None:
    county = County.objects.get(code="371502")
    client = cast.client(cast.hr)
    url = reverse("townships:plan-adjust", args=["371502", 2022])
    assert 'value="403"' in client.get(url).content.decode()  # the form starts from the plan in force
    response = client.post(url, adjustment(county))
    assert response.status_code == 302
    history = client.get(reverse("townships:plan-versions", args=["371502", 2022])).content.decode()
    assert "第2版（现行）" in history and "东昌人社字〔2022〕9号" in history and "沙镇镇需求减少" in history
    printed = client.get(reverse("townships:plan-version-print", args=["371502", 2022, 2])).content.decode()
    assert "自2022年7月1日起执行" in printed and "调整前乡村" in printed
    assert '<td>沙镇镇</td><td class="num">418</td><td class="num">18</td><td class="num">400</td>' in printed
    assert '<td class="num">403</td>' in printed  # the previous version's number beside it


def test_an_adjustment_below_the_places_taken_is_refused_on_the_page(recruiting) -> None:  # noqa: F811
    recruiting.to_approved(2)
    county = County.objects.get(code="371502")
    numbers = adjustment(county, declared_rural=2148, **{"rows-6-rural": 1})  # row 6: 沙镇镇
    response = recruiting.cast.client(recruiting.cast.hr).post(
        reverse("townships:plan-adjust", args=["371502", 2022]), numbers
    )
    assert "沙镇镇乡村岗位调整为1个，低于2022年已审批上岗的2人" in response.content.decode()
    assert PlanVersion.objects.filter(plan__county=county, plan__year=2022).count() == 1


def test_another_county_s_plan_pages_answer_404(cast) -> None:
    client = cast.client(cast.hr)  # 东昌府区
    pages: list[tuple[str, list[str | int]]] = [
        ("townships:plan-list", ["370812"]),
        ("townships:plan-new", ["370812"]),
        ("townships:plan-import", ["370812"]),
        ("townships:plan-import-template", ["370812"]),
        ("townships:plan-versions", ["370812", 2022]),
        ("townships:plan-adjust", ["370812", 2022]),
        ("townships:plan-version-print", ["370812", 2022, 1]),
        ("townships:five-year-detail", ["370812", 2021]),
        ("townships:five-year-download", ["370812", 2021]),
    ]
    for name, args in pages:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    county = County.objects.get(code="370812")
    assert client.post(reverse("townships:plan-new", args=["370812"]), plan_post(county)).status_code == 404
    assert not Plan.objects.filter(county=county, year=2023).exists()


def test_a_clerk_gets_404_and_the_auditor_reads_but_does_not_write(cast) -> None:
    clerk = cast.client(cast.clerk)
    assert clerk.get(reverse("townships:plan-list", args=["371502"])).status_code == 404
    assert clerk.get(reverse("townships:plan-versions", args=["371502", 2022])).status_code == 404
    auditor = cast.client(cast.auditor)
    listing = auditor.get(reverse("townships:plan-list", args=["371502"]))
    assert listing.status_code == 200 and "录入年度计划" not in listing.content.decode()
    assert auditor.get(reverse("townships:plan-new", args=["371502"])).status_code == 404
    assert auditor.get(reverse("townships:plan-adjust", args=["371502", 2022])).status_code == 404
    admin = cast.client(cast.county_admin)
    assert admin.get(reverse("townships:plan-new", args=["371502"])).status_code == 200


def test_the_five_year_report_gives_each_year_and_township(cast) -> None:
    township = Township.objects.get(code="370812101")
    duty = duty_for("rural")
    for n, status in enumerate(["filled", "filled", "vacant"]):
        Post.objects.create(
            code=f"Y-{n}",
            year=2022,
            township=township,
            village=village_of(township),
            line="rural",
            duty=duty,
            status=status,
        )
    client = cast.client(cast.hr_other_county)
    page = client.get(reverse("townships:five-year-detail", args=["370812", 2021]))
    report = page.context["report"]
    assert [(r.year, r.target, r.planned, r.filled, r.vacant) for r in report.years] == [
        (2021, 0, None, 0, 0),
        (2022, 2387, 2387, 2, 1),
        (2023, 2387, None, 0, 0),
        (2024, 1194, None, 0, 0),
        (2025, 1194, None, 0, 0),
    ]
    assert (report.totals.target, report.totals.planned, report.totals.filled) == (7162, 2387, 2)
    daan = next(t for t in report.townships if t[0] == "370812101")
    assert daan[2][1] == (Quota.objects.get(version__plan__year=2022, township=township).total, 2)
    response = client.get(reverse("townships:five-year-download", args=["370812", 2021]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    by_year = list(book["分年度"].iter_rows(values_only=True))
    assert by_year[3] == ("2021", 0, None, 0, 0)
    assert by_year[4] == ("2022", 2387, 2387, 2, 1)
    assert by_year[-1] == ("合计", 7162, 2387, 2, 1)


def test_the_plan_report_shows_the_plan_as_last_adjusted(cast) -> None:
    county = County.objects.get(code="371502")
    cast.client(cast.hr).post(reverse("townships:plan-adjust", args=["371502", 2022]), adjustment(county))
    content = cast.client(cast.hr).get(reverse("posts:plan-detail", args=["371502", 2022])).content.decode()
    assert '<td>371502101</td><td>沙镇镇</td><td class="num">418</td>' in content
    assert dt.date(2022, 7, 1) == PlanVersion.objects.get(plan__county=county, number=2).effective_from


def test_an_adjustment_is_in_the_audit_log_under_its_plan_with_who_made_it(cast) -> None:
    from audit.models import Entry

    county = County.objects.get(code="371502")
    plan = Plan.objects.get(county=county, year=2022)
    cast.client(cast.hr).post(reverse("townships:plan-adjust", args=["371502", 2022]), adjustment(county))
    entries = Entry.objects.filter(subject=f"townships.plan:{plan.pk}", actor=cast.hr)
    kinds = sorted({e.content_type.model for e in entries})
    assert kinds == ["planversion", "quota"]
    assert entries.filter(content_type__model="quota").count() == 14  # every township's row of version 2
    shazhen = entries.get(content_type__model="quota", township__code="371502101")
    assert shazhen.changes["rural"] == ["None", "400"]


def five_year_post(**changes: object) -> dict:
    data: dict = {"first_year": 2026, "title": "东昌府区“十五五”目标", "document": "东昌政办字〔2026〕1号"}
    data |= {"target_urban": 1000, "target_rural": 3000, "rural_share": "75"}
    for i, (total, urban, rural) in enumerate(
        [(800, 200, 600), (800, "", ""), (800, "", ""), (800, "", ""), (800, "", "")]
    ):
        data |= {
            f"years-{i}-year": 2026 + i,
            f"years-{i}-total": total,
            f"years-{i}-urban": urban,
            f"years-{i}-rural": rural,
        }
    return data | {"years-TOTAL_FORMS": 5, "years-INITIAL_FORMS": 5} | changes


def test_hr_enters_a_five_year_target_and_a_split_not_adding_up_is_refused(cast) -> None:
    from townships.models import FiveYearPlan

    client = cast.client(cast.hr)
    url = reverse("townships:five-year-new", args=["371502"])
    refused = client.post(url, five_year_post(**{"years-4-total": 700}))
    assert "各年度合计3900个，与五年目标4000个不一致" in refused.content.decode()
    assert not FiveYearPlan.objects.filter(county__code="371502").exists()
    mixed = client.post(url, five_year_post(**{"years-0-urban": 300}))
    assert "2026年城镇300个加乡村600个不等于该年合计800个" in mixed.content.decode()
    saved = client.post(url, five_year_post())
    assert saved.status_code == 302
    five = FiveYearPlan.objects.get(county__code="371502")
    assert (five.first_year, five.last_year, five.target, str(five.rural_share)) == (
        2026,
        2030,
        4000,
        "75.00",
    )
    assert [(y.year, y.total, y.urban) for y in five.years.all()][:2] == [(2026, 800, 200), (2027, 800, None)]
    assert cast.client(cast.auditor).get(url).status_code == 404
    assert cast.client(cast.hr_other_county).post(url, five_year_post(title="别的")).status_code == 404
    assert FiveYearPlan.objects.get(county__code="371502").title == "东昌府区“十五五”目标"


def test_the_admin_shows_a_plan_s_year_totals_and_quotas_read_only(cast) -> None:
    plan = Plan.objects.get(county__code="371502", year=2022)
    page = cast.client(cast.county_admin).get(reverse("admin:townships_plan_change", args=[plan.pk]))
    content = page.content.decode()
    assert page.status_code == 200 and 'name="title"' in content
    assert 'name="year"' not in content and 'name="declared_rural"' not in content
    assert 'name="quotas-0-rural"' not in content  # quotas are entered as versions (docs/policy.md §2.6)


def adjustment_sheet(rural_of_shazhen: int) -> SimpleUploadedFile:
    quotas = Quota.objects.filter(version__plan__county__code="371502", version__number=1).select_related(
        "township"
    )
    rows = [
        [
            q.township.code,
            q.urban,
            rural_of_shazhen if q.township.code == "371502101" else q.rural,
            q.township.name,
        ]
        for q in quotas
    ]
    return SimpleUploadedFile("adjust.xlsx", xlsx(rows, SHEET).getvalue())


def test_an_adjustment_from_a_sheet_is_previewed_then_written(cast) -> None:
    client = cast.client(cast.hr)
    url = reverse("townships:plan-adjust", args=["371502", 2022])
    data: dict[str, object] = {
        "effective_from": "2022-07-01",
        "document": "东昌人社字〔2022〕9号",
        "reason": "沙镇镇需求减少",
    }
    data |= {"declared_urban": 760, "declared_rural": 2547}
    preview = client.post(url, data | {"file": adjustment_sheet(400), "commit": "0"})
    assert "检查通过，共14行，尚未导入" in preview.content.decode()
    assert PlanVersion.objects.filter(plan__county__code="371502", plan__year=2022).count() == 1
    wrong = client.post(url, data | {"file": adjustment_sheet(401), "commit": "1"})
    assert "乡村岗位数合计2548个，与所列合计2547个不一致" in wrong.content.decode()
    assert PlanVersion.objects.filter(plan__county__code="371502", plan__year=2022).count() == 1
    done = client.post(url, data | {"file": adjustment_sheet(400), "commit": "1"})
    assert done.status_code == 302
    version = PlanVersion.objects.get(plan__county__code="371502", plan__year=2022, number=2)
    assert version.quotas.get(township__code="371502101").rural == 400
    assert version.reason == "沙镇镇需求减少"
