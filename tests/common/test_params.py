"""The one reading of typed numbers and query parameters (common.params), generated: whatever
comes in, a value that fits its column or a refusal in Chinese; a query parameter never fails."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from common import params

CHINESE = re.compile(r"[\u3400-\u9fff]")
numbers_as_text = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-(10**30), 10**30).map(str),
    st.floats().map(str),
    st.from_regex(r"\A[ ]?[+-]?[0-9,]{0,14}(\.[0-9]{0,4})?[ ]?\Z"),
    st.text(max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(text=numbers_as_text, max_digits=st.integers(1, 12), places=st.integers(0, 3))
def test_a_typed_number_fits_its_column_or_is_refused_in_chinese(
    text: str, max_digits: int, places: int
) -> None:
    places = min(places, max_digits)
    try:
        value = params.decimal_text(text, label="数", max_digits=max_digits, decimal_places=places)
    except ValidationError as exc:
        assert CHINESE.search(exc.messages[0]), exc.messages
        return
    _, digits, exponent = value.as_tuple()
    assert value.is_finite() and exponent == -places
    assert len(digits) <= max_digits
    assert value == Decimal(text.strip().replace(",", "").replace("，", ""))


@pytest.mark.parametrize(
    "text", ["0", "-1", "0.001", "NaN", "sNaN", "Infinity", "1e3", "１７００", "٣", "100000", ""]
)
def test_an_amount_is_above_zero_to_the_fen_below_100000_in_ascii_digits(text: str) -> None:
    with pytest.raises(ValidationError):
        params.amount(text)


def test_an_amount_takes_commas_and_spaces() -> None:
    assert params.amount(" 1,700.5 ") == Decimal("1700.50")
    assert params.amount("99999.99") == Decimal("99999.99")


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.text(max_size=25), st.integers(-(10**25), 10**25).map(str)))
def test_a_year_parameter_is_always_a_year_the_site_works_in(value: str) -> None:
    query = QueryDict(mutable=True)
    query["year"] = value
    year = params.year_param(query, default=2022)
    assert params.FIRST_YEAR <= year <= params.LAST_YEAR
    if value.strip().isascii() and value.strip().isdigit() and 2000 <= int(value) <= 2100:
        assert year == int(value)
    else:
        assert year == 2022


@pytest.mark.parametrize("value", ["", "0", "-1", "abc", "1.0", "9" * 30, "2 OR 1=1"])
def test_an_id_parameter_that_is_not_a_key_finds_nothing(value: str) -> None:
    assert params.pk_param(QueryDict(f"finding={value}"), "finding") == 0
