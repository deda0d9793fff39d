"""The county's banks and the layouts of their files (docs/policy.md §9.11). A county starts with
six banks and two built-in layouts, made the first time it pays through the bank; the county
administrator edits them in the admin (names and aliases, columns, encoding, formats)."""

import re
from collections.abc import Iterable

from django.db import transaction

from townships.models import County

from .models import Bank, BankLayout, LayoutColumn

F = LayoutColumn.Field
# The two built-in layouts: (name, layout fields, [(field, header, width)]).
STANDARD = "通用代发格式（Excel／竖线分隔文本，UTF-8）"
FIXED = "定长代发格式（GBK）"
BUILT_IN: dict[str, tuple[dict, list[tuple[str, str, int]]]] = {
    STANDARD: (
        {
            "text_format": BankLayout.TextFormat.DELIMITED,
            "delimiter": "|",
            "encoding": BankLayout.Encoding.UTF8,
            "date_format": "%Y-%m-%d",
            "amount_format": BankLayout.AmountFormat.YUAN,
            "header_line": True,
            "totals_line": True,
        },
        [
            (F.SEQ, "序号", 6),
            (F.ACCOUNT, "账号", 32),
            (F.NAME, "户名", 40),
            (F.AMOUNT, "金额", 15),
            (F.ID_NUMBER, "身份证号", 18),
            (F.DATE, "代发日期", 10),
            (F.PURPOSE, "用途", 40),
        ],
    ),
    FIXED: (
        {
            "text_format": BankLayout.TextFormat.FIXED,
            "delimiter": "",
            "encoding": BankLayout.Encoding.GBK,
            "date_format": "%Y%m%d",
            "amount_format": BankLayout.AmountFormat.FEN,
            "header_line": False,
            "totals_line": True,
        },
        [
            (F.SEQ, "序号", 6),
            (F.ACCOUNT, "账号", 32),
            (F.NAME, "户名", 40),
            (F.AMOUNT, "金额（分）", 15),
            (F.ID_NUMBER, "证件号码", 18),
            (F.DATE, "日期", 8),
            (F.PURPOSE, "摘要", 40),
        ],
    ),
}
# The banks a county starts with: (name, aliases, layout).
DEFAULT_BANKS = [
    ("农商银行", "农商行\n农村商业银行\n农村信用社\n农信社", FIXED),
    ("农业银行", "农行\n中国农业银行", STANDARD),
    ("工商银行", "工行\n中国工商银行", STANDARD),
    ("建设银行", "建行\n中国建设银行", STANDARD),
    ("中国银行", "中行", STANDARD),
    ("邮储银行", "邮政储蓄\n邮储", STANDARD),
]


@transaction.atomic
def banks_ensure(county: County) -> list[Bank]:
    """The county's banks; the built-in layouts and default banks are made when it has none."""
    banks = list(Bank.objects.filter(county=county).select_related("layout"))
    if banks:
        return banks
    layouts = {name: layout_ensure(county, name) for name in BUILT_IN}
    for name, aliases, layout in DEFAULT_BANKS:
        Bank.objects.create(county=county, name=name, aliases=aliases, layout=layouts[layout])
    return list(Bank.objects.filter(county=county).select_related("layout"))


def layout_ensure(county: County, name: str) -> BankLayout:
    """The county's built-in layout `name`, made with its columns when missing."""
    fields, columns = BUILT_IN[name]
    layout, made = BankLayout.objects.get_or_create(county=county, name=name, defaults=fields)
    if made:
        LayoutColumn.objects.bulk_create(
            LayoutColumn(layout=layout, position=i, field=f, header=h, width=w)
            for i, (f, h, w) in enumerate(columns, start=1)
        )
    return layout


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", text)


class BankMatcher:
    """Which of the county's banks a 开户银行 names: the bank whose name or alias is the longest
    part of it ("农业银行聊城分行" → 农业银行; "聊城农村商业银行" → 农商银行)."""

    def __init__(self, banks: Iterable[Bank]) -> None:
        pairs = [(_plain(name), bank) for bank in banks for name in bank.names]
        self._names = sorted((p for p in pairs if p[0]), key=lambda p: -len(p[0]))
        self._cache: dict[str, Bank | None] = {}

    def __call__(self, bank_name: str) -> Bank | None:
        if bank_name not in self._cache:
            plain = _plain(bank_name)
            self._cache[bank_name] = next((bank for name, bank in self._names if name in plain), None)
        return self._cache[bank_name]
