"""A county's users from one sheet (docs/policy.md §1.8): each user made with their role and scope
and a one-time password to change at the first login; every refusal named by its row; a preview
and any refusal write nothing; the page and the command are the county administrator's."""

from io import BytesIO, StringIO

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.services import must_change_password
from accounts.user_import import USER_COLUMNS, USER_OPTIONAL, users_import
from common.sheets import read_table
from tests.factories import xlsx
from townships.models import County, Membership, Role, Village
from townships.onboarding import (
    CALENDAR_COLUMNS,
    CALENDAR_OPTIONAL,
    ORGANISATION_COLUMNS,
    ORGANISATION_OPTIONAL,
)

pytestmark = pytest.mark.django_db
COLUMNS = [*USER_COLUMNS, *USER_OPTIONAL]  # 用户名, 角色, 乡镇代码, 村代码, 村名称


def sheet(rows: list[list]):
    return xlsx(rows, COLUMNS)


def problems(checked) -> list[tuple[int, str]]:
    return [(p.row, p.message) for p in checked.problems]


@pytest.fixture
def village(seeded) -> Village:
    village = Village.objects.filter(township__code="371502101").order_by("pk").first()
    assert village is not None  # the seeded township has villages
    return village


def good_rows(village: Village) -> list[list]:
    return [
        ["dc_hr", "人社局工作人员", "", "", ""],
        ["dc_fin", "财政工作人员", "", "", ""],
        ["dc_clerk", "乡镇经办人", "371502101", "", ""],
        ["dc_village", "村（社区）协管员", "371502101", "", village.name],
    ]


def test_it_makes_each_user_with_role_scope_and_a_one_time_password(village) -> None:
    county = County.objects.get(code="371502")
    checked, made = users_import(county=county, source=sheet(good_rows(village)), dry_run=False)
    assert checked.written, problems(checked)
    scopes = {
        m.user.username: (m.role, m.county_id, m.township_id, m.village_id)
        for m in Membership.objects.filter(user__username__startswith="dc_")
    }
    assert scopes == {
        "dc_hr": (Role.HR, county.pk, None, None),
        "dc_fin": (Role.FINANCE, county.pk, None, None),
        "dc_clerk": (Role.CLERK, county.pk, village.township_id, None),
        "dc_village": (Role.VILLAGE, None, village.township_id, village.pk),
    }
    passwords = {m.username: m.password for m in made}
    for username, password in passwords.items():
        user = User.objects.get(username=username)
        assert user.check_password(password) and must_change_password(user)
        assert len(password) == 12
    assert len(set(passwords.values())) == 4


def test_a_preview_writes_nothing_and_shows_no_password(village) -> None:
    county = County.objects.get(code="371502")
    checked, made = users_import(county=county, source=sheet(good_rows(village)), dry_run=True)
    assert checked.ok and len(checked.rows) == 4 and made == []
    assert not User.objects.filter(username__startswith="dc_").exists()


def test_every_refusal_is_named_by_its_row_and_nothing_is_written(cast, village) -> None:
    county = County.objects.get(code="371502")
    rows = [
        ["dc_ok", "人社局工作人员", "", "", ""],
        ["HR", "财政工作人员", "", "", ""],  # the cast's "hr", in another case
        ["dc_ok", "审计（只读）", "", "", ""],  # twice in the file
        ["dc_admin", "区县管理员", "", "", ""],  # not given by a sheet
        ["dc_c1", "乡镇经办人", "", "", ""],  # a clerk without a township
        ["dc_c2", "乡镇经办人", "370812001", "", ""],  # a township of 兖州区
        ["dc_v1", "村（社区）协管员", "371502101", "", "没有这个村"],
        ["dc_v2", "村（社区）协管员", "", "999999999999", ""],
        ["dc_h2", "人社局工作人员", "371502101", "", ""],  # a county role given a township
        ["bad name!", "财政工作人员", "", "", ""],
    ]
    checked, made = users_import(county=county, source=sheet(rows), dry_run=False)
    assert not checked.written and made == []
    assert problems(checked) == [
        (3, "用户名HR已被使用"),
        (4, "与第2行的用户名重复"),
        (5, "角色只能填人社局工作人员、财政工作人员、审计（只读）、乡镇经办人、村（社区）协管员"),
        (6, "乡镇（街道）代码不能为空"),
        (7, "370812001不是东昌府区的乡镇（街道）"),
        (8, f"{village.township.name}没有没有这个村"),
        (9, "999999999999不是东昌府区的村（社区）代码"),
        (10, "人社局工作人员是全区县的角色，不填乡镇（街道）和村（社区）"),
        (11, "用户名只能包含字母、数字、汉字和 @ . + - _"),
    ]
    assert not User.objects.filter(username__startswith="dc_").exists()


def test_the_page_shows_the_passwords_once_for_the_county_administrator_only(cast, village) -> None:
    url = reverse("accounts:users-load")
    county = County.objects.get(code="371502")
    for someone in (cast.hr, cast.clerk, cast.finance):
        assert cast.client(someone).get(url).status_code == 404
    client = cast.client(cast.county_admin)
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("users.xlsx", sheet(good_rows(village)).read())
    preview = client.post(url, {"county": county.pk, "commit": "0", "file": upload})
    assert "检查通过，共4行" in preview.content.decode()
    assert not User.objects.filter(username__startswith="dc_").exists()
    upload = SimpleUploadedFile("users.xlsx", sheet(good_rows(village)).read())
    done = client.post(url, {"county": county.pk, "commit": "1", "file": upload})
    page = done.content.decode()
    assert "已新建4个用户" in page and "no-cache" in done["Cache-Control"]
    user = User.objects.get(username="dc_clerk")
    password = page.split("dc_clerk</td>")[1].split('class="mono">')[1].split("<")[0]
    assert user.check_password(password)


def test_the_command_loads_or_names_every_problem(village, tmp_path) -> None:
    path = tmp_path / "users.xlsx"
    path.write_bytes(sheet(good_rows(village)).read())
    out = StringIO()
    call_command("load_users", str(path), "--county", "371502", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("东昌府区：已新建 4 个用户")
    username, _role, _where, password = lines[3].split("\t")
    assert username == "dc_clerk" and User.objects.get(username=username).check_password(password)
    err = StringIO()
    with pytest.raises(CommandError, match="共 4 处错误，未导入任何数据。"):
        call_command("load_users", str(path), "--county", "371502", stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines()[0] == "第2行「用户名」：用户名dc_hr已被使用"


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("accounts:users-template", COLUMNS),
        ("townships:organisation-template", [*ORGANISATION_COLUMNS, *ORGANISATION_OPTIONAL]),
        ("townships:calendar-template", [*CALENDAR_COLUMNS, *CALENDAR_OPTIONAL]),
    ],
)
def test_each_onboarding_page_gives_its_blank_template_which_reads_back(cast, name, columns) -> None:
    url = reverse(name)
    assert cast.client(cast.hr).get(url).status_code == 404
    response = cast.client(cast.county_admin).get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content)
    table = read_table(BytesIO(body), required=columns[:2], optional=columns[2:])
    assert table.headers == columns and table.rows == []
