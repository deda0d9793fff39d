"""Chinese resident identity numbers (GB 11643-1999): parsing, validation and masking.

An 18-character number is: area code (6 digits), birth date YYYYMMDD (8), sequence (3, the last of
which is odd for men and even for women) and a check character (a digit or X). The area code is
only required to be 6 digits, since codes of abolished areas (e.g. 372501) remain legitimate.
"""

import datetime as dt
import operator
import re
from dataclasses import dataclass

LENGTH = 18
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")  # ASCII digits only: str.isdigit() would accept "１" or "²".


class IdNumberError(ValueError):
    """An ID number is unusable; `message` (also `str(exc)`) says why, in Chinese, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class IdNumber:
    """A validated 18-character ID number (uppercase X) with the facts encoded in it."""

    number: str
    birth_date: dt.date
    sex: str  # "male" | "female"


def check_character(first17: str) -> str:
    """The check character ("0"-"9" or "X") for the first 17 digits of an ID number.

    Raises ValueError unless `first17` is exactly 17 ASCII digits.
    """
    if len(first17) != len(WEIGHTS) or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"need exactly 17 digits, got {first17!r}")
    total = sum(map(operator.mul, map(int, first17), WEIGHTS))
    return CHECK_CHARACTERS[total % 11]


def _normalise(raw: str) -> str:
    """`raw` without surrounding whitespace, with a lowercase x made uppercase.

    str.strip() also removes full-width (U+3000) and no-break spaces. Only x is upper-cased: a
    general upper() could change the length ("ß" becomes "SS") and so misreport it.
    """
    return raw.strip().replace("x", "X")


def _check_shape(number: str) -> None:
    """Raise IdNumberError unless `number` is 17 ASCII digits followed by a digit or X."""
    if not number:
        raise IdNumberError("身份证号不能为空")
    if len(number) != LENGTH:
        raise IdNumberError(f"身份证号应为{LENGTH}位，实际为{len(number)}位")
    if not _SHAPE.fullmatch(number):
        raise IdNumberError("身份证号只能包含数字，最后一位可以是X")


def _birth_date(number: str, today: dt.date) -> dt.date:
    """The birth date encoded in a well-shaped `number`; it must exist and lie in [1900-01-01, today]."""
    text = number[6:14]
    try:
        born = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise IdNumberError(f"身份证号中的出生日期{text}不是有效日期") from None
    if born > today:
        raise IdNumberError(f"身份证号中的出生日期{text}晚于今天")
    if born < EARLIEST_BIRTH_DATE:
        raise IdNumberError(f"身份证号中的出生日期{text}早于1900年")
    return born


def parse_id_number(raw: str, *, today: dt.date | None = None) -> IdNumber:
    """Validate `raw` and return the normalised number with its birth date and sex.

    Surrounding whitespace (including full-width spaces) is ignored and a lowercase x accepted.
    Checks run in this order, the first failure raising IdNumberError: empty, length, characters,
    birth date exists, birth date not after `today` (default: the current date) nor before 1900,
    check character.
    """
    number = _normalise(raw)
    _check_shape(number)
    birth_date = _birth_date(number, dt.date.today() if today is None else today)
    expected = check_character(number[:17])
    if number[17] != expected:
        raise IdNumberError(f"身份证号校验位错误：应为{expected}，实际为{number[17]}")
    sex = "male" if int(number[16]) % 2 == 1 else "female"
    return IdNumber(number=number, birth_date=birth_date, sex=sex)


def mask_id_number(number: str) -> str:
    """`number` with its middle hidden for display: the first 6 and last 4 characters kept.

    Anything that is not 18 characters long has all but its last 4 characters replaced by "*"
    (strings of 4 or fewer characters are returned unchanged).
    """
    if len(number) == LENGTH:
        return number[:6] + "*" * (LENGTH - 10) + number[-4:]
    hidden = max(len(number) - 4, 0)
    return "*" * hidden + number[hidden:]
