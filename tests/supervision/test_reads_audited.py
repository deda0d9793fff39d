"""The supervisors' reads are audited (docs/policy.md §1.4): each page shown and each workbook
downloaded by a city or province user is one entry of the audit log, naming the reader, the area
or county and the year; a county's in that county's log (its auditor reads it, another county's
does not), an area's in no county's (the administrator of every county reads it); a 404 leaves
none."""

from django.contrib.auth.models import User
from django.urls import reverse

from audit.models import Entry
from tests.conftest import PASSWORD
from tests.townships.test_city_province import cast_client
from townships.models import County, Role
from townships.services import user_with_membership_ensure

ACCESS = Entry.Action.ACCESS


def reads() -> list[Entry]:
    return list(Entry.objects.filter(action=ACCESS, changes__has_key="查看").order_by("id"))


def note(entry: Entry) -> str:
    return entry.changes["查看"][1]


def test_a_county_page_and_its_workbook_each_leave_one_entry_on_the_county(supervisors, march, cast) -> None:
    reader = supervisors["province"]
    client = cast_client(reader)
    county = County.objects.get(code="371502")
    url = reverse("supervision:county", args=["371502"])
    assert client.get(url, {"year": 2022}).status_code == 200
    [entry] = reads()
    assert (entry.actor, entry.county, entry.object_pk, entry.via) == (reader, county, str(county.pk), "网页")
    assert entry.content_type.model_class() is County and entry.township is None
    assert note(entry) == "督导查阅：东昌府区2022年报表（页面）"
    download = client.get(url, {"year": 2022, "export": "xlsx"})
    b"".join(download.streaming_content)
    [_, export] = reads()
    assert (export.actor, export.county) == (reader, county)
    assert note(export) == "督导查阅：东昌府区2022年报表（导出Excel）"
    # the county's auditor reads both in the county log; another county's auditor neither
    log = cast.client(cast.auditor).get(reverse("audit:county-log")).content.decode()
    assert log.count("督导查阅：东昌府区2022年报表") == 2 and "province_37" in log
    yanzhou = user_with_membership_ensure(
        username="auditor_yz", password=PASSWORD, role=Role.AUDITOR, county=County.objects.get(code="370812")
    )
    assert "督导查阅" not in cast.client(yanzhou).get(reverse("audit:county-log")).content.decode()


def test_an_area_page_and_its_workbook_each_leave_one_entry_on_the_reader(supervisors, march, cast) -> None:
    reader = supervisors["liaocheng"]
    client = cast_client(reader)
    assert client.get(reverse("supervision:home"), {"year": 2022}).status_code == 200
    [entry] = reads()
    assert (entry.actor, entry.county, entry.township) == (reader, None, None)
    assert entry.content_type.model_class() is User and entry.object_pk == str(reader.pk)
    assert note(entry) == "督导查阅：聊城市2022年各区县汇总（页面）"
    province = cast_client(supervisors["province"])
    download = province.get(reverse("supervision:home"), {"year": 2022, "export": "xlsx"})
    b"".join(download.streaming_content)
    assert province.get(reverse("supervision:city", args=["3708"]), {"year": 2022}).status_code == 200
    [_, whole, city] = reads()
    assert whole.actor == supervisors["province"]
    assert note(whole) == "督导查阅：山东省2022年各市汇总（导出Excel）"
    assert note(city) == "督导查阅：济宁市2022年各区县汇总（页面）"
    # not a county's: its auditor does not read them, the administrator of every county does
    assert "督导查阅" not in cast.client(cast.auditor).get(reverse("audit:county-log")).content.decode()
    log = cast.client(cast.county_admin).get(reverse("audit:county-log")).content.decode()
    assert "督导查阅：聊城市2022年各区县汇总" in log and "督导查阅：济宁市2022年各区县汇总" in log


def test_a_404_leaves_no_entry(supervisors, march, cast) -> None:
    liaocheng = cast_client(supervisors["liaocheng"])
    assert liaocheng.get(reverse("supervision:county", args=["370812"])).status_code == 404
    assert liaocheng.get(reverse("supervision:city", args=["3708"])).status_code == 404
    other = reverse("supervision:county", args=["370812"])
    assert liaocheng.get(other, {"export": "xlsx"}).status_code == 404
    province = cast_client(supervisors["province"])
    assert province.get(reverse("supervision:county", args=["999999"])).status_code == 404
    assert province.get(reverse("supervision:city", args=["9999"])).status_code == 404
    for user in (cast.hr, cast.auditor, cast.county_admin):  # not a supervisor: 404, nothing recorded
        assert cast.client(user).get(reverse("supervision:county", args=["371502"])).status_code == 404
    assert reads() == []
