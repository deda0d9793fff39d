"""Entering a county's banks (docs/policy.md §9.11): one rule for the banks page and the
banks sheet (payments.bank_sheet). A bank has a name, its aliases (the names a holder's 开户银行
may give it) and one of the county's file layouts (the two built-in ones are made for the county
the first time a bank takes one). Refused: a name or alias that is already another of the county's
banks' name or alias (a holder's 开户银行 would match two banks), and a layout the county does not
have, with the list of those it has. Another county's bank of the same name is its own."""

import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction

from common.validation import full_clean
from townships.models import County

from .banks import BUILT_IN, _plain, layout_ensure
from .models import Bank, BankLayout

SEPARATORS = r"[\n\r、，,；;]+"


def aliases_split(text: str) -> list[str]:
    """The aliases as typed (one a line, or separated by 、，, ；), blanks and repeats dropped."""
    seen: list[str] = []
    for alias in re.split(SEPARATORS, text):
        alias = alias.strip()
        if alias and alias not in seen:
            seen.append(alias)
    return seen


def layout_names(county: County) -> list[str]:
    """The layouts a bank of the county may take: the county's own, then the built-in ones it has
    not made yet (made when a bank takes one). One query."""
    own = list(BankLayout.objects.filter(county=county).order_by("name").values_list("name", flat=True))
    return own + [name for name in BUILT_IN if name not in own]


def names_taken(banks: Iterable[Bank]) -> dict[str, str]:
    """Each name and alias of `banks` (spaces dropped) → the bank's name."""
    return {_plain(name): bank.name for bank in banks for name in bank.names if _plain(name)}


def bank_check(
    *, name: str, aliases: list[str], layout: str, layouts: list[str], taken: Mapping[str, str]
) -> dict[str, list[str]]:
    """What is wrong with a bank (field → messages; empty: nothing). `taken`: the names and aliases
    of the county's other banks (names_taken); `layouts`: the county's (layout_names)."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors.setdefault("name", []).append("请填写银行名称")
    elif _plain(name) in taken:
        owner = taken[_plain(name)]
        text = "本区县已有这家银行" if owner == name.strip() else f"「{name}」已是{owner}的别名"
        errors.setdefault("name", []).append(text)
    for alias in aliases:
        if _plain(alias) in taken:
            errors.setdefault("aliases", []).append(f"别名「{alias}」已是{taken[_plain(alias)]}的名称或别名")
        elif _plain(alias) == _plain(name):
            errors.setdefault("aliases", []).append(f"别名「{alias}」与银行名称相同，不必再填")
        elif len(alias) > 60:
            errors.setdefault("aliases", []).append(f"别名「{alias[:10]}…」不能超过60个字")
    if layout not in layouts:
        errors.setdefault("layout", []).append(f"代发文件格式只能填：{'、'.join(layouts)}")
    return errors


@transaction.atomic
def bank_save(
    *, county: County, name: str, aliases: list[str], layout: str, bank: Bank | None = None
) -> Bank:
    """Add a bank to the county, or change `bank` (one of the county's), after bank_check against
    the county's other banks, read with the county's row locked (two banks saved at once are
    judged one after the other). Audited as every bank save (audit.registry)."""
    County.objects.select_for_update(no_key=True).filter(pk=county.pk).first()
    others = Bank.objects.filter(county=county)
    if bank is not None:
        others = others.exclude(pk=bank.pk)
    errors = bank_check(
        name=name, aliases=aliases, layout=layout, layouts=layout_names(county), taken=names_taken(others)
    )
    if errors:
        raise ValidationError(errors)
    found = BankLayout.objects.filter(county=county, name=layout).first()
    bank = bank or Bank(county=county)
    bank.name, bank.aliases = name.strip(), "\n".join(aliases)
    bank.layout = found or layout_ensure(county, layout)
    full_clean(bank)
    bank.save()
    return bank
