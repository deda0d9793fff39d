"""The read-only data interface (docs/policy.md §13.5): tokens per county and role, 401 for a
missing or revoked token, 404 outside the token's county, numbers masked unless the role sees
them whole on its pages, one audit entry per call, pages of at most 500 rows in constant queries."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from api import services
from api.models import ApiToken
from audit.models import Entry
from subsidies import payroll
from subsidies.models import PayrollLine
from tests import factories
from townships.models import County, Role

DONGCHANG = "371502"
NAMES = ["张一", "王二", "李三", "赵四", "钱五", "孙六", "周七", "吴八", "郑九"]


@pytest.fixture
def county(cast) -> County:
    return County.objects.get(code=DONGCHANG)


def token(cast, county: County, role: str) -> tuple[ApiToken, Client]:
    made, key = services.token_create(county=county, name=f"对接{role}", role=role, actor=cast.county_admin)
    return made, Client(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def holders(cast) -> list:
    return [factories.placement(name=name, birth=f"1970010{i + 1}") for i, name in enumerate(NAMES[:3])]


@pytest.fixture
def run(cast, county, holders):
    return payroll.compute_run(payroll.run_for(county, dt.date(2022, 4, 1)))


def entries(made: ApiToken) -> list[Entry]:
    return list(Entry.objects.filter(actor=made.user).order_by("pk"))


def test_it_lists_the_countys_posts_and_records_the_call(cast, county, holders) -> None:
    made, client = token(cast, county, Role.AUDITOR)
    response = client.get(f"/api/v1/counties/{DONGCHANG}/posts/")
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["results"]}
    assert codes == {h.post.code for h in holders}
    (entry,) = entries(made)
    assert entry.county_id == county.pk and entry.via == "接口"
    assert entry.changes["查看"] == ["", "接口：岗位（3行）"]


def test_a_missing_wrong_or_revoked_token_gets_401(cast, county) -> None:
    made, client = token(cast, county, Role.HR)
    url = f"/api/v1/counties/{DONGCHANG}/posts/"
    assert Client().get(url).status_code == 401
    assert Client(HTTP_AUTHORIZATION="Token nonsense").get(url).status_code == 401
    assert client.get(url).status_code == 200
    services.token_revoke(token=made, actor=cast.county_admin)
    assert client.get(url).status_code == 401
    # a session does not reach the interface either: tokens only
    assert cast.client(cast.hr).get(url).status_code == 401


def test_another_county_answers_404(cast, county, run) -> None:
    _, client = token(cast, county, Role.FINANCE)
    for path in ("posts/", "people-on-post/", "payroll/2022-04/lines/", "payroll/2022-04/totals/"):
        assert client.get(f"/api/v1/counties/370812/{path}").status_code == 404, path
        assert client.get(f"/api/v1/counties/{DONGCHANG}/{path}").status_code == 200, path
    assert client.get(f"/api/v1/counties/{DONGCHANG}/payroll/2022-05/lines/").status_code == 404
    assert client.get(f"/api/v1/counties/{DONGCHANG}/payroll/xx/totals/").status_code == 404


def test_people_on_post_are_whole_for_hr_and_masked_for_the_auditor(cast, county, holders) -> None:
    url = f"/api/v1/counties/{DONGCHANG}/people-on-post/"
    hr, hr_client = token(cast, county, Role.HR)
    numbers = {row["id_number"] for row in hr_client.get(url).json()["results"]}
    assert numbers == {h.person.id_number for h in holders}
    assert entries(hr)[0].changes["查看"][1] == "接口：在岗人员（含完整身份证号）（3行）"
    auditor, auditor_client = token(cast, county, Role.AUDITOR)
    rows = auditor_client.get(url).json()["results"]
    assert {r["id_number"] for r in rows} == {
        h.person.id_number[:6] + "********" + h.person.id_number[-4:] for h in holders
    }
    assert "birth_date" not in rows[0] and "sex" not in rows[0]
    assert entries(auditor)[0].changes["查看"][1] == "接口：在岗人员（3行）"


def test_payroll_lines_are_whole_for_finance_only(cast, county, run, holders) -> None:
    url = f"/api/v1/counties/{DONGCHANG}/payroll/2022-04/lines/"
    _, finance = token(cast, county, Role.FINANCE)
    rows = finance.get(url).json()["results"]
    assert {r["id_number"] for r in rows} == {h.person.id_number for h in holders}
    assert {r["bank_account"] for r in rows} == {"6228480012345678901"}
    _, hr = token(cast, county, Role.HR)
    rows = hr.get(url).json()["results"]
    assert all(
        "*" in r["id_number"] and r["bank_account"].endswith("8901") and "*" in r["bank_account"]
        for r in rows
    )
    stored = {line.pk: line.pay for line in PayrollLine.objects.filter(run=run)}
    assert {r["id"]: r["pay"] for r in rows} == {pk: str(pay) for pk, pay in stored.items()}


def test_the_totals_are_the_stored_lines_per_township_and_party(cast, county, run) -> None:
    made, client = token(cast, county, Role.AUDITOR)
    body = client.get(f"/api/v1/counties/{DONGCHANG}/payroll/2022-04/totals/").json()
    (row,) = body["townships"]
    lines = PayrollLine.objects.filter(run=run)
    assert row["township"] == "371502101" and row["people"] == 3
    for party in ("pay", "province", "city", "district"):
        assert row[party] == str(sum(getattr(line, party) for line in lines)), party
    assert entries(made)[0].changes["查看"][1] == "接口：补贴汇总 2022-04（1行）"


def test_pages_are_cursors_of_at_most_500(cast, county, holders) -> None:
    _, client = token(cast, county, Role.HR)
    first = client.get(f"/api/v1/counties/{DONGCHANG}/posts/?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert client.get(f"/api/v1/counties/{DONGCHANG}/posts/?page_size=100000").status_code == 200


@pytest.mark.parametrize(
    "path", ["posts/", "people-on-post/", "payroll/2022-04/lines/", "payroll/2022-04/totals/"]
)
def test_a_call_costs_the_same_queries_for_3_or_9_rows(cast, county, holders, path) -> None:
    _, client = token(cast, county, Role.FINANCE)
    url = f"/api/v1/counties/{DONGCHANG}/{path}"
    counts = []
    for more in ([], NAMES[3:]):
        for i, name in enumerate(more):
            factories.placement(name=name, birth=f"1980010{i + 1}")
        PayrollLine.objects.all().delete()
        payroll.compute_run(payroll.run_for(county, dt.date(2022, 4, 1)))
        cache.clear()  # the totals are kept under the run's computation: count the summing too
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12, counts


def test_only_a_county_administrator_makes_tokens_and_their_user_cannot_log_in(cast, county) -> None:
    with pytest.raises(ValidationError):
        services.token_create(county=county, name="x", role=Role.HR, actor=cast.hr)
    with pytest.raises(ValidationError):
        services.token_create(county=county, name="x", role=Role.CLERK, actor=cast.county_admin)
    made, _ = token(cast, county, Role.HR)
    assert not made.user.has_usable_password()
    assert made.key_hash != "" and len(made.key_hash) == 64


def test_the_schema_is_for_token_holders(cast, county) -> None:
    _, client = token(cast, county, Role.AUDITOR)
    assert Client().get("/api/v1/schema/").status_code == 401
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/counties/{county}/payroll/{month}/lines/" in response.content.decode()


def test_the_admin_makes_a_token_shows_its_key_once_and_revokes_it(cast, county) -> None:
    admin = cast.client(cast.county_admin)
    response = admin.post(
        "/admin/api/apitoken/add/",
        {"county": county.pk, "name": "财政一体化", "role": Role.FINANCE},
        follow=True,
    )
    assert response.status_code == 200
    made = ApiToken.objects.get()
    (message,) = [str(m) for m in response.context["messages"] if "只显示这一次" in str(m)]
    key = message.rsplit("：", 1)[1]
    assert services.key_hash(key) == made.key_hash and made.created_by == cast.county_admin
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"/api/v1/counties/{DONGCHANG}/posts/").status_code == 200
    admin.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [made.pk]})
    made.refresh_from_db()
    assert made.revoked_at is not None
    assert client.get(f"/api/v1/counties/{DONGCHANG}/posts/").status_code == 401
