"""Field checks shared by the person form, the import and the services. Each returns the
cleaned value or raises ValueError with a Chinese message."""

import re

NAME_LENGTH = 50  # Person.name's max_length
NAME = re.compile(
    r"^[\u3400-\u9fffA-Za-z][\u3400-\u9fffA-Za-z·•\s]{0,48}[\u3400-\u9fffA-Za-z]$|^[\u3400-\u9fff]$"
)
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
BANK = re.compile(r"^\d{12,25}$")


def clean_name(text: str) -> str:
    name = re.sub(r"\s+", " ", text).strip()
    if not name:
        raise ValueError("姓名不能为空")
    if len(name) > NAME_LENGTH:
        raise ValueError(f"姓名不能超过{NAME_LENGTH}个字")
    if not NAME.match(name):
        raise ValueError("姓名只能包含汉字、字母和间隔号「·」")
    return name.replace("•", "·")


def clean_phone(text: str) -> str:
    phone = text.replace(" ", "").strip()
    if phone and not PHONE.match(phone):
        raise ValueError("联系电话应为11位手机号或带区号的固定电话")
    return phone


def clean_bank_account(text: str) -> str:
    account = text.replace(" ", "").strip()
    if account and not BANK.match(account):
        raise ValueError("银行账号应为12至25位数字")
    return account


def clean_plain_text(text: str, *, label: str, max_length: int) -> str:
    """Free text (address, note): no formulas for spreadsheets, bounded length."""
    value = text.strip()
    if value[:1] in ("=", "+", "@") or (value[:1] == "-" and len(value) > 1 and not value[1].isdigit()):
        raise ValueError(f"{label}不能以 = + - @ 开头")
    if len(value) > max_length:
        raise ValueError(f"{label}不能超过{max_length}个字")
    return value
