"""A county's banks entered on a page and from a sheet (docs/policy.md §9.11): one rule (bank_check)
for the page, the sheet and the command; a bank the county has, a name or alias of another of its
banks, or an unknown layout (the layouts listed) refused by row with nothing written; another
county's bank of the same name is its own; the pages are the county administrator's to write and
the county's roles' to read; another county's answer 404."""

from io import BytesIO, StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from payments.bank_entry import bank_save
from payments.bank_sheet import BANK_COLUMNS, BANK_OPTIONAL, banks_import
from payments.banks import FIXED, STANDARD, BankMatcher, banks_ensure
from payments.models import Bank, BankLayout
from tests.factories import xlsx
from townships.models import County

pytestmark = pytest.mark.django_db
COLUMNS = [*BANK_COLUMNS, *BANK_OPTIONAL]  # 银行名称, 代发文件格式, 别名


def sheet(*rows: list) -> BytesIO:
    return xlsx([list(r) for r in rows], COLUMNS)


def problems(checked) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.message) for p in checked.problems]


@pytest.fixture
def county(cast) -> County:
    return County.objects.get(code="371502")


def banks(county: County) -> list[tuple[str, list[str], str]]:
    return [(b.name, b.names[1:], b.layout.name) for b in Bank.objects.filter(county=county).order_by("name")]


def test_a_sheet_adds_banks_with_their_aliases_and_layouts_and_the_matcher_finds_them(county) -> None:
    rows = [["农商银行", FIXED, "农商行、农村商业银行"], ["泰山银行", STANDARD, ""]]
    checked = banks_import(county=county, source=sheet(*rows), dry_run=True)
    assert checked.ok and not Bank.objects.filter(county=county).exists()  # the preview wrote nothing
    assert not BankLayout.objects.filter(county=county).exists()
    assert banks_import(county=county, source=sheet(*rows), dry_run=False).written
    assert banks(county) == [("农商银行", ["农商行", "农村商业银行"], FIXED), ("泰山银行", [], STANDARD)]
    match = BankMatcher(Bank.objects.filter(county=county))
    assert match("聊城农村商业银行堂邑支行").name == "农商银行"  # type: ignore[union-attr]
    assert banks_ensure(county) and len(banks(county)) == 2  # no default banks added beside them


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["农业银行", STANDARD, ""]], (2, "银行名称", "本区县已有这家银行")),
        ([["农行", STANDARD, ""]], (2, "银行名称", "「农行」已是农业银行的别名")),
        ([["泰山银行", STANDARD, "中行"]], (2, "别名", "别名「中行」已是中国银行的名称或别名")),
        ([["泰山银行", "招商格式", ""]], (2, "代发文件格式", f"代发文件格式只能填：{FIXED}、{STANDARD}")),
        (
            [["泰山银行", STANDARD, ""], ["齐鲁银行", STANDARD, "泰山银行"]],
            (3, "别名", "「泰山银行」与第2行的银行名称或别名重复"),
        ),
        ([["泰山银行", "", ""]], (2, "代发文件格式", "代发文件格式不能为空")),
    ],
)
def test_a_bad_sheet_is_refused_by_row_and_column_and_writes_nothing(county, rows, expected) -> None:
    banks_ensure(county)  # the six usual banks and the two built-in layouts
    before = banks(county)
    checked = banks_import(county=county, source=sheet(*rows), dry_run=False)
    assert not checked.written
    row, column, message = expected
    assert any(p[:2] == (row, column) and message in p[2] for p in problems(checked)), problems(checked)
    assert banks(county) == before


def test_a_broken_file_is_refused(county) -> None:
    checked = banks_import(county=county, source=BytesIO(b"PK\x03\x04 broken"), dry_run=False)
    assert not checked.written and checked.problems[0].row == 1
    assert not Bank.objects.filter(county=county).exists()


def test_another_countys_bank_of_the_same_name_is_its_own(county) -> None:
    banks_ensure(County.objects.get(code="370812"))
    assert banks_import(county=county, source=sheet(["农业银行", STANDARD, "农行"]), dry_run=False).written
    assert Bank.objects.filter(name="农业银行").count() == 2


def test_the_service_refuses_a_bank_changed_into_anothers_name(county) -> None:
    agri, *_ = banks_ensure(county)
    with pytest.raises(ValidationError) as refused:
        bank_save(county=county, name="工商银行", aliases=[], layout=STANDARD, bank=agri)
    assert refused.value.message_dict == {"name": ["本区县已有这家银行"]}
    same = bank_save(county=county, name=agri.name, aliases=["新别名"], layout=FIXED, bank=agri)
    assert same.pk == agri.pk and same.names == [agri.name, "新别名"] and same.layout.name == FIXED


def test_the_county_administrator_adds_and_changes_a_bank_on_the_page(cast, county) -> None:
    client = cast.client(cast.county_admin)
    new = reverse("payments:bank-new", args=["371502"])
    page = client.post(new, {"name": "泰山银行", "aliases": "泰山行\n泰银", "layout": STANDARD}, follow=True)
    assert "已保存代发银行泰山银行" in page.content.decode()
    bank = Bank.objects.get(county=county, name="泰山银行")
    assert bank.names == ["泰山银行", "泰山行", "泰银"]
    refused = client.post(new, {"name": "泰银", "aliases": "", "layout": STANDARD})
    assert "「泰银」已是泰山银行的别名" in refused.content.decode()
    edit = reverse("payments:bank-edit", args=["371502", bank.pk])
    assert client.post(edit, {"name": "泰山银行", "aliases": "", "layout": FIXED}).status_code == 302
    bank.refresh_from_db()
    assert bank.names == ["泰山银行"] and bank.layout.name == FIXED


def test_who_reads_and_who_writes_and_another_countys_bank_is_404(cast, county) -> None:
    banks_ensure(county)
    theirs, *_ = banks_ensure(County.objects.get(code="370812"))
    listing, new = (reverse(f"payments:bank-{n}", args=["371502"]) for n in ("list", "new"))
    for reader in (cast.hr, cast.finance, cast.auditor, cast.county_admin):
        assert cast.client(reader).get(listing).status_code == 200
    for not_writer in (cast.hr, cast.finance, cast.auditor, cast.clerk, cast.hr_other_county):
        assert cast.client(not_writer).get(new).status_code == 404
    for outsider in (cast.clerk, cast.hr_other_county, cast.nobody):
        assert cast.client(outsider).get(listing).status_code == 404
    wrong = reverse("payments:bank-edit", args=["371502", theirs.pk])
    assert cast.client(cast.county_admin).post(wrong, {"name": "x", "layout": STANDARD}).status_code == 404
    assert Bank.objects.get(pk=theirs.pk).name == theirs.name


def test_the_import_page_and_the_command(cast, county, tmp_path) -> None:
    client = cast.client(cast.county_admin)
    url = reverse("payments:bank-import", args=["371502"])
    data = sheet(["泰山银行", STANDARD, "泰山行"]).getvalue()
    preview = client.post(url, {"file": SimpleUploadedFile("b.xlsx", data), "commit": "0"}).content.decode()
    assert "检查通过，共1行，尚未导入" in preview and not Bank.objects.filter(county=county).exists()
    done = client.post(url, {"file": SimpleUploadedFile("b.xlsx", data), "commit": "1"}, follow=True)
    assert "已导入东昌府区的代发银行1家" in done.content.decode()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(sheet(["泰山银行", STANDARD, ""]).getvalue())
    errors = StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("load_banks", str(bad), county="371502", stderr=errors)
    assert "第2行「银行名称」：本区县已有这家银行" in errors.getvalue()
    good = tmp_path / "good.xlsx"
    good.write_bytes(sheet(["齐鲁银行", STANDARD, ""]).getvalue())
    out = StringIO()
    call_command("load_banks", str(good), county="371502", stdout=out)
    assert "已导入，共 1 家代发银行" in out.getvalue()
    assert [b[0] for b in banks(county)] == ["泰山银行", "齐鲁银行"]
