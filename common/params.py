"""Numbers and years typed by people or carried in a query string, read strictly.

One reading of a typed number for the whole site: ASCII digits, one optional sign and point,
thousands commas allowed; never NaN, Infinity, exponents or other scripts' digits (which
`Decimal` would accept), and never more digits than the column the value is bound for holds
(PostgreSQL refuses those with an error; SQLite would store them). Each refusal is a
ValidationError in Chinese naming the field.

Query parameters are not typed by a person into a form: a value that cannot be read falls back
to the page's default instead of an error page (a link with a bad ?year= still shows a year)."""

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import QueryDict

NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]*)?")
# Years a county works in: plans, payroll months and reports from the scheme's start to the
# distant future; outside, a year is a typo or an attack (year 0 is not a date at all).
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Monthly amounts (agreements, 新老衔接's old pay): to the fen, above zero, below 100,000 yuan.
AMOUNT_MIN, AMOUNT_MAX = Decimal("0.01"), Decimal("99999.99")


def decimal_text(
    text: str,
    *,
    label: str,
    max_digits: int,
    decimal_places: int,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
) -> Decimal:
    """`text` as a Decimal that fits DecimalField(max_digits, decimal_places) and lies within
    [minimum, maximum], or ValidationError saying why not."""
    cleaned = str(text).strip().replace(",", "").replace("，", "")
    if not NUMBER.fullmatch(cleaned):
        raise ValidationError(f"{label}「{str(text)[:20]}」不是有效的数字")
    value = Decimal(cleaned)
    if value and value.adjusted() >= max_digits - decimal_places:  # more whole digits than the column
        raise ValidationError(f"{label}数值过大")
    step = Decimal(1).scaleb(-decimal_places)
    if value != value.quantize(step):
        raise ValidationError(f"{label}最多保留{decimal_places}位小数")
    value = value.quantize(step)
    if minimum is not None and value < minimum:
        raise ValidationError(f"{label}不能小于{minimum}")
    if maximum is not None and value > maximum:
        raise ValidationError(f"{label}不能大于{maximum}")
    return value


def amount(text: str, *, label: str = "金额") -> Decimal:
    """A monthly amount in yuan (agreement pay, old pay): above zero, to the fen, below 100,000."""
    return decimal_text(
        text, label=label, max_digits=10, decimal_places=2, minimum=AMOUNT_MIN, maximum=AMOUNT_MAX
    )


def int_param(query: QueryDict, name: str, default: int, *, low: int, high: int) -> int:
    """The integer ?name= within [low, high]; `default` when absent, unreadable or outside."""
    text = str(query.get(name, "")).strip()
    if not (text.isascii() and text.lstrip("-").isdigit() and len(text) <= 20):
        return default
    value = int(text)
    return value if low <= value <= high else default


def pk_param(query: QueryDict, name: str) -> int:
    """The id ?name= (or a posted one) as a positive integer that fits a primary key; 0, which
    finds nothing, when it is anything else."""
    return int_param(query, name, 0, low=1, high=2**63 - 1)


def year_param(query: QueryDict, name: str = "year", default: int | None = None) -> int:
    """?year= as a year between FIRST_YEAR and LAST_YEAR; this year when absent or not one."""
    fallback = default if default is not None else dt.date.today().year
    return int_param(query, name, fallback, low=FIRST_YEAR, high=LAST_YEAR)


def date_param(
    query: QueryDict, name: str, default: dt.date, *, low: dt.date | None = None, high: dt.date | None = None
) -> dt.date:
    """?name= as an ISO date within [low, high] (by default the years FIRST_YEAR to LAST_YEAR);
    `default` when absent, unreadable or outside."""
    low = low or dt.date(FIRST_YEAR, 1, 1)
    high = high or dt.date(LAST_YEAR, 12, 31)
    try:
        value = dt.date.fromisoformat(str(query.get(name, "")).strip())
    except ValueError:
        return default
    return value if low <= value <= high else default


def pk_of(text: object) -> int:
    """`text` (a path segment, a stored value, a typed id) as a positive integer that fits a
    primary key; 0, which finds nothing, when it is anything else ("²" and "１" are digits to
    str.isdigit() but not to int())."""
    value = str(text).strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 19):
        return 0
    number = int(value)
    return number if 0 < number < 2**63 else 0


def pk_list(query: QueryDict, name: str) -> list[int]:
    """The ids ticked in a list form (?name=1&name=2); anything that cannot be a key is left out."""
    return [pk for pk in (pk_of(value) for value in query.getlist(name)) if pk]


def text_param(query: QueryDict, name: str, *, max_length: int = 100) -> str:
    """?name= as text: stripped, and empty when longer than any value it could match."""
    text = str(query.get(name, "")).strip()
    return text if len(text) <= max_length else ""
